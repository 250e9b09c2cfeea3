import Directory
import Foundation
import Testing

/// One authorisation core (issue 8, item 3): the domain maps an identity to rights, department
/// ids are never reused, and a scope naming a deleted department grants nothing.
@Suite struct AuthorizationTests {
    func withSubAdmin(_ scope: String = "营销中心") -> DirectoryModel {
        var m = sampleModel()
        m.run(.putAdministrator(Administrator(name: "营销管理员", role: .subAdmin(scopes: [m.id(scope)]))))
        m.run(.putAdministrator(Administrator(name: "gitlab", role: .service(scopes: [], attributes: nil))))
        return m
    }

    @Test func theDomainMapsEachIdentityToItsRights() {
        var m = withSubAdmin()
        #expect(m.role(of: .anonymous) == .readOnly)
        #expect(m.role(of: .member(acct("lisi"))) == .member(acct("lisi")))
        #expect(m.role(of: .member(acct("ghost"))) == .readOnly, "an unknown member writes nothing")
        #expect(m.role(of: .administrator("admin")) == .readOnly, "no super admin in this model")
        m.run(.putAdministrator(Administrator(name: "admin", role: .superAdmin)))
        #expect(m.role(of: .administrator("admin")) == .superAdmin)
        #expect(m.role(of: .administrator("营销管理员")) == .subAdmin([m.id("营销中心")]))
        #expect(m.role(of: .administrator("gitlab")) == .readOnly, "a service account is read-only")
        m.run(.depart(acct("lisi")))
        #expect(m.role(of: .member(acct("lisi"))) == .readOnly, "a departed member writes nothing")
    }

