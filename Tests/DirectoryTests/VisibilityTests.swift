import Directory
import Testing

/// A generated organisation: random trees, scopes, hidden flags, members in one or two departments.
func generatedModel(seed: UInt64) -> DirectoryModel {
    var rng = SplitMix(state: seed)
    var m = DirectoryModel(organization: "Gen\(seed)")
    var ids: [DepartmentID] = [.root]
    for i in 0..<40 {
        let parent = ids[Int.random(in: 0..<ids.count, using: &rng)]
        guard m.depth(of: parent) < 6 else { continue }
        let scope = [VisibilityScope.inherit, .inherit, .all, .department, .subdepartment].randomElement(using: &rng)!
        let hidden = Int.random(in: 0..<12, using: &rng) == 0
        m.run(.createDepartment(DepartmentDraft(name: "D\(i)", parent: parent, scope: scope, hidden: hidden)))
        ids.append(m.child(of: parent, named: "D\(i)")!.id)
    }
    for i in 0..<120 {
        var departments = [ids.dropFirst().randomElement(using: &rng)!]
        if Int.random(in: 0..<5, using: &rng) == 0 { departments.append(ids.randomElement(using: &rng)!) }
        var fields: [MemberField: String] = [.name: "成员\(i)", .email: "m\(i)@x.com", .mobile: "1380000\(String(format: "%04d", i))"]
        if Int.random(in: 0..<15, using: &rng) == 0 { fields[.hidden] = "yes" }
        m.run(.createMember(account: "m\(i)", fields: fields, departments: departments, passwordHash: nil))
    }
    for i in stride(from: 0, to: 120, by: 17) { m.run(.depart(acct("m\(i)"))) }
    m.run(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: false)))
    return m
}

/// The subtree a member directly in `department` sees, written from DESIGN §2 and not from
/// `Visibility`: walk up to the nearest department whose scope is not `inherit`; `all` opens the
/// whole directory, `department` the subtree of the department carrying the setting,
/// `subdepartment` the subtree of the department the member is directly in; a top-level
/// department that inherits (there is nothing above it to inherit from) is `all`.
func oracleSubtree(openedBy department: DepartmentID, in m: DirectoryModel) -> DepartmentID {
    var chain = m.path(to: department)  // root … department
    while let carrier = chain.popLast() {
        guard let d = m.department(carrier) else { break }
        switch d.scope {
        case .all: return .root
        case .department: return carrier
        case .subdepartment: return department
        case .inherit: if chain.count <= 1 { return .root }  // a top-level department (or the root)
        }
    }
    return .root
}

