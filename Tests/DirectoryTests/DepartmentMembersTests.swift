import Directory
import Foundation
import Testing

/// A department's member list keeps each account's hash beside its key (what a search that walks
/// the tree in order tests members by): after any sequence of adds, renames, pins, moves between
/// departments, departures and erasures, the keys are the department's active members in its
/// order and every hash is its key's.
@Suite struct DepartmentMembersTests {
    static let names = ["张三", "李四", "王五", "赵六", "Anna", "欧阳娜娜", "钱七", "孙八"]
    static let departments = (1...4).map { DepartmentID($0) }

    /// Checks every department's list against the members themselves.
    func check(_ model: DirectoryModel, _ accounts: [String], _ note: String) {
        for d in Self.departments {
            let list = model.departmentMembers(d)
            #expect(list.keys == model.memberKeys(in: d), "\(note): keys of \(d)")
            #expect(list.hashes == list.keys.map(DirectoryModel.accountHash), "\(note): hashes of \(d)")
            let expected = Set(accounts.filter { a in model.member(a).map { $0.isActive && $0.departments.contains(d) } ?? false })
            #expect(Set(list.keys) == expected, "\(note): members of \(d)")
            #expect(list.keys.count == expected.count, "\(note): each member once in \(d)")
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func hashesStayBesideTheirKeys(seed: UInt64) {
        var rng = SplitMix(state: seed)
        var model = DirectoryModel(organization: "示例")
        let accounts = (0..<24).map { "dm\(seed)x\($0)" }
        // A bulk load first (the lists are appended, then sorted once).
        model.bulkLoad(
            members: accounts.prefix(12).map { a in
                Member(account: try! Account(parsing: a), name: Self.names.randomElement(using: &rng)!,
                       departments: [Self.departments.randomElement(using: &rng)!])
            })
        check(model, accounts, "after the bulk load")
        for step in 0..<300 {
            let a = accounts.randomElement(using: &rng)!
            let account = try! Account(parsing: a)
            var m = model.member(a) ?? Member(account: account, name: Self.names.randomElement(using: &rng)!, departments: [Self.departments[0]])
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: m.name = Self.names.randomElement(using: &rng)!
            case 1: m.pinned.toggle()
            case 2:
                let count = Int.random(in: 1...3, using: &rng)
                m.departments = (0..<count).map { _ in Self.departments.randomElement(using: &rng)! }
            case 3: m.status = .departed(at: Date(), by: "t", previousDepartments: m.departments)
            case 4: m.status = Member.Status.active
            default:
                model.removeMember(account)
                check(model, accounts, "step \(step): erase \(a)")
                continue
            }
            model.put(m)
            check(model, accounts, "step \(step): \(a)")
        }
    }
}
