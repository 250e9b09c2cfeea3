import Directory
import LDAPProtocol
import Testing

@testable import LDAPFrontend

/// Searches on a group's name are narrowed through a list of the groups' folded names kept for
/// the model's groups as they are: a renamed, added or removed group is found by its new name,
/// never by its old one, in any model of the process.
@Suite struct GroupNameIndexTests {
    static let admin = CommandContext(actor: "test", source: "test", role: .superAdmin)

    func groupNames(_ model: DirectoryModel, _ filter: String) throws -> [String] {
        var s = try makeSession(model: model)
        #expect(s.bind("cn=admin,\(base)", "secret").resultCode == .success)
        let (entries, result) = try s.search(base, .wholeSubtree, filter, attributes: ["cn"])
        #expect(result.resultCode == .success)
        return entries.filter { $0.objectName.lowercased().contains("cn=groups,") }.compactMap { $0.strings("cn")?.first }.sorted()
    }

    @Test func renamedAddedAndRemovedGroupsAreFoundByTheirNamesNow() throws {
        #expect(try groupNames(demoModel, "(cn=语文*)") == ["语文教研组"])
        var renamed = demoModel
        _ = try renamed.apply(.updateGroup("语文教研组", newName: "Chinese Teachers", description: nil), by: Self.admin)
        #expect(try groupNames(renamed, "(cn=语文*)") == [])
        #expect(try groupNames(renamed, "(cn=chinese*)") == ["Chinese Teachers"])
        #expect(try groupNames(renamed, "(cn=CHINESE TEACHERS)") == ["Chinese Teachers"])
        // The older model, asked again after the newer one: still its own groups.
        #expect(try groupNames(demoModel, "(cn=语文*)") == ["语文教研组"])
        #expect(try groupNames(demoModel, "(cn=chinese*)") == [])
        var added = renamed
        _ = try added.apply(.createGroup(name: "Chess Club", description: nil, members: []), by: Self.admin)
        #expect(try groupNames(added, "(|(cn=ch*)(cn=年会*))") == ["Chess Club", "Chinese Teachers", "年会筹备组"])
        var removed = added
        _ = try removed.apply(.deleteGroup("Chinese Teachers"), by: Self.admin)
        #expect(try groupNames(removed, "(cn=ch*)") == ["Chess Club"])
        #expect(try groupNames(added, "(cn=ch*)") == ["Chess Club", "Chinese Teachers"])
    }
}

/// The search's set of account hashes agrees with `Set<Int>` through growth, unions and
/// intersections (0 is kept as 1: a collision only adds a candidate).
@Suite struct AccountHashSetTests {
    @Test func agreesWithASet() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let n = [0, 1, 7, 100, 5000][round % 5]
            let a = (0..<n).map { _ in Int.random(in: 2...Int.max, using: &rng) * (Bool.random(using: &rng) ? 1 : -1) }
            let b = Array(a.prefix(n / 2)) + (0..<n).map { _ in Int.random(in: 2...1_000_000, using: &rng) }
            var x = AccountHashSet(a), y = AccountHashSet(minimumCapacity: 3)
            for v in b { y.insert(v) }
            #expect(x.count == Set(a).count)
            #expect(a.allSatisfy(x.contains) && !x.contains(Int.min + 1) || a.contains(Int.min + 1))
            #expect(Set(x.values) == Set(a))
            var u = x
            u.formUnion(y)
            #expect(Set(u.values) == Set(a).union(b))
            x.formIntersection(y)
            #expect(Set(x.values) == Set(a).intersection(b))
            let v = a.first ?? 5
            #expect(x.insert(v) == !Set(a).intersection(b).contains(v))
        }
        var zero = AccountHashSet()
        #expect(zero.insert(0) && zero.contains(0) && zero.contains(1) && !zero.insert(1))
    }
}
