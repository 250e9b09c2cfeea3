import Directory
import Testing

/// The admin backend's advanced search: each criterion on a small hand-built directory, the
/// viewer's scope, and no narrowing on a field the viewer cannot see.
@Suite struct MemberQueryTests {
    /// 营销中心 (张三 zhangsan: title 销售经理, 男, born 1990-03-15, hired 2020-01-10, following;
    /// 李四 lisi: 销售, 女, born 1992-03-01, hired 2021-06-30), 研发部 in a hidden subtree
    /// 机密 (王五 wangwu: 工程师, 男, born 1988-11-11, hired 2019-02-01), 市场部 (赵六 zhaoliu, departed).
    static func model() -> DirectoryModel {
        var m = DirectoryModel(organization: "测试")
        m.run(.createDepartment(DepartmentDraft(name: "营销中心", parent: .root)))
        m.run(.createDepartment(DepartmentDraft(name: "机密", parent: .root, hidden: true)))
        m.run(.createDepartment(DepartmentDraft(name: "研发部", parent: m.id("机密"))))
        m.run(.createDepartment(DepartmentDraft(name: "市场部", parent: .root)))
        m.run(.createMember(
            account: "zhangsan",
            fields: [.name: "张三", .title: "销售经理", .gender: "男", .birthday: "1990-03-15", .hireDate: "2020-01-10",
                     .mobile: "13800138000", .followStatus: "已关注"],
            departments: [m.id("营销中心")], passwordHash: nil))
        m.run(.createMember(
            account: "lisi",
            fields: [.name: "李四", .title: "销售", .gender: "女", .birthday: "1992-03-01", .hireDate: "2021-06-30",
                     .mobile: "13900139000"],
            departments: [m.id("营销中心")], passwordHash: nil))
        m.run(.createMember(
            account: "wangwu",
            fields: [.name: "王五", .title: "工程师", .gender: "男", .birthday: "1988-11-11", .hireDate: "2019-02-01", .email: "wangwu@example.com"],
            departments: [m.id("机密->研发部")], passwordHash: nil))
        m.run(.createMember(account: "zhaoliu", fields: [.name: "赵六", .title: "销售", .email: "zhaoliu@example.com"], departments: [m.id("市场部")], passwordHash: nil))
        m.run(.depart(acct("zhaoliu")))
        m.run(.putAdministrator(Administrator(name: "admin", role: .superAdmin)))
        m.run(.putAdministrator(Administrator(name: "yx", role: .subAdmin(scopes: [m.id("营销中心")]))))
        // Every setup command took: four members (one departed), both administrators.
        precondition(m.memberCount == 4 && m.member("zhaoliu")?.isActive == false)
        precondition(m.administrator("admin") != nil && m.administrator("yx") != nil)
        return m
    }

    func accounts(_ q: MemberQuery, as viewer: Viewer, in m: DirectoryModel = model()) throws -> [String] {
        try q.run(Visibility(viewer: viewer, model: m)).members.map(\.account.value)
    }

    let root = Viewer.administrator("admin")

    @Test func eachCriterion() throws {
        #expect(try accounts(MemberQuery(), as: root) == ["lisi", "wangwu", "zhangsan"])
        #expect(try accounts(MemberQuery(account: "SAN"), as: root) == ["zhangsan"])
        #expect(try accounts(MemberQuery(text: "zs"), as: root) == ["zhangsan"])
        #expect(try accounts(MemberQuery(text: "李"), as: root) == ["lisi"])
        #expect(try accounts(MemberQuery(text: "wang"), as: root) == ["wangwu"])
        #expect(try accounts(MemberQuery(text: "0139"), as: root) == ["lisi"])
        #expect(try accounts(MemberQuery(title: "销售"), as: root) == ["lisi", "zhangsan"])
        #expect(try accounts(MemberQuery(gender: "男"), as: root) == ["wangwu", "zhangsan"])
        #expect(try accounts(MemberQuery(followStatus: .following), as: root) == ["zhangsan"])
        #expect(try accounts(MemberQuery(birthdayMonth: 3), as: root) == ["lisi", "zhangsan"])
        #expect(try accounts(MemberQuery(birthdayMonth: 11), as: root) == ["wangwu"])
        #expect(try accounts(MemberQuery(hiredFrom: "2020-01-10", hiredTo: "2021-06-29"), as: root) == ["zhangsan"])
        #expect(try accounts(MemberQuery(hiredTo: "2019-12-31"), as: root) == ["wangwu"])
        let m = Self.model()
        #expect(try accounts(MemberQuery(department: m.id("机密")), as: root, in: m) == ["wangwu"])
        #expect(try accounts(MemberQuery(title: "销售", gender: "女"), as: root) == ["lisi"])
    }

    @Test func departedOnRequest() throws {
        #expect(try accounts(MemberQuery(status: .departed), as: root) == ["zhaoliu"])
        #expect(try accounts(MemberQuery(title: "销售", status: .any), as: root) == ["lisi", "zhangsan", "zhaoliu"])
        let m = Self.model()
        // A departed member is found under the department it left.
        #expect(try accounts(MemberQuery(department: m.id("市场部"), status: .any), as: root, in: m) == ["zhaoliu"])
    }

    @Test func subAdminSeesItsScopeOnly() throws {
        let yx = Viewer.administrator("yx")
        #expect(try accounts(MemberQuery(), as: yx) == ["lisi", "zhangsan"])
        #expect(try accounts(MemberQuery(gender: "男"), as: yx) == ["zhangsan"])
        #expect(try accounts(MemberQuery(status: .departed), as: yx) == [])
        let m = Self.model()
        #expect(try accounts(MemberQuery(department: m.id("机密")), as: yx, in: m) == [])
    }

    @Test func memberCannotNarrowOnHiddenFields() throws {
        var m = Self.model()
        m.run(.setFieldPolicy(.birthday, FieldPolicy.Rule(shown: false, selfEditable: true)))
        m.run(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: true)))
        let lisi = Viewer.member(acct("lisi"))
        // 王五 is in a hidden department: never a result for lisi.
        #expect(try accounts(MemberQuery(gender: "男"), as: lisi, in: m) == ["zhangsan"])
        // Birthday and mobile are not shown: lisi matches on her own values, never on zhangsan's.
        #expect(try accounts(MemberQuery(birthdayMonth: 3), as: lisi, in: m) == ["lisi"])
        #expect(try accounts(MemberQuery(text: "13800"), as: lisi, in: m) == [])
        #expect(try accounts(MemberQuery(text: "13900"), as: lisi, in: m) == ["lisi"])
    }

    @Test func badCriteriaAreNamed() {
        #expect(throws: DirectoryError.self) { try MemberQuery(birthdayMonth: 13).run(Visibility(viewer: root, model: Self.model())) }
        do {
            _ = try MemberQuery(hiredFrom: "2023-02-30").run(Visibility(viewer: root, model: Self.model()))
            Issue.record("2023-02-30 accepted")
        } catch {
            #expect(error.message.contains("2023-02-30"))
        }
        do {
            _ = try MemberQuery(hiredFrom: "2022-01-01", hiredTo: "2021-01-01").run(Visibility(viewer: root, model: Self.model()))
            Issue.record("reversed range accepted")
        } catch {
            #expect(error.message.contains("ends before it starts"))
        }
    }

    @Test func limitKeepsTheTotal() throws {
        let (members, total) = try MemberQuery().run(Visibility(viewer: root, model: Self.model()), limit: 1)
        #expect(members.map(\.account.value) == ["lisi"])
        #expect(total == 3)
    }
}
