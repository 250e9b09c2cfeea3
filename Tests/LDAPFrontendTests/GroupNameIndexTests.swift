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
