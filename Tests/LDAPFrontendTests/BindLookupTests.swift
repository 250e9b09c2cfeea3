import Directory
import LDAPProtocol
import PasswordHashing
import Testing

@testable import LDAPFrontend

/// A bind finds a member from the account in its DN and checks the rest of the DN against the
/// member's own chain of departments (``DIT/activeMember(named:in:)``), instead of looking up each
/// department by name down the tree. It must name exactly the members the tree walk
/// (``DIT/resolve(_:in:)``) names, for every spelling of a DN a client may send.
@Suite struct BindLookupTests {
    let dit = DIT(base: try! DistinguishedName(parsing: "dc=example,dc=com"))

    /// The spellings tried for each member: as the server writes it, in other cases, with spaces
    /// around the separators, under a wrong department, one level short, one level too many, with
    /// a multi-valued RDN, under another base, under cn=departed.
    func spellings(of member: Member, in model: DirectoryModel) -> [String] {
        let canonical = dit.memberDNString(member, in: model)
        let account = member.account.value
        let parent = String(canonical.drop { $0 != "," }.dropFirst())
        let elsewhere = model.departments.values.first { $0.id != member.primaryDepartment && $0.id != .root }!
        return [
            canonical, canonical.uppercased(), canonical.replacingOccurrences(of: ",", with: " , "),
            "UID=\(account.uppercased())," + parent, "uid=\(account),\(dit.departmentDNString(elsewhere.id, in: model))",
            "uid=\(account),dc=example,dc=com", "uid=\(account),ou=extra,\(parent)", "uid=\(account)+cn=x,\(parent)",
            "uid=\(account),\(parent.replacingOccurrences(of: "dc=example", with: "dc=other"))",
            "uid=\(account),cn=departed,dc=example,dc=com", "cn=\(account),\(parent)", "uid=\(account)",
            "uid=\(account),ou=\(model.department(member.primaryDepartment)?.name ?? "")x,\(String(parent.drop { $0 != "," }.dropFirst()))",
        ]
    }

    @Test func theLookupByAccountNamesTheMembersTheTreeWalkNames() throws {
        var model = demoModel
        let context = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "test", role: .superAdmin)
        _ = try model.apply(.depart(try Account(parsing: "w3002")), by: context)
        var found = 0
        for member in model.allMembers {
            for spelling in spellings(of: member, in: model) {
                let dn = try DistinguishedName(parsing: spelling)
                let walked: String? =
                    if case .member(let a)? = dit.resolve(dn, in: model).node { a.key } else { nil }
                let direct = dit.activeMember(named: dn, in: model)?.account.key
                #expect(direct == walked, "\(spelling)")
                if direct != nil { found += 1 }
            }
        }
        // Each active member by at least its own DN, its upper-cased one and the spaced one.
        let active = model.allMembers.filter(\.isActive).count
        #expect(active > 10)
        #expect(found >= 3 * active)
    }

    /// The base compared by type and folded value: other spellings of it still name the member;
    /// a DN above or beside it names nothing.
    @Test func theBaseIsComparedFolded() throws {
        let model = demoModel
        let m = try #require(model.member("t2001"))
        let canonical = dit.memberDNString(m, in: model)
        let stem = canonical.dropLast("dc=example,dc=com".count)
        for spelling in ["DC=Example,DC=COM", "dc=example, dc=com", "domainComponent=example,dc=com"] {
            #expect(dit.activeMember(named: try DistinguishedName(parsing: stem + spelling), in: model)?.account.key == "t2001", "\(spelling)")
        }
        for spelling in ["dc=example", "dc=com", "dc=example,dc=org", "dc=example,dc=com,dc=net", "dc=example+cn=x,dc=com"] {
            #expect(dit.activeMember(named: try DistinguishedName(parsing: stem + spelling), in: model) == nil, "\(spelling)")
        }
    }

    /// Through the session: a member binds with its DN spelt in capitals; under the wrong
    /// department the bind is refused like an unknown name.
    @Test func aMemberBindsWithItsDNInAnyCase() throws {
        let model = demoModel
        let m = try #require(model.member("t2001"))
        let canonical = dit.memberDNString(m, in: model)
        var s = try makeSession()
        #expect(s.bind(canonical.uppercased(), "Pw-t2001").resultCode == .success)
        var t = try makeSession()
        #expect(t.bind("uid=t2001,ou=顺达物流,dc=example,dc=com", "Pw-t2001").resultCode == .invalidCredentials)
    }
}

/// Whether a bind's password check is cheap (done where the bind is decided) is read from the
/// scheme's name alone.
@Suite struct CheapSchemeTests {
    @Test(arguments: [
        ("{SSHA}abc", true), ("{ssha}abc", true), ("{SHA}x", true), ("{SSHA256}x", true), ("{SSHA512}x", true),
        ("{Ssha512}", true), ("{PBKDF2-SHA512}100000$a$b", false), ("{CRYPT}$6$a$b", false), ("{SSHA1}x", false),
        ("{SHA256}x", false), ("SSHA}x", false), ("{SSHA", false), ("", false), ("{}", false), ("{\u{0}SHA}x", false),
        ("{ SHA}x", false), ("{SSHA512X}x", false), ("{PBKDF2}1$a$b", false),
    ])
    func theSchemeDecides(stored: String, cheap: Bool) {
        let hasher = StandardPasswordHasher(rounds: 1000)
        #expect(hasher.isCheapToVerify(Array("password".utf8), against: stored) == cheap)
    }

    @Test func aLongPasswordIsNeverCheap() {
        let hasher = StandardPasswordHasher(rounds: 1000)
        let stored = "{SSHA}" + String(repeating: "A", count: 32)
        #expect(hasher.isCheapToVerify(Array(repeating: 0x61, count: 128), against: stored))
        #expect(!hasher.isCheapToVerify(Array(repeating: 0x61, count: 129), against: stored))
    }
}
