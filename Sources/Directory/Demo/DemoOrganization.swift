/// The demo organisation served by `roster serve --demo`: the seed's two examples side by side,
/// a school (教师组, 班级组, 校友录) and a logistics company (管理层, 网点), with Chinese names, a
/// few public groups and known passwords: every member's is `Pw-<account>`, the super admin's
/// `secret`, the sub-admin's `Admin-logistics`, the service account's `Svc-gitlab`.
public enum DemoOrganization {
    /// Builds the demo directory.
    /// - Parameter hasher: hashes the demo passwords.
    public static func build(hasher: any PasswordHasher) -> DirectoryModel {
        var model = DirectoryModel(organization: "示例组织")
        var nextID: Int64 = 2
        func dept(_ name: String, _ parent: DepartmentID, order: Int = 0, scope: VisibilityScope = .inherit) -> DepartmentID {
            let id = DepartmentID(nextID)
            nextID += 1
            model.put(Department(id: id, name: name, parent: parent, order: order, scope: scope))
            return id
        }

        // The school: teachers see all teachers; a pupil's family sees only their class.
        let school = dept("育才学校", .root, order: 1, scope: .department)
        let teachers = dept("教师组", school, order: 1, scope: .department)
        let admin = dept("行政组", teachers, order: 1)
        let chinese = dept("语文组", teachers, order: 2)
        let maths = dept("数学组", teachers, order: 3)
        let english = dept("英语组", teachers, order: 4)
        let arts = dept("体艺组", teachers, order: 5)
        let classes = dept("班级组", school, order: 2, scope: .subdepartment)
        let grade1 = dept("一年级", classes, order: 1)
        let g1c1 = dept("一班", grade1, order: 1)
        let g1c2 = dept("二班", grade1, order: 2)
        let grade2 = dept("二年级", classes, order: 2)
        let g2c1 = dept("一班", grade2, order: 1)
        let alumni = dept("校友录", school, order: 3, scope: .subdepartment)
        let class2020 = dept("2020级", alumni, order: 1)
        let alumniC1 = dept("一班", class2020, order: 1)

        // The logistics company: management sees everyone, each depot only itself.
        let company = dept("顺达物流", .root, order: 2, scope: .department)
        let management = dept("管理层", company, order: 1, scope: .all)
        let depots = dept("网点", company, order: 2, scope: .subdepartment)
        let beijing = dept("北京朝阳网点", depots, order: 1)
        let shanghai = dept("上海浦东网点", depots, order: 2)
        let guangzhou = dept("广州天河网点", depots, order: 3)

        struct Row {
            var account: String, name: String, departments: [DepartmentID], title: String?
            var mobile: String?, email: String?, wechat: String?
            var pinned = false
        }
        let rows: [Row] = [
            Row(account: "t1001", name: "王建国", departments: [admin], title: "校长", mobile: "13800001001",
                email: "wangjianguo@school.example.com", wechat: "wang_jg", pinned: true),
            Row(account: "t1002", name: "李秀英", departments: [admin], title: "教导主任", mobile: "13800001002",
                email: "lixiuying@school.example.com", wechat: nil),
            Row(account: "t2001", name: "张三", departments: [chinese, g1c1], title: "语文教师 一年级一班班主任",
                mobile: "13800002001", email: "zhangsan@school.example.com", wechat: "zhangsan-yc"),
            Row(account: "t2002", name: "欧阳娜娜", departments: [chinese], title: "语文教研组长",
                mobile: "13800002002", email: "ouyangnana@school.example.com", wechat: nil),
            Row(account: "t3001", name: "曾小贤", departments: [maths, g2c1], title: "数学教师 二年级一班班主任",
                mobile: "13800003001", email: "zengxiaoxian@school.example.com", wechat: nil),
            Row(account: "t3002", name: "单雄信", departments: [maths], title: "数学教师", mobile: "13800003002",
                email: "shanxiongxin@school.example.com", wechat: nil),
            Row(account: "t4001", name: "刘丽", departments: [english], title: "英语教师", mobile: "13800004001",
                email: "liuli@school.example.com", wechat: nil),
            Row(account: "t5001", name: "赵强", departments: [arts], title: "体育教师", mobile: "13800005001",
                email: nil, wechat: "zhaoqiang_pe"),
            Row(account: "s110101", name: "陈思远", departments: [g1c1], title: "一年级一班家长",
                mobile: "13900110101", email: nil, wechat: nil),
            Row(account: "s110102", name: "林小雨", departments: [g1c1], title: "一年级一班家长",
                mobile: "13900110102", email: "linxiaoyu@family.example.com", wechat: nil),
            Row(account: "s110201", name: "黄子涵", departments: [g1c2], title: "一年级二班家长",
                mobile: "13900110201", email: nil, wechat: nil),
            Row(account: "s120101", name: "周博文", departments: [g2c1], title: "二年级一班家长",
                mobile: "13900120101", email: nil, wechat: "zhou_bowen"),
            Row(account: "a200101", name: "吴雨桐", departments: [alumniC1], title: "2020级一班校友",
                mobile: nil, email: "wuyutong@alumni.example.com", wechat: nil),
            Row(account: "w0001", name: "李专成", departments: [management], title: "行政经理",
                mobile: "13700000001", email: "lizhuancheng@shunda.example.com", wechat: nil, pinned: true),
            Row(account: "w0002", name: "周海涛", departments: [management], title: "总经理", mobile: "13700000002",
                email: "zhouhaitao@shunda.example.com", wechat: nil),
            Row(account: "w1001", name: "孙立", departments: [beijing], title: "站长", mobile: "13700001001",
                email: "sunli@shunda.example.com", wechat: nil),
            Row(account: "w1002", name: "马超", departments: [beijing], title: "快递员", mobile: "13700001002",
                email: nil, wechat: nil),
            Row(account: "w2001", name: "吴敏", departments: [shanghai], title: "站长", mobile: "13700002001",
                email: "wumin@shunda.example.com", wechat: nil),
            Row(account: "w2002", name: "郑浩", departments: [shanghai], title: "快递员", mobile: nil, email: nil,
                wechat: "zhenghao_sh"),
            Row(account: "w3001", name: "黄丽娟", departments: [guangzhou], title: "站长", mobile: "13700003001",
                email: "huanglijuan@shunda.example.com", wechat: nil),
            Row(account: "w3002", name: "何志明", departments: [guangzhou], title: "快递员", mobile: "13700003002",
                email: nil, wechat: nil),
        ]
        for row in rows {
            let account = try! Account(parsing: row.account)
            var m = Member(
                account: account, name: row.name, departments: row.departments, mobile: row.mobile,
                email: row.email, wechat: row.wechat, title: row.title)
            m.pinned = row.pinned
            m.passwordHash = hasher.hash("Pw-\(row.account)")
            model.put(m)
        }

        // A departed courier: kept, invisible but to admins, cannot bind.
        var departed = Member(
            account: try! Account(parsing: "w1003"), name: "钱多多", departments: [beijing], mobile: "13700001003",
            title: "快递员")
        departed.status = .departed(at: departed.created.time, by: "cn=admin", previousDepartments: [beijing])
        departed.passwordHash = hasher.hash("Pw-w1003")
        model.put(departed)

        var leaders = model.department(management)!
        leaders.leaders = [try! Account(parsing: "w0002")]
        model.put(leaders)
        var principal = model.department(admin)!
        principal.leaders = [try! Account(parsing: "t1001")]
        model.put(principal)

        func accounts(_ list: [String]) -> [Account] { list.map { try! Account(parsing: $0) } }
        model.put(Group(name: "语文教研组", description: "语文教师教研活动", members: accounts(["t2001", "t2002"])))
        model.put(Group(name: "安全委员会", description: "校园与运输安全", members: accounts(["t1001", "w0001", "w1001"])))
        model.put(Group(name: "年会筹备组", description: "年会项目组", members: accounts(["w0002", "w2001", "w3001"])))

        model.put(Administrator(name: "admin", role: .superAdmin, passwordHash: hasher.hash("secret")))
        model.put(
            Administrator(
                name: "物流管理员", role: .subAdmin(scopes: [company]), passwordHash: hasher.hash("Admin-logistics"),
                boundMember: try! Account(parsing: "w0001")))
        model.put(
            Administrator(
                name: "gitlab", role: .service(scopes: [], attributes: nil), passwordHash: hasher.hash("Svc-gitlab")))
        return model
    }
}
