import Directory
import LDAPProtocol
import Testing

@testable import LDAPFrontend

/// A member's names (pinyin, surname and given name, each part's pinyin) are derived once when
/// the member is stored (``MemberNames``) and read by every entry and filter; the entry builder
/// adds only the attributes asked for; a group's name is looked up among the groups sharing its
/// first character. Each must give what the derivation, the whole entry and the whole list give.
@Suite struct EntryNamesTests {
    static let admin = CommandContext(actor: "test", source: "test", role: .superAdmin)

    /// Names that exercise each rule: a special surname reading (曾, 单), a compound surname,
    /// a one-character name, Latin names of one and two words, mixed scripts, full-width letters,
    /// spaces around the name.
    static let names = [
        "曾小明", "单田芳", "欧阳修", "诸葛亮", "王", "John Smith", "Madonna", "李 Lee", "Ｚｈａｎｇ Ｗｅｉ", "  张三  ", "张三丰", "司马",
    ]

    @Test func storedNamesAreTheNameDerivations() throws {
        var model = demoModel
        var renamed: [Member] = []
        for (i, var m) in model.allMembers.filter(\.isActive).prefix(Self.names.count).enumerated() {
            m.name = Self.names[i]
            model.put(m)
            renamed.append(m)
        }
        for m in model.allMembers {
            let names = try #require(model.names(of: m.account), "\(m.account.value)")
            let pinyin = PinyinName(m.name)
            #expect(names.pinyin == pinyin, "\(m.name)")
            #expect(model.pinyin(of: m.account) == pinyin)
            #expect(names.parts == NameParts(m.name), "\(m.name)")
            let parts = DirectoryModel.partPinyin(m.name, pinyin)
            #expect(names.surnamePinyin == parts.surname, "\(m.name)")
            #expect(names.givenNamePinyin == parts.givenName, "\(m.name)")
        }
        // Spot checks against values written out, not derived.
        let zeng = try #require(model.names(of: renamed[0].account))
        #expect(zeng.parts.surname == "曾" && zeng.surnamePinyin?.compact == "zeng" && zeng.givenNamePinyin?.spaced == "xiao ming")
        let ouyang = try #require(model.names(of: renamed[2].account))
        #expect(ouyang.parts.surname == "欧阳" && ouyang.surnamePinyin?.spaced == "ou yang" && ouyang.givenNamePinyin?.compact == "xiu")
        let smith = try #require(model.names(of: renamed[5].account))
        #expect(smith.parts.surname == "Smith" && smith.parts.givenName == "John" && smith.surnamePinyin == nil)
        // A renamed member is found by its new name's pinyin, not by the old one's.
        var s = try makeSession(model: model)
        #expect(s.bind("cn=admin,\(base)", "secret").resultCode == .success)
        let found = try s.search(base, .wholeSubtree, "(sn=ouyang)", attributes: ["cn"]).entries.compactMap { $0.strings("cn")?.first }
        #expect(found.contains("欧阳修") && found.allSatisfy { $0.hasPrefix("欧阳") }, "\(found)")
        let given = try s.search(base, .wholeSubtree, "(givenName=xiaoming)", attributes: ["cn"]).entries.compactMap { $0.strings("cn")?.first }
        #expect(given.contains("曾小明") && given.allSatisfy { $0.hasSuffix("小明") }, "\(given)")
        // Removed: no names left behind.
        model.removeMember(renamed[0].account)
        #expect(model.names(of: renamed[0].account) == nil)
        #expect(model.pinyin(of: renamed[0].account) == PinyinName(""))
    }

