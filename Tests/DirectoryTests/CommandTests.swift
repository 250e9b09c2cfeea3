import Directory
import Testing

/// A small organisation: 营销中心 (大客户部, 市场部), 技术部.
func sampleModel() -> DirectoryModel {
    var m = DirectoryModel(organization: "示例")
    m.run(.createDepartment(DepartmentDraft(name: "营销中心", parent: .root, order: 1)))
    m.run(.createDepartment(DepartmentDraft(name: "大客户部", parent: m.id("营销中心"))))
    m.run(.createDepartment(DepartmentDraft(name: "市场部", parent: m.id("营销中心"))))
    m.run(.createDepartment(DepartmentDraft(name: "技术部", parent: .root, order: 2)))
    m.run(.createMember(account: "zhangsan001", fields: [.name: "张三", .mobile: "13800138000", .email: "zs@example.com"], departments: [m.id("营销中心->大客户部")], passwordHash: "{TEST}pw"))
    m.run(.createMember(account: "lisi", fields: [.name: "李四", .wechat: "lisi_wx"], departments: [m.id("营销中心->市场部"), m.id("技术部")], passwordHash: nil))
    _ = m.takeChanges()
    return m
}

@Suite struct CommandRuleTests {
    @Test func theBadInputListEachGetsItsRule() {
        var m = sampleModel()
        let sales = m.id("营销中心")
        #expect(m.run(.createMember(account: "ZhangSan001", fields: [.name: "x", .email: "x@y.com"], departments: [], passwordHash: nil))
            == "account: ZhangSan001 already exists as zhangsan001 (accounts ignore case)")
        #expect(m.run(.createMember(account: "a b", fields: [.name: "x", .email: "x@y.com"], departments: [], passwordHash: nil))
            == "account: a b may contain only letters, digits and _ - . @")
        #expect(m.run(.createMember(account: "_ab", fields: [.name: "x", .email: "x@y.com"], departments: [], passwordHash: nil))
            == "account: _ab must start with a letter or digit")
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [.account: "zhangsan002"]))
            == "account: accounts are immutable (zhangsan001 cannot become zhangsan002)")
        #expect(m.run(.createMember(account: "wang", fields: [.name: "王五", .wechat: "13800138000"], departments: [], passwordHash: nil))
            == "wechat: 13800138000 is all digits; a WeChat id starts with a letter — this looks like a mobile number, put it in the mobile field")
        #expect(m.run(.createMember(account: "wang", fields: [.name: "王五"], departments: [], passwordHash: nil))
            == "contact: wang needs at least one of wechat, mobile and email")
        #expect(m.run(.createMember(account: "wang", fields: [.name: "王五", .mobile: "138-0013-8000"], departments: [], passwordHash: nil))
            == "mobile: 138-0013-8000 is already used by zhangsan001")
        #expect(m.run(.createMember(account: "wang", fields: [.name: "王五", .email: "ZS@example.com"], departments: [], passwordHash: nil))
            == "email: ZS@example.com is already used by zhangsan001")
        let wide = String(repeating: "营", count: 25) + "a"
        #expect(m.run(.createDepartment(DepartmentDraft(name: wide, parent: sales)))
            == "department: \(wide) is 51 columns wide; at most 50 are allowed (a CJK character counts as two)")
        #expect(m.run(.createDepartment(DepartmentDraft(name: "市场部", parent: sales)))
            == "department: 营销中心 already has a sub-department named 市场部")
        #expect(m.run(.deleteDepartment(m.id("营销中心->大客户部")))
            == "department: 营销中心->大客户部 has 1 member; only an empty department can be deleted")
        #expect(m.run(.deleteDepartment(sales))
            == "department: 营销中心 has 2 sub-departments; only an empty department can be deleted")
        #expect(m.run(.erase(acct("lisi")))
            == "account: lisi is active; only a departed member can be erased (depart them first)")
        #expect(m.run(.moveDepartment(sales, to: m.id("营销中心->市场部")))
            == "department: cannot move 营销中心 under its own sub-department 营销中心->市场部")
        #expect(m.run(.moveDepartment(sales, to: sales)) == "department: cannot move 营销中心 under itself")
        #expect(m.run(.updateMember(acct("lisi"), fields: [.wechat: nil]))
            == "contact: lisi needs at least one of wechat, mobile and email")
    }

    @Test func atMostFifteenLevels() {
        var m = DirectoryModel(organization: "深")
        var parent = DepartmentID.root
        for level in 1...15 {
            #expect(m.run(.createDepartment(DepartmentDraft(name: "L\(level)", parent: parent))) == nil)
            parent = m.child(of: parent, named: "L\(level)")!.id
        }
        let path = (1...15).map { "L\($0)" }.joined(separator: "->")
        #expect(m.run(.createDepartment(DepartmentDraft(name: "L16", parent: parent)))
            == "department: \(path)->L16 would be level 16; at most 15 levels are allowed")
        // Moving a two-level subtree under level 14 would make level 16 too.
        #expect(m.run(.createDepartment(DepartmentDraft(name: "A", parent: .root))) == nil)
        #expect(m.run(.createDepartment(DepartmentDraft(name: "B", parent: m.id("A")))) == nil)
        let l14 = m.id((1...14).map { "L\($0)" }.joined(separator: "->"))
        #expect(m.run(.moveDepartment(m.id("A"), to: l14))?.contains("would make level 16") == true)
    }

    @Test func departureKeepsTheDataAndReinstatementRestoresIt() throws {
        var m = sampleModel()
        #expect(m.run(.createGroup(name: "项目组", description: nil, members: [acct("zhangsan001"), acct("lisi")])) == nil)
        #expect(m.run(.depart(acct("lisi"))) == nil)
        let departed = try #require(m.member("lisi"))
        #expect(!departed.isActive)
        #expect(departed.wechat == "lisi_wx")
        #expect(m.members(in: m.id("技术部")).isEmpty)
        #expect(m.run(.depart(acct("lisi"))) == "account: lisi has already departed")
        #expect(m.run(.reinstate(acct("lisi"), into: nil)) == nil)
        #expect(m.member("lisi")?.departments == [m.id("营销中心->市场部"), m.id("技术部")])
        #expect(m.group("项目组")?.members.contains(acct("lisi")) == true)
        #expect(m.run(.reinstate(acct("lisi"), into: nil)) == "account: lisi is active; only a departed member can be reinstated")
    }

    @Test func reinstatingIntoADepartmentThatNoLongerExists() {
        var m = sampleModel()
        #expect(m.run(.depart(acct("zhangsan001"))) == nil)
        #expect(m.run(.deleteDepartment(m.id("营销中心->大客户部"))) == nil)
        #expect(m.run(.reinstate(acct("zhangsan001"), into: nil))
            == "department: none of zhangsan001's previous departments exists any more; reinstate into a given department")
        #expect(m.run(.reinstate(acct("zhangsan001"), into: [DepartmentID(999)])) == "department: no department with id 999")
        #expect(m.run(.reinstate(acct("zhangsan001"), into: [m.id("技术部")])) == nil)
    }

    @Test func erasureIsOnlyForDepartedMembersAndLeavesNoDanglingReferences() {
        var m = sampleModel()
        #expect(m.run(.createGroup(name: "项目组", description: nil, members: [acct("zhangsan001")])) == nil)
        #expect(m.run(.updateDepartment(m.id("营销中心->大客户部"), DepartmentChanges(leaders: [acct("zhangsan001")]))) == nil)
        #expect(m.run(.depart(acct("zhangsan001"))) == nil)
        #expect(m.run(.erase(acct("zhangsan001"))) == nil)
        #expect(m.member("zhangsan001") == nil)
        #expect(m.group("项目组")?.members == [])
        #expect(m.department(m.id("营销中心->大客户部"))?.leaders == [])
        #expect(m.member(mobile: "13800138000") == nil)
        // The account is free again.
        #expect(m.run(.createMember(account: "zhangsan001", fields: [.name: "张三", .mobile: "13800138000"], departments: [], passwordHash: nil)) == nil)
    }

    /// Found by review: group and administrator names took BEL and U+202E (which let an
    /// administrator's name spoof the audit log); department and member names refused them.
    @Test func groupAndAdministratorNamesRefuseControlAndInvisibleCharacters() {
        var m = sampleModel()
        for bad in ["ctl\u{07}g", "g\u{202E}x", "zero\u{200B}width"] {
            #expect(m.run(.createGroup(name: bad, description: nil, members: [])).map { $0.contains("control and invisible characters") } == true)
            #expect(
                m.run(.putAdministrator(Administrator(name: bad, role: .subAdmin(scopes: [.root]))))
                    .map { $0.contains("control and invisible characters") } == true)
        }
        #expect(m.run(.createGroup(name: "项目组", description: nil, members: [])) == nil)
        #expect(m.run(.updateGroup("项目组", newName: "项目\u{202E}组", description: nil)).map { $0.contains("control and invisible") } == true)
        #expect(m.run(.putAdministrator(Administrator(name: "分管理员", role: .subAdmin(scopes: [.root])))) == nil)
    }

    @Test func nothingIsHalfApplied() {
        var m = sampleModel()
        let before = m.dump
        #expect(m.run(.updateMember(acct("lisi"), fields: [.title: "经理", .mobile: "13800138000"])) != nil)
        #expect(m.dump == before)
        #expect(m.member("lisi")?.title == nil)
        #expect(m.run(.addGroupMembers("nope", [acct("lisi")])) == "group: nope does not exist")
        #expect(m.run(.createGroup(name: "g", description: nil, members: [acct("lisi"), acct("ghost")])) == "account: ghost does not exist")
        #expect(m.group("g") == nil)
        #expect(m.dump == before)
    }

    @Test func membersEditOnlyTheirOwnSelfEditableFields() {
        var m = sampleModel()
        let me = CommandContext(actor: "uid=lisi", source: "test", role: .member(acct("lisi")))
        #expect(m.run(.updateMember(acct("lisi"), fields: [.nickname: "小李", .phone: "010-1234567"]), as: me) == nil)
        #expect(m.run(.updateMember(acct("lisi"), fields: [.title: "CEO"]), as: me) == "title: is not self-editable; ask an administrator")
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [.nickname: "x"]), as: me) == "insufficient access to member zhangsan001")
        var proven = me
        proven.currentPasswordVerified = true
        #expect(m.run(.setPassword(acct("lisi"), hash: "{TEST}new"), as: proven) == nil)
        #expect(m.run(.createDepartment(DepartmentDraft(name: "x", parent: .root)), as: me) == "insufficient access to this department")
        m.run(.setFieldPolicy(.title, FieldPolicy.Rule(shown: true, selfEditable: true)))
        #expect(m.run(.updateMember(acct("lisi"), fields: [.title: "工程师"]), as: me) == nil)
    }

    @Test func subAdminsWorkInsideTheirSubtreesOnly() {
        var m = sampleModel()
        let sub = CommandContext(actor: "cn=营销管理员", source: "test", role: .subAdmin([m.id("营销中心")]))
        #expect(m.run(.createDepartment(DepartmentDraft(name: "华北区", parent: m.id("营销中心"))), as: sub) == nil)
        #expect(m.run(.createDepartment(DepartmentDraft(name: "x", parent: m.id("技术部"))), as: sub) == "insufficient access to this department")
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [.title: "经理"]), as: sub) == nil)
        // lisi is also in 技术部, outside the sub-admin's subtree.
        #expect(m.run(.updateMember(acct("lisi"), fields: [.title: "经理"]), as: sub) == "insufficient access to member lisi")
        #expect(m.run(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: false)), as: sub)
            == "insufficient access: only the super admin may change the field policy")
        let readOnly = CommandContext(actor: "cn=gitlab", source: "test", role: .readOnly)
        #expect(m.run(.depart(acct("zhangsan001")), as: readOnly) == "insufficient access to member zhangsan001")
    }

    /// The department order is kept by binary insertion: after random adds, renames, pins,
    /// moves and departures it equals a full sort written here from the rule (pinned first, then
    /// pinyin, then account).
    @Test func incrementalOrderEqualsAFullSort() {
        var m = DirectoryModel(organization: "序")
        m.run(.createDepartment(DepartmentDraft(name: "甲", parent: .root)))
        m.run(.createDepartment(DepartmentDraft(name: "乙", parent: .root)))
        let ids = [m.id("甲"), m.id("乙")]
        var rng = SplitMix(state: 7)
        let names = ["张三", "李四", "王五", "赵六", "阿强", "曾乐", "单田", "Zoe", "bob", "张三丰", "李", "欧阳娜"]
        for i in 0..<300 {
            let a = "u\(Int.random(in: 0..<60, using: &rng))"
            switch Int.random(in: 0..<5, using: &rng) {
            case 0, 1:
                m.run(.createMember(
                    account: a, fields: [.name: names.randomElement(using: &rng)!, .email: "\(a)@x.com"],
                    departments: [ids.randomElement(using: &rng)!], passwordHash: nil))
            case 2: m.run(.updateMember(acct(a), fields: [.name: names.randomElement(using: &rng)!]))
            case 3: m.run(.updateMember(acct(a), fields: [.pinned: Bool.random(using: &rng) ? "yes" : "no"]))
            default:
                if i % 3 == 0 { m.run(.depart(acct(a))) } else { m.run(.setDepartments(acct(a), Array(ids.shuffled(using: &rng).prefix(Int.random(in: 1...2, using: &rng))))) }
            }
        }
        for d in ids {
            let got = m.members(in: d).map(\.account.key)
            let expected = m.allMembers.filter { $0.isActive && $0.departments.contains(d) }.sorted { x, y in
                if x.pinned != y.pinned { return x.pinned }
                let px = PinyinName(x.name).compact, py = PinyinName(y.name).compact
                return px != py ? px < py : x.account.key < y.account.key
            }.map(\.account.key)
            #expect(got == expected)
            #expect(!got.isEmpty)
        }
    }

    @Test func orderingPutsPinnedFirstThenPinyin() {
        var m = sampleModel()
        let d = m.id("技术部")
        m.run(.createMember(account: "a1", fields: [.name: "赵六", .email: "a1@x.com"], departments: [d], passwordHash: nil))
        m.run(.createMember(account: "a2", fields: [.name: "阿强", .email: "a2@x.com"], departments: [d], passwordHash: nil))
        m.run(.createMember(account: "a3", fields: [.name: "王五", .email: "a3@x.com", .pinned: "yes"], departments: [d], passwordHash: nil))
        #expect(m.members(in: d).map(\.account.value) == ["a3", "a2", "lisi", "a1"])
        m.run(.createDepartment(DepartmentDraft(name: "后端", parent: d, order: 2)))
        m.run(.createDepartment(DepartmentDraft(name: "前端", parent: d, order: 1)))
        #expect(m.children(of: d).map { m.department($0)!.name } == ["前端", "后端"])
    }

    @Test func auditRecordsSayWhoWhatBeforeAndAfter() throws {
        var m = sampleModel()
        let r = try m.apply(.updateMember(acct("lisi"), fields: [.title: "经理"]), by: admin)
        #expect(r.action == "member.update")
        #expect(r.target == "lisi")
        #expect(r.before["title"] == nil)
        #expect(r.after["title"] == "经理")
        #expect(r.actor == admin.actor)
        let pw = try m.apply(.setPassword(acct("lisi"), hash: "{TEST}secret"), by: admin)
        #expect(!pw.after.values.contains { $0.contains("secret") })
    }
}
