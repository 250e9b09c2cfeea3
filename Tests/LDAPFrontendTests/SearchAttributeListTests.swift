import BER
import Directory
import LDAPProtocol
import Testing

@testable import LDAPFrontend

/// Which entries a search returns does not depend on the attributes it asks for. Found by
/// review: with no list, `*` or `* +`, a filter on sn's or givenName's pinyin matched nothing
/// (the entry built for the result, used for the filter too, lacked the parts' pinyin), and its
/// negation matched too much.
@Suite struct SearchAttributeListTests {
    static let lists: [[String]] = [[], ["*"], ["*", "+"], ["mail"], ["cn", "sn"], ["+"], ["1.1"]]

    func accounts(_ filter: String, _ attributes: [String], typesOnly: Bool = false, as who: (String, String)? = nil) throws -> [String] {
        var s = try makeSession()
        let (dn, pw) = who ?? ("cn=admin,\(base)", "secret")
        #expect(s.bind(dn, pw).resultCode == .success)
        let (entries, result) = try s.search(base, .wholeSubtree, filter, attributes: attributes, typesOnly: typesOnly)
        #expect(result.resultCode == .success)
        return entries.map(\.objectName).filter { $0.hasPrefix("uid=") }.sorted()
    }

    @Test(arguments: ["(sn=zhang)", "(sn=zh*)", "(givenName=s*)", "(!(sn=zhang))", "(|(cn=zh*)(mail=zh*)(sn=zh*))", "(&(objectClass=person)(sn=张))"])
    func theSameEntriesWhateverTheAttributeList(filter: String) throws {
        let expected = try accounts(filter, ["mail"])
        for list in Self.lists {
            #expect(try accounts(filter, list) == expected, "\(filter) with \(list)")
            #expect(try accounts(filter, list, typesOnly: true) == expected, "\(filter) with \(list), types only")
            #expect(try accounts(filter, list, as: (zhangsan, "Pw-t2001")) == (try accounts(filter, ["mail"], as: (zhangsan, "Pw-t2001"))))
        }
    }

    @Test func aSurnameFilterFindsItsMember() throws {
        #expect(try accounts("(sn=zhang)", ["*"]).contains(zhangsan))
        #expect(try !accounts("(!(sn=zhang))", []).contains(zhangsan))
    }
}

/// The attribute list written straight from an entry reads back as the projection of it, for
/// every kind of selection, with and without values.
@Suite struct EncodedAttributeListTests {
    @Test func encodedListIsTheProjection() throws {
        var entry = Entry(dn: "uid=t2001,dc=example,dc=com")
        entry.add("objectClass", ["top", "person", "inetOrgPerson"])
        entry.add("cn", "张三")
        entry.add("mail", "zs@example.com")
        entry.add("description", String(repeating: "备注", count: 200))
        entry.add("entryUUID", "6a7f")
        entry.add("telephoneNumber", ["010-1", "010-2"])
        for list in [[], ["*"], ["+"], ["*", "+"], ["MAIL", "cn"], ["1.1"], ["entryuuid", "nosuch"]] {
            let selection = AttributeSelection(list)
            for typesOnly in [false, true] {
                var r = BERReader(selection.encodedList(entry, typesOnly: typesOnly)[...])
                let decoded = try r.readAttributeList(requireValues: false)
                #expect(decoded == selection.project(entry, typesOnly: typesOnly), "\(list) \(typesOnly)")
                #expect(r.isAtEnd)
            }
        }
    }
}

/// A substring assertion that is not UTF-8 matches nothing, like an equality one (found by
/// review: the invalid part was dropped, so `(mail=z\ff*)` acted as `(mail=*)`), and its
/// negation is Undefined too.
@Suite struct InvalidUTF8SubstringTests {
    func dns(_ filter: Filter, _ s: inout LDAPSession) -> [String] {
        let request = SearchRequest(baseObject: base, scope: .wholeSubtree, filter: filter, attributes: ["1.1"])
        return s.send(2, .searchRequest(request)).compactMap {
            if case .searchResultEntry(let e) = $0.protocolOp { return e.objectName }
            return nil
        }
    }

    @Test func anInvalidPartMatchesNothing() throws {
        var s = try makeSession()
        #expect(s.bind("cn=admin,\(base)", "secret").resultCode == .success)
        let withMail = dns(.present("mail"), &s)
        #expect(withMail.count > 3)
        let invalid: [SubstringFilter] = [
            SubstringFilter("mail", initial: [0x7A, 0xFF]), SubstringFilter("cn", initial: [0xE5, 0xBC]),
            SubstringFilter("cn", final: [0xFF]), SubstringFilter("cn", initial: [0xC0, 0x80]),
            SubstringFilter("description", any: [[0x61], [0xFF, 0xFE]]),
        ]
        for sf in invalid {
            #expect(dns(.substrings(sf), &s).isEmpty, "\(sf)")
            #expect(dns(.not(.substrings(sf)), &s).isEmpty, "not \(sf)")
        }
        // Valid assertions still match.
        #expect(!dns(.substrings(SubstringFilter("mail", initial: Array("z".utf8))), &s).isEmpty)
    }
}