    /// An entry built for a few attributes carries each of them exactly as the entry built for
    /// all of them does, for the administrator and for an anonymous reader (who sees fewer fields).
    @Test(arguments: [
        ["cn"], ["sn", "givenName"], ["telephoneNumber"], ["ou"], ["departmentNumber"], ["memberOf"],
        ["rosterPinned", "rosterStatus", "rosterHidden"], ["objectClass"], ["uid", "displayName"], ["rosterPinyin", "rosterPinyinInitials"],
        ["mail", "mobile", "title"], ["description", "postalAddress", "manager"], ["entryDN", "entryUUID"],
    ])
    func aFewAttributesAreThoseOfTheWholeEntry(attributes: [String]) throws {
        for admin in [true, false] {
            var s = try makeSession()
            if admin { #expect(s.bind("cn=admin,\(base)", "secret").resultCode == .success) }
            let all = try s.search(base, .wholeSubtree, "(objectClass=rosterMember)", attributes: ["*", "+"]).entries
            let few = try s.search(base, .wholeSubtree, "(objectClass=rosterMember)", attributes: attributes).entries
            #expect(all.count > 10)
            #expect(few.map(\.objectName) == all.map(\.objectName))
            var present = 0
            for (a, f) in zip(all, few) {
                for name in attributes {
                    #expect(f.strings(name) == a.strings(name), "\(a.objectName) \(name)")
                    if a.strings(name) != nil { present += 1 }
                }
                let asked = Set(attributes.map { $0.lowercased() })
                #expect(f.attributes.allSatisfy { asked.contains($0.type.lowercased()) }, "\(f.attributes.map(\.type))")
            }
            // The attributes asked for are there to compare (the demo leaves phones, remarks,
            // addresses and managers empty).
            let filled = ["cn", "sn", "ou", "departmentNumber", "memberOf", "rosterStatus", "objectClass", "uid", "rosterPinyin", "mail", "entryDN"]
            if admin && attributes.contains(where: filled.contains) { #expect(present > 0, "\(attributes)") }
        }
    }

    /// A filter on an attribute the search does not return still reads it.
    @Test(arguments: [
        "(sn=张)", "(sn=zhang)", "(givenName=san*)", "(telephoneNumber=*)", "(ou=语文组)", "(rosterStatus=active)",
        "(rosterPinned=TRUE)", "(departmentNumber=*)", "(objectClass=inetOrgPerson)", "(rosterPinyin=zhang*)", "(!(mail=*))",
        "(|(cn=张*)(mail=zh*)(sn=李*))",
    ])
    func filtersReadWhatIsNotReturned(filter: String) throws {
        var s = try makeSession()
        #expect(s.bind("cn=admin,\(base)", "secret").resultCode == .success)
        let none = try s.search(base, .wholeSubtree, filter, attributes: ["1.1"]).entries.map(\.objectName)
        let all = try s.search(base, .wholeSubtree, filter, attributes: ["*", "+"]).entries.map(\.objectName)
        #expect(none == all)
    }

    /// The groups a name or prefix may start with, among groups of every script and case: the
    /// planner's answer (groups filed by first character) is the linear scan's.
    @Test func groupsByFirstCharacterAreTheLinearScan() throws {
        var model = demoModel
        let names = ["Chess Club", "chemistry", "ÉCOLE", "école libre", "e\u{301}tude", "Ｆｕｌｌ Width", "full stop", "年度总结组", "年轻人俱乐部", "𠀀 rare", "Ωmega"]
        for n in names { _ = try model.apply(.createGroup(name: n, description: nil, members: []), by: Self.admin) }
        let planner = SearchPlanner(model: model)
        let folds = GroupNameFolds.names(in: model).all
        #expect(folds.count == model.groups.count)
        for prefix in ["c", "Ch", "CHESS", "é", "e", "É", "e\u{301}", "full", "ｆｕｌｌ", "年", "年会", "𠀀", "ω", "Ω", "z", "语文", " "] {
            let filter = try Filter(parsing: "(cn=\(prefix)*)")
            let folded = DistinguishedName.foldValue(prefix)
            let expected = Set(folds.filter { $0.folded.hasPrefix(folded) }.map(\.key))
            #expect(planner.groups(filter) == expected, "\(prefix)")
            let equality = try Filter(parsing: "(cn=\(prefix))")
            #expect(planner.groups(equality) == Set(folds.filter { $0.folded == folded }.map(\.key)), "\(prefix)")
        }
        #expect(planner.groups(try Filter(parsing: "(cn=ch*)"))?.count == 2)
        #expect(planner.groups(try Filter(parsing: "(cn=年*)"))?.count == 3)  // and the demo's 年会筹备组
    }
}