    @Test func aViewerContextGetsItsRightsFromTheModelItIsAppliedTo() {
        var m = withSubAdmin()
        let ctx = CommandContext(actor: "cn=营销管理员,cn=admins,dc=example,dc=com", source: "test", viewer: .administrator("营销管理员"))
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [.title: "经理"]), as: ctx) == nil)
        #expect(m.run(.updateMember(acct("lisi"), fields: [.title: "经理"]), as: ctx) == "insufficient access to member lisi")
        // The scope changes; the same context now has the new rights.
        m.run(.putAdministrator(Administrator(name: "营销管理员", role: .subAdmin(scopes: [m.id("技术部")]))))
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [.title: "总监"]), as: ctx) == "insufficient access to member zhangsan001")
    }

    @Test func aDeletedDepartmentsIdIsNeverGivenAgain() {
        var m = sampleModel()
        m.run(.createDepartment(DepartmentDraft(name: "临时", parent: .root)))
        let old = m.id("临时")
        m.run(.deleteDepartment(old))
        m.run(.createDepartment(DepartmentDraft(name: "新部门", parent: .root)))
        #expect(m.id("新部门") != old)
        #expect(m.id("新部门").rawValue > old.rawValue)
    }

    @Test(arguments: StoreConformanceTests.kinds)
    func departmentIdsAreNeverReusedAcrossReloadsAndWriters(kind: StoreKind) throws {
        let (store, reopen) = try kind.make(sampleModel())
        let server = try DirectoryService(store: store)
        let cli = try DirectoryService(store: try reopen())
        // The newest department is created and deleted by another writer.
        try cli.execute(.createDepartment(DepartmentDraft(name: "临时", parent: .root)), by: admin)
        let old = cli.live.snapshot().id("临时")
        try cli.execute(.deleteDepartment(old), by: admin)
        // A reload, and a writer that only catches up, both continue the sequence.
        let reloaded = try DirectoryService(store: try reopen())
        try reloaded.execute(.createDepartment(DepartmentDraft(name: "甲", parent: .root)), by: admin)
        #expect(reloaded.live.snapshot().id("甲") != old)
        try server.execute(.createDepartment(DepartmentDraft(name: "乙", parent: .root)), by: admin)
        let ids = try DirectoryService(store: try reopen()).live.snapshot()
        #expect(ids.id("乙") != old)
        #expect(ids.id("乙") != ids.id("甲"))
    }

    @Test func deletingAnAdministratorsScopeIsRefusedNamingTheAdmin() {
        var m = sampleModel()
        m.run(.createDepartment(DepartmentDraft(name: "华北区", parent: .root)))
        m.run(.putAdministrator(Administrator(name: "营销管理员", role: .subAdmin(scopes: [m.id("华北区")]))))
        #expect(m.run(.deleteDepartment(m.id("华北区")))
            == "department: 华北区 is the scope of sub-admin 营销管理员; remove it from the scope first")
        m.run(.putAdministrator(Administrator(name: "营销管理员", role: .subAdmin(scopes: [m.id("技术部")]))))
        m.run(.putAdministrator(Administrator(name: "gitlab", role: .service(scopes: [m.id("华北区")], attributes: nil))))
        #expect(m.run(.deleteDepartment(m.id("华北区")))
            == "department: 华北区 is the scope of service gitlab; remove it from the scope first")
        m.run(.putAdministrator(Administrator(name: "gitlab", role: .service(scopes: [m.id("技术部")], attributes: nil))))
        #expect(m.run(.deleteDepartment(m.id("华北区"))) == nil, "once no scope names it, it can go")
    }

    /// A scope left pointing at a deleted department (a database from before the refusal) grants
    /// nothing: not the department's old subtree, not a departed member who was in it.
    @Test func aScopeNamingADeletedDepartmentGrantsNothing() {
        var m = sampleModel()
        m.run(.createDepartment(DepartmentDraft(name: "华北区", parent: .root)))
        let gone = m.id("华北区")
        m.run(.createMember(account: "wangwu", fields: [.name: "王五", .email: "ww@x.com"], departments: [gone], passwordHash: nil))
        m.run(.putAdministrator(Administrator(name: "华北管理员", role: .subAdmin(scopes: [gone]))))
        m.run(.putAdministrator(Administrator(name: "华北服务", role: .service(scopes: [gone], attributes: nil))))
        m.run(.depart(acct("wangwu")))
        m.removeDepartment(gone)  // as an old database may hold it
        let role = ActorRole.subAdmin([gone])
        #expect(!m.mayAdminister(department: gone, as: role))
        #expect(!m.isDepartment(gone, within: gone), "a deleted department contains nothing")
        #expect(!m.mayAdminister(member: m.member("wangwu")!, as: role), "a departed member's deleted department grants nothing")
        #expect(m.role(of: .administrator("华北管理员")) == .subAdmin([]))
        let ctx = CommandContext(actor: "cn=华北管理员", source: "test", viewer: .administrator("华北管理员"))
        #expect(m.run(.erase(acct("wangwu")), as: ctx) == "insufficient access to member wangwu")
        #expect(m.run(.reinstate(acct("wangwu"), into: [m.id("技术部")]), as: ctx) == "insufficient access to member wangwu")
        // Nor does it let them read: not the departed member, not (for the service) anything.
        let sub = Visibility(viewer: .administrator("华北管理员"), model: m)
        #expect(!sub.canSee(member: m.member("wangwu")!), "a sub-admin whose scope is gone sees no one through it")
        let service = Visibility(viewer: .administrator("华北服务"), model: m)
        #expect(!service.canSee(member: m.member("zhangsan") ?? m.allMembers.first { $0.isActive }!), "a service whose scopes are all gone reads nothing, not everything")
        // The super admin still can.
        #expect(m.run(.reinstate(acct("wangwu"), into: [m.id("技术部")])) == nil)
    }

    @Test func aMissingDepartmentsPathIsNeverTheRoot() {
        var m = sampleModel()
        #expect(m.pathString(of: .root) == "/")
        #expect(m.pathString(of: DepartmentID(999)) == "(deleted department 999)")
        m.run(.createDepartment(DepartmentDraft(name: "华北区", parent: .root)))
        let id = m.id("华北区")
        m.removeDepartment(id)
        #expect(m.pathString(of: id) == "(deleted department \(id))")
    }

    // MARK: - Passwords follow the policy (issue 8, item 6)

    @Test func aMemberChangesTheirOwnPasswordOnlyWithTheCurrentOne() throws {
        var m = sampleModel()
        let me = CommandContext(actor: "uid=zhangsan001", source: "test", role: .member(acct("zhangsan001")))
        var proven = me
        proven.currentPasswordVerified = true
        #expect(m.run(.setPassword(acct("zhangsan001"), hash: "{TEST}new"), as: me) == "password: give the current password to change it")
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [:], passwordHash: "{TEST}new"), as: me)
            == "password: give the current password to change it")
        do {
            _ = try m.apply(.setPassword(acct("zhangsan001"), hash: "{TEST}new"), by: me)
            Issue.record("changed without the current password")
        } catch {
            #expect(error.code == .currentPasswordRequired)
        }
        #expect(m.member("zhangsan001")?.passwordHash == "{TEST}pw", "nothing changed")
        #expect(m.run(.setPassword(acct("zhangsan001"), hash: "{TEST}new"), as: proven) == nil)
        #expect(m.member("zhangsan001")?.passwordHash == "{TEST}new")
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [.nickname: "小张"], passwordHash: "{TEST}newer"), as: proven) == nil)
        #expect(m.member("zhangsan001")?.passwordHash == "{TEST}newer")
    }

    @Test func withPasswordNotSelfEditableNoCommandLetsAMemberChangeIt() {
        var m = sampleModel()
        m.run(.setFieldPolicy(.password, FieldPolicy.Rule(shown: false, selfEditable: false)))
        var me = CommandContext(actor: "uid=zhangsan001", source: "test", role: .member(acct("zhangsan001")))
        me.currentPasswordVerified = true
        #expect(m.run(.setPassword(acct("zhangsan001"), hash: "{TEST}new"), as: me) == "password: is not self-editable; ask an administrator")
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [:], passwordHash: "{TEST}new"), as: me)
            == "password: is not self-editable; ask an administrator")
        #expect(m.run(.updateMember(acct("zhangsan001"), fields: [.nickname: "小张"], passwordHash: "{TEST}new"), as: me)
            == "password: is not self-editable; ask an administrator")
        #expect(m.member("zhangsan001")?.passwordHash == "{TEST}pw")
        #expect(m.member("zhangsan001")?.nickname == nil, "nothing half-applied")
    }

    @Test func anAdministratorInScopeResetsAPasswordWithoutTheCurrentOne() {
        var m = withSubAdmin()
        m.run(.setFieldPolicy(.password, FieldPolicy.Rule(shown: false, selfEditable: false)))
        let sub = CommandContext(actor: "cn=营销管理员", source: "test", viewer: .administrator("营销管理员"))
        #expect(m.run(.setPassword(acct("zhangsan001"), hash: "{TEST}reset"), as: sub) == nil)
        #expect(m.member("zhangsan001")?.passwordHash == "{TEST}reset")
        #expect(m.run(.setPassword(acct("lisi"), hash: "{TEST}reset"), as: sub) == "insufficient access to member lisi")
        #expect(m.run(.setPassword(acct("lisi"), hash: "{TEST}reset")) == nil, "the super admin resets anyone's")
        let other = CommandContext(actor: "uid=lisi", source: "test", role: .member(acct("lisi")), currentPasswordVerified: true)
        #expect(m.run(.setPassword(acct("zhangsan001"), hash: "{TEST}x"), as: other) == "insufficient access to member zhangsan001")
    }

    @Test func passwordRulesNameTheFieldAndTheRule() throws {
        let loose = PasswordPolicy(minimumLength: 6, requiredClasses: 1)
        #expect(throws: DirectoryError.self) { try PasswordRules.check("12345", policy: loose) }
        do {
            try PasswordRules.check("12345", policy: loose)
        } catch {
            #expect(error.message == "password: at least 6 characters are required")
            #expect(error.field == .password)
        }
        try PasswordRules.check("123456", policy: loose)
        #expect(PasswordPolicy().minimumLength == 8, "the documented default")
        // Found by review: a megabyte, a NUL and six spaces were accepted as passwords.
        func refusal(_ p: String, _ policy: PasswordPolicy = loose) -> String? {
            do {
                try PasswordRules.check(p, policy: policy)
                return nil
            } catch { return error.message }
        }
        #expect(refusal(String(repeating: "a", count: 257)) == "password: at most 256 characters are allowed")
        #expect(refusal("abc\u{0}def")?.contains("control and invisible characters") == true)
        #expect(refusal("abc\ndefg")?.contains("control and invisible characters") == true)
        #expect(refusal("      ") == "password: a password of only spaces is not allowed")
        #expect(refusal("abc\u{202E}defg")?.contains("invisible characters") == true)
        #expect(refusal("abc\u{200B}defg")?.contains("invisible characters") == true)
        #expect(refusal("correct horse battery staple 密码", PasswordPolicy()) == nil)
    }

    /// A sub-admin cannot let the members of its departments read beyond what they read now
    /// (found by review: `rosterVisibility: all` on its own scope root).
    @Test func aSubAdminCannotWidenWhatMembersSee() {
        var m = DirectoryModel(organization: "示例")
        m.run(.createDepartment(DepartmentDraft(name: "网点", parent: .root, scope: .subdepartment)))
        m.run(.createDepartment(DepartmentDraft(name: "北京", parent: m.id("网点"))))
        m.run(.createDepartment(DepartmentDraft(name: "总部", parent: .root)))
        m.run(.createDepartment(DepartmentDraft(name: "财务", parent: m.id("总部"), scope: .subdepartment)))
        let beijing = m.id("网点->北京"), finance = m.id("总部->财务")
        m.run(.putAdministrator(Administrator(name: "北京管理员", role: .subAdmin(scopes: [beijing, finance]))))
        let ctx = CommandContext(actor: "cn=北京管理员", source: "test", viewer: .administrator("北京管理员"))
        #expect(m.run(.updateDepartment(beijing, DepartmentChanges(scope: .all)), as: ctx)?.contains("may not let members see beyond") == true)
        // 财务 inherits `all` from its top-level parent: inherit would widen it too.
        #expect(m.run(.updateDepartment(finance, DepartmentChanges(scope: .inherit)), as: ctx)?.contains("may not let members see beyond") == true)
        #expect(m.run(.createDepartment(DepartmentDraft(name: "朝阳", parent: beijing, scope: .all)), as: ctx) != nil)
        // Narrower or equal settings are theirs to choose.
        #expect(m.run(.updateDepartment(beijing, DepartmentChanges(scope: .department)), as: ctx) == nil)
        #expect(m.run(.updateDepartment(beijing, DepartmentChanges(scope: .inherit)), as: ctx) == nil)
        #expect(m.run(.createDepartment(DepartmentDraft(name: "朝阳", parent: beijing)), as: ctx) == nil)
        // The super admin may widen anything.
        #expect(m.run(.updateDepartment(beijing, DepartmentChanges(scope: .all))) == nil)
    }
}