@Suite struct VisibilityInvariantTests {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]

    @Test(arguments: seeds)
    func membersSeeExactlyWhatTheirScopesAllow(seed: UInt64) {
        let m = generatedModel(seed: seed)
        let all = Array(m.allMembers)
        for viewer in all where viewer.isActive {
            let v = Visibility(viewer: .member(viewer.account), model: m)
            // The subtrees each of the viewer's departments opens, from DESIGN §2's words.
            let roots = viewer.departments.map { oracleSubtree(openedBy: $0, in: m) }
            for other in all {
                let seen = v.canSee(member: other)
                if other.account == viewer.account {
                    #expect(seen, "a member always sees their own entry")
                    continue
                }
                if !other.isActive {
                    #expect(!seen, "a departed member is seen by admins only")
                    continue
                }
                let hiddenPath: (DepartmentID) -> Bool = { d in
                    m.path(to: d).contains { m.department($0)!.hidden && !viewer.departments.contains($0) }
                }
                // The entry lives under its primary department: hidden there, hidden everywhere.
                let expected = !other.hidden && !hiddenPath(other.primaryDepartment)
                    && other.departments.contains { d in roots.contains { m.isDepartment(d, within: $0) } && !hiddenPath(d) }
                #expect(seen == expected, "seed \(seed): \(viewer.account) → \(other.account)")
                if seen {
                    #expect(!v.canSee(field: .mobile, of: other), "a field not shown is never visible to another member")
                    #expect(v.canSee(field: .email, of: other))
                }
            }
            #expect(v.canSee(field: .mobile, of: viewer), "a member sees their own hidden fields")
        }
    }

    /// Every kind of viewer, the super admin first, against what the spec says each sees.
    @Test(arguments: seeds)
    func everyKindOfViewerSeesWhatTheSpecSays(seed: UInt64) {
        var m = generatedModel(seed: seed)
        let tops = m.children(of: .root)
        m.run(.putAdministrator(Administrator(name: "admin", role: .superAdmin)))
        m.run(.putAdministrator(Administrator(name: "sub", role: .subAdmin(scopes: [tops[0]]))))
        m.run(.putAdministrator(Administrator(name: "svc", role: .service(scopes: [], attributes: nil))))
        m.run(.putAdministrator(Administrator(name: "svc-scoped", role: .service(scopes: [tops[0]], attributes: nil))))
        let superAdmin = Visibility(viewer: .administrator("admin"), model: m)
        #expect(superAdmin.readsDirectory && superAdmin.isAdministrator && superAdmin.canSeeSystemEntries)
        for member in m.allMembers {
            #expect(superAdmin.canSee(member: member), "the super admin sees \(member.account), hidden or departed")
            for field in MemberField.allCases where field != .password {
                #expect(superAdmin.canSee(field: field, of: member))
            }
            #expect(!superAdmin.canSee(field: .password, of: member), "no one reads a password")
        }
        for d in m.departments.keys { #expect(superAdmin.canSee(department: d)) }

        let inTop: (DepartmentID) -> Bool = { d in m.path(to: d).contains(tops[0]) }
        let sub = Visibility(viewer: .administrator("sub"), model: m)
        let service = Visibility(viewer: .administrator("svc"), model: m)
        let scoped = Visibility(viewer: .administrator("svc-scoped"), model: m)
        for member in m.allMembers {
            var placed = member.departments
            if case .departed(_, _, let previous) = member.status { placed = previous }
            #expect(sub.canSee(member: member) == placed.contains(where: inTop), "a sub-admin sees their subtree, hidden and departed too")
            // The entry lives under its primary department: a hidden one hides the member from
            // everyone but administrators and themselves, whatever their other departments.
            let primaryShown = !m.path(to: member.primaryDepartment).contains { m.department($0)!.hidden }
            let plain = member.isActive && !member.hidden && primaryShown
            let shownPath = member.departments.contains { d in !m.path(to: d).contains { m.department($0)!.hidden } }
            #expect(service.canSee(member: member) == (plain && shownPath), "a service reads active, shown members")
            #expect(scoped.canSee(member: member) == (plain && member.departments.contains { inTop($0) && !m.path(to: $0).contains { m.department($0)!.hidden } }))
        }
    }

    @Test(arguments: seeds)
    func subdepartmentNeverShowsASiblingsMembers(seed: UInt64) {
        var m = generatedModel(seed: seed)
        // Force one department to subdepartment and check its members against its siblings.
        guard let parent = m.departments.values.first(where: { m.children(of: $0.id).count >= 2 })?.id else { return }
        let kids = m.children(of: parent)
        m.run(.updateDepartment(kids[0], DepartmentChanges(scope: .subdepartment, hidden: false)))
        m.run(.updateDepartment(kids[1], DepartmentChanges(hidden: false)))
        m.run(.createMember(account: "inA", fields: [.name: "甲", .email: "a@a.com"], departments: [kids[0]], passwordHash: nil))
        m.run(.createMember(account: "inB", fields: [.name: "乙", .email: "b@b.com"], departments: [kids[1]], passwordHash: nil))
        let v = Visibility(viewer: .member(acct("inA")), model: m)
        #expect(!v.canSee(member: m.member("inB")!))
        for sibling in m.subtree(of: kids[1]) {
            for member in m.members(in: sibling) where !member.departments.contains(where: { m.isDepartment($0, within: kids[0]) }) {
                #expect(!v.canSee(member: member))
            }
        }
    }

    @Test(arguments: seeds)
    func hiddenAndDepartedMembersAreForAdminsInScope(seed: UInt64) {
        var m = generatedModel(seed: seed)
        let top = m.children(of: .root)[0]
        m.run(.putAdministrator(Administrator(name: "sub", role: .subAdmin(scopes: [top]))))
        m.run(.putAdministrator(Administrator(name: "svc", role: .service(scopes: [], attributes: nil))))
        let superAdmin = Visibility(viewer: .administrator("admin-missing"), model: m)
        #expect(!superAdmin.readsDirectory, "an unknown administrator sees nothing")
        let sub = Visibility(viewer: .administrator("sub"), model: m)
        let service = Visibility(viewer: .administrator("svc"), model: m)
        for member in m.allMembers {
            let inScope = (member.isActive ? member.departments : {
                if case .departed(_, _, let p) = member.status { return p } else { return [] }
            }()).contains { m.isDepartment($0, within: top) }
            #expect(sub.canSee(member: member) == inScope)
            if member.hidden || !member.isActive { #expect(!service.canSee(member: member)) }
        }
        let anonymous = Visibility(viewer: .anonymous, model: m)
        #expect(!anonymous.readsDirectory)
        #expect(!m.allMembers.contains { anonymous.canSee(member: $0) })
    }
}

/// The seed's examples, on the demo organisation.
@Suite struct SeedVisibilityExamples {
    static let demo = DemoOrganization.build(hasher: PlainTestHasher())

    func sees(_ viewer: String, _ other: String) -> Bool {
        Visibility(viewer: .member(acct(viewer)), model: Self.demo).canSee(member: Self.demo.member(other)!)
    }

    @Test func aTeacherSeesEveryTeacher() {
        for teacher in ["t1001", "t1002", "t2002", "t3001", "t3002", "t4001", "t5001"] { #expect(sees("t4001", teacher)) }
        #expect(!sees("t4001", "s110101"), "teachers see the teachers' subtree only (教师组 is department)")
    }

    @Test func aPupilsFamilySeesOnlyTheirOwnClass() {
        #expect(sees("s110101", "s110102"))
        #expect(sees("s110101", "t2001"), "the class teacher is in the class too")
        #expect(!sees("s110101", "s110201"), "another class of the same grade")
        #expect(!sees("s110101", "s120101"))
        #expect(!sees("s110101", "t4001"))
    }

    @Test func aDepotSeesOnlyItselfWhileManagementSeesEveryone() {
        #expect(sees("w1002", "w1001"))
        #expect(!sees("w1002", "w2001"))
        #expect(!sees("w1002", "w0001"))
        for other in ["w1001", "w2001", "w3002", "t1001", "s110101"] { #expect(sees("w0001", other)) }
    }

    @Test func navigationShowsThePathButNotSiblings() {
        let v = Visibility(viewer: .member(acct("w1002")), model: Self.demo)
        let d = Self.demo
        #expect(v.canSee(department: .root))
        #expect(v.canSee(department: d.id("顺达物流->网点")))
        #expect(v.canSee(department: d.id("顺达物流->网点->北京朝阳网点")))
        #expect(!v.canSee(department: d.id("顺达物流->网点->上海浦东网点")))
        #expect(!v.canSee(department: d.id("育才学校")))
    }
}

/// The model's list of members in several departments, which a viewer's navigation reads instead
/// of walking its whole scope: it follows every change of placement.
@Suite struct SeveralDepartmentsIndexTests {
    @Test func theListFollowsEveryChangeOfPlacement() {
        var m = DirectoryModel(organization: "甲")
        m.run(.createDepartment(DepartmentDraft(name: "一", parent: .root)))
        m.run(.createDepartment(DepartmentDraft(name: "二", parent: .root)))
        let one = m.child(of: .root, named: "一")!.id, two = m.child(of: .root, named: "二")!.id
        func listed() -> [String] { m.membersInSeveralDepartments.map(\.account.value).sorted() }
        m.run(.createMember(account: "a1", fields: [.name: "甲一", .email: "a1@x.com"], departments: [one, two], passwordHash: nil))
        m.run(.createMember(account: "b1", fields: [.name: "乙一", .email: "b1@x.com"], departments: [one], passwordHash: nil))
        #expect(listed() == ["a1"])
        m.run(.setDepartments(acct("b1"), [two, one]))
        #expect(listed() == ["a1", "b1"])
        m.run(.setDepartments(acct("a1"), [two]))
        #expect(listed() == ["b1"])
        m.run(.depart(acct("b1")))
        #expect(listed() == [], "departed members are in no department")
        m.run(.reinstate(acct("b1"), into: [one, two]))
        #expect(listed() == ["b1"])
        #expect(m.run(.depart(acct("b1"))) == nil)
        #expect(m.run(.erase(acct("b1"))) == nil)
        #expect(listed() == [])
    }
}
