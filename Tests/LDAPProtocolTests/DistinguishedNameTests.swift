import Testing

@testable import LDAPProtocol

@Suite struct DistinguishedNameTests {
    @Test func parsesAndPrintsSimpleDNs() throws {
        let dn = try DistinguishedName(parsing: "uid=t2001,ou=语文组,dc=example,dc=com")
        #expect(dn.rdns.count == 4)
        #expect(dn.rdns[1].attributes[0].value == "语文组")
        #expect(dn.description == "uid=t2001,ou=语文组,dc=example,dc=com")
        #expect(dn.parent?.description == "ou=语文组,dc=example,dc=com")
    }

    @Test func emptyStringIsTheRoot() throws {
        #expect(try DistinguishedName(parsing: "").isRoot)
        #expect(try DistinguishedName(parsing: "  ").isRoot)
    }

    @Test(arguments: [
        ("cn=a\\,b,dc=x", "a,b"), ("cn=a\\+b,dc=x", "a+b"), ("cn=\\ lead,dc=x", " lead"), ("cn=trail\\ ,dc=x", "trail "),
        ("cn=\\#hash,dc=x", "#hash"), ("cn=a\\\\b,dc=x", "a\\b"), ("cn=a\\\"b,dc=x", "a\"b"), ("cn=a\\3Db,dc=x", "a=b"),
        ("cn=\\E5\\BC\\A0\\E4\\B8\\89,dc=x", "张三"), ("cn=a\\;b\\<c\\>,dc=x", "a;b<c>"), ("cn=#04024869,dc=x", "Hi"),
    ])
    func unescapesValues(input: String, value: String) throws {
        let dn = try DistinguishedName(parsing: input)
        #expect(dn.rdns[0].attributes[0].value == value)
        // Printing then parsing gives the same DN back.
        #expect(try DistinguishedName(parsing: dn.description) == dn)
    }

    @Test func escapesOnOutput() {
        let dn = DistinguishedName([RelativeDistinguishedName(type: "cn", value: " a,b+c\"d\\e<f>g;h=i ")])
        #expect(dn.description == "cn=\\ a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\=i\\ ")
        #expect(DistinguishedName([RelativeDistinguishedName(type: "cn", value: "#x")]).description == "cn=\\#x")
    }

    @Test func multiValuedRDNs() throws {
        let dn = try DistinguishedName(parsing: "cn=Zhang San+uid=zs,dc=x")
        #expect(dn.rdns[0].attributes.count == 2)
        let swapped = try DistinguishedName(parsing: "UID=ZS+CN=zhang  san, DC=X")
        #expect(dn.normalized == swapped.normalized)
    }

    @Test func oidTypesAndSpacesAroundSeparators() throws {
        let dn = try DistinguishedName(parsing: "2.5.4.3=Admin , dc = example ; dc=com")
        #expect(dn.normalized == (try DistinguishedName(parsing: "cn=admin,dc=example,dc=com")).normalized)
    }

    @Test func normalisationFoldsCaseWidthAndSpaces() throws {
        let a = try DistinguishedName(parsing: "ou=ＡＢＣ  部门,dc=Example,dc=COM")
        let b = try DistinguishedName(parsing: "ou=abc 部门,dc=example,dc=com")
        #expect(a.normalized == b.normalized)
        #expect(a.isWithin(try DistinguishedName(parsing: "dc=example,dc=com")))
        #expect(!(try DistinguishedName(parsing: "dc=com")).isWithin(a))
    }

    @Test(arguments: [
        "cn", "cn=a,", "=a", "cn=a\\", "cn=a\\4", "cn=a\\zz", "cn=a\"b", "1.=a", "cn=#0", "cn=#zz", "cn=a=b",
        "-cn=a", "oid.2.5.4.3=a", "cn=#0402",
    ])
    func rejectsMalformedDNs(input: String) {
        #expect(throws: DNSyntaxError.self) { try DistinguishedName(parsing: input) }
    }
}

@Suite struct FilterStringTests {
    @Test(arguments: [
        "(cn=张三)", "(&(objectClass=person)(|(cn=zhang*)(mail=*zhang*)(sn=*san)))", "(!(uid=t2001))", "(cn=*)",
        "(rosterSortOrder>=2)", "(createTimestamp<=20260101000000Z)", "(sn~=zhang)", "(cn=a*b*c*d)",
        "(cn:caseExactMatch:=Foo)", "(cn:dn:2.5.13.5:=Foo)", "(:dn:2.5.13.5:=Foo)", "(memberOf:1.2.840.113556.1.4.1941:=ou=x,dc=y)",
        "(&)", "(|)", "(cn=a\\2ab)", "(cn=\\28x\\29)", "(cn;lang-en=x)", "(2.5.4.3=x)",
    ])
    func roundTripsThroughTheStringForm(input: String) throws {
        let filter = try Filter(parsing: input)
        #expect(try Filter(parsing: filter.description) == filter)
    }

    @Test func parsesEachKind() throws {
        #expect(try Filter(parsing: "(cn=*)") == .present("cn"))
        #expect(try Filter(parsing: "uid=t2001") == .equalityMatch(AttributeValueAssertion("uid", Array("t2001".utf8))))
        #expect(
            try Filter(parsing: "(cn=zh*an*g)")
                == .substrings(SubstringFilter("cn", initial: Array("zh".utf8), any: [Array("an".utf8)], final: Array("g".utf8))))
        #expect(try Filter(parsing: "(cn=*x*)") == .substrings(SubstringFilter("cn", any: [Array("x".utf8)])))
        #expect(try Filter(parsing: "(cn=a\\2a\\5c\\00)") == .equalityMatch(AttributeValueAssertion("cn", [0x61, 0x2A, 0x5C, 0x00])))
        #expect(
            try Filter(parsing: "(o:dn:caseIgnoreMatch:=Acme)")
                == .extensibleMatch(MatchingRuleAssertion(matchingRule: "caseIgnoreMatch", attribute: "o", value: Array("Acme".utf8), dnAttributes: true)))
    }

    @Test func escapesSpecialBytesOnOutput() {
        let f = Filter.equalityMatch(AttributeValueAssertion("cn", Array("a*(b)\\".utf8) + [0]))
        #expect(f.description == "(cn=a\\2a\\28b\\29\\5c\\00)")
    }

    @Test(arguments: [
        "(cn=a", "cn=a)", "(cn)", "((cn=a))", "(cn=a\\2)", "(cn=a\\zz)", "(&(cn=a)", "(cn=a**b)", "(!(cn=a)(cn=b))",
        "(=a)", "(:=a)", "(cn:dn:=)x", "(c n=a)", "(cn=a(b)",
    ])
    func rejectsMalformedFilters(input: String) {
        #expect(throws: FilterSyntaxError.self) { try Filter(parsing: input) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "(!", count: 100) + "(cn=a)" + String(repeating: ")", count: 100)
        #expect(throws: FilterSyntaxError.self) { try Filter(parsing: deep, maxDepth: 50) }
        _ = try Filter(parsing: deep, maxDepth: 200)
    }
}
