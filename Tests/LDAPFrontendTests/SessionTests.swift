import Directory
import LDAPProtocol
import Logging
import PasswordHashing
import Testing

@testable import LDAPFrontend

/// The demo directory, built once (hashing the demo passwords takes a moment).
let demoModel = DemoOrganization.build(hasher: StandardPasswordHasher(rounds: 1000))

func makeSession(
    anonymousRead: Bool = true, sizeLimit: Int? = nil, model: DirectoryModel = demoModel, limits: Limits = Limits(),
    logger: Logger = Logger(label: "test")
) throws -> LDAPSession {
    let config = FrontendConfiguration(baseDN: try DistinguishedName(parsing: "dc=example,dc=com"), anonymousRead: anonymousRead)
    let frontend = Frontend(
        configuration: config, directory: LiveDirectory(model), hasher: StandardPasswordHasher(rounds: 1000), logger: logger)
    var limits = limits
    if let sizeLimit { limits.sizeLimit = sizeLimit }
    return LDAPSession(frontend: frontend, limits: limits)
}

extension LDAPSession {
    mutating func send(_ id: Int32, _ op: LDAPMessage.ProtocolOp, controls: [Control] = []) -> [LDAPMessage] {
        respond(to: LDAPMessage(messageID: id, op, controls: controls))
    }

    mutating func bind(_ dn: String, _ password: String) -> LDAPResult {
        let out = send(1, .bindRequest(BindRequest(name: dn, authentication: .simple(Array(password.utf8)))))
        guard case .bindResponse(let r) = out.first?.protocolOp else { return LDAPResult(.other) }
        return r.result
    }

    mutating func search(
        _ base: String, _ scope: SearchRequest.Scope = .wholeSubtree, _ filter: String = "(objectClass=*)",
        attributes: [String] = [], sizeLimit: Int32 = 0, typesOnly: Bool = false
    ) throws -> (entries: [SearchResultEntry], result: LDAPResult) {
        let request = SearchRequest(
            baseObject: base, scope: scope, sizeLimit: sizeLimit, typesOnly: typesOnly,
            filter: try Filter(parsing: filter), attributes: attributes)
        let out = send(2, .searchRequest(request))
        var entries: [SearchResultEntry] = []
        var result = LDAPResult(.other, diagnosticMessage: "no SearchResultDone")
        for m in out {
            #expect(m.messageID == 2)
            switch m.protocolOp {
            case .searchResultEntry(let e): entries.append(e)
            case .searchResultDone(let r): result = r
            default: Issue.record("unexpected \(m.protocolOp)")
            }
        }
        return (entries, result)
    }
}

extension SearchResultEntry {
    func strings(_ name: String) -> [String]? {
        attributes.first { $0.type.lowercased() == name.lowercased() }?.values.map { String(decoding: $0, as: UTF8.self) }
    }
}

let base = "dc=example,dc=com"
let zhangsan = "uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"

@Suite struct BindTests {
    @Test func anonymousBindSucceeds() throws {
        var s = try makeSession()
        #expect(s.bind("", "").resultCode == .success)
        #expect(s.identity == .anonymous)
    }

    @Test func memberBindsWithDNAccountOrEmail() throws {
        var s = try makeSession()
        #expect(s.bind(zhangsan, "Pw-t2001").resultCode == .success)
        #expect(s.identity.dn == zhangsan)
        #expect(s.bind("T2001", "Pw-t2001").resultCode == .success)
        #expect(s.identity.dn == zhangsan)
        #expect(s.bind("zhangsan@school.example.com", "Pw-t2001").resultCode == .success)
        #expect(s.identity.viewer == .member(try Account(parsing: "t2001")))
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() throws {
        var s = try makeSession()
        let wrong = s.bind(zhangsan, "nope")
        let unknown = s.bind("uid=nobody,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", "nope")
        let outside = s.bind("cn=x,dc=elsewhere", "nope")
        #expect(wrong.resultCode == .invalidCredentials)
        #expect(wrong == unknown)
        #expect(wrong == outside)
        #expect(s.identity == .anonymous)
    }

    @Test func emptyPasswordNeverAuthenticates() throws {
        var s = try makeSession()
        #expect(s.bind(zhangsan, "").resultCode == .unwillingToPerform)
        #expect(s.identity == .anonymous)
    }

    @Test func departedMembersCannotBind() throws {
        var s = try makeSession()
        #expect(s.bind("uid=w1003,cn=departed,dc=example,dc=com", "Pw-w1003").resultCode == .invalidCredentials)
        #expect(s.bind("w1003", "Pw-w1003").resultCode == .invalidCredentials)
    }

    @Test func adminsAndServicesBind() throws {
        var s = try makeSession()
        #expect(s.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
        #expect(s.bind("cn=gitlab,cn=services,dc=example,dc=com", "Svc-gitlab").resultCode == .success)
        #expect(s.bind("cn=物流管理员,cn=admins,dc=example,dc=com", "Admin-logistics").resultCode == .success)
    }

    @Test func saslAndOldVersionsAreRefused() throws {
        var s = try makeSession()
        let sasl = s.send(1, .bindRequest(BindRequest(name: "", authentication: .sasl(mechanism: "DIGEST-MD5", credentials: nil))))
        guard case .bindResponse(let r) = sasl.first?.protocolOp else { Issue.record("no response"); return }
        #expect(r.result.resultCode == .authMethodNotSupported)
        let v2 = s.send(2, .bindRequest(BindRequest(version: 2, name: "", authentication: .simple([]))))
        guard case .bindResponse(let r2) = v2.first?.protocolOp else { Issue.record("no response"); return }
        #expect(r2.result.resultCode == .protocolError)
    }

    @Test func whoAmIReportsTheBoundDN() throws {
        var s = try makeSession()
        func whoami() -> String? {
            guard case .extendedResponse(let r) = s.send(5, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI))).first?.protocolOp
            else { return nil }
            return r.value.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(whoami() == "")
        _ = s.bind(zhangsan, "Pw-t2001")
        #expect(whoami() == "dn:\(zhangsan)")
    }
}

@Suite struct SearchTests {
    @Test func rootDSEListsWhatWorks() throws {
        var s = try makeSession()
        let (entries, result) = try s.search("", .baseObject, attributes: ["+"])
        #expect(result.resultCode == .success)
        let root = try #require(entries.first)
        #expect(root.objectName == "")
        #expect(root.strings("namingContexts") == ["dc=example,dc=com"])
        #expect(root.strings("supportedLDAPVersion") == ["3"])
        #expect(root.strings("supportedExtension") == [ExtendedRequest.whoAmI])
        #expect(root.strings("supportedSASLMechanisms") == nil)
        #expect(root.strings("subschemaSubentry") == ["cn=Subschema"])
        #expect(root.strings("vendorName") == ["Roster"])
        #expect(root.strings("objectClass") == nil, "objectClass is a user attribute; + asks for operational ones")
        let plain = try s.search("", .baseObject).entries.first
        #expect(plain?.strings("objectClass") != nil)
        #expect(plain?.strings("namingContexts") == nil)
    }

    @Test func subtreeSearchReturnsTheTreeInOrder() throws {
        var s = try makeSession()
        let (entries, result) = try s.search(base, .wholeSubtree, "(objectClass=*)", attributes: ["1.1"])
        #expect(result.resultCode == .success)
        let dns = entries.map(\.objectName)
        #expect(dns.first == base)
        // The school before the company (sort order), a department before its members' sub-departments.
        let school = try #require(dns.firstIndex(of: "ou=育才学校,dc=example,dc=com"))
        let company = try #require(dns.firstIndex(of: "ou=顺达物流,dc=example,dc=com"))
        #expect(school < company)
        let adminGroup = try #require(dns.firstIndex(of: "ou=行政组,ou=教师组,ou=育才学校,dc=example,dc=com"))
        // The pinned principal comes first among 行政组's members.
        #expect(dns[adminGroup + 1].hasPrefix("uid=t1001,"))
        #expect(dns.contains(zhangsan))
        #expect(!dns.contains { $0.contains("cn=departed") }, "departed members are for admins only")
        #expect(entries.allSatisfy { $0.attributes.isEmpty })
    }

    @Test func scopes() throws {
        var s = try makeSession()
        let teachers = "ou=教师组,ou=育才学校,dc=example,dc=com"
        #expect(try s.search(teachers, .baseObject).entries.map(\.objectName) == [teachers])
        let one = try s.search(teachers, .singleLevel).entries.map(\.objectName)
        #expect(one.count == 5)
        #expect(one.allSatisfy { $0.hasPrefix("ou=") && $0.hasSuffix(teachers) })
        let subordinates = try s.search(teachers, .subordinates).entries.map(\.objectName)
        let subtree = try s.search(teachers, .wholeSubtree).entries.map(\.objectName)
        #expect(subtree == [teachers] + subordinates)
        #expect(subordinates.filter { $0.hasPrefix("uid=") }.count == 8)
    }

    @Test func emptyBaseWithSubtreeScopeSearchesTheNamingContext() throws {
        var s = try makeSession()
        let (entries, result) = try s.search("", .wholeSubtree, "(uid=t2001)")
        #expect(result.resultCode == .success)
        #expect(entries.map(\.objectName) == [zhangsan])
    }

    @Test func missingBaseIsNoSuchObjectWithTheDeepestMatch() throws {
        var s = try makeSession()
        let r = try s.search("uid=ghost,ou=教师组,ou=育才学校,dc=example,dc=com").result
        #expect(r.resultCode == .noSuchObject)
        #expect(r.matchedDN == "ou=教师组,ou=育才学校,dc=example,dc=com")
        let outside = try s.search("dc=elsewhere,dc=org").result
        #expect(outside.resultCode == .noSuchObject)
        #expect(outside.matchedDN == "")
        let departed = try s.search("uid=w1003,cn=departed,dc=example,dc=com").result
        #expect(departed.resultCode == .noSuchObject)
        #expect(departed.matchedDN == "dc=example,dc=com")
        #expect(try s.search("cn=x,,dc=example").result.resultCode == .invalidDNSyntax)
    }

    @Test func filtersMatchCaseInsensitively() throws {
        var s = try makeSession()
        #expect(try s.search(base, .wholeSubtree, "(UID=T2001)").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(mail=ZhangSan@School.Example.com)").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(&(objectClass=inetOrgPerson)(cn=张*))").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(mobile=138-0000 2001)").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(|(cn=*小*)(mail=*xiao*))").entries.count == 2)
        #expect(try s.search(base, .wholeSubtree, "(!(objectClass=*))").entries.isEmpty)
        #expect(try s.search(base, .wholeSubtree, "(noSuchAttribute=x)").entries.isEmpty)
        #expect(try s.search(base, .wholeSubtree, "(!(noSuchAttribute=x))").entries.isEmpty, "NOT Undefined is Undefined")
        #expect(try s.search(base, .wholeSubtree, "(&(rosterSortOrder>=2)(objectClass=organizationalUnit))").entries.count > 3)
        #expect(try s.search(base, .wholeSubtree, "(uid:caseExactMatch:=T2001)").entries.isEmpty)
        #expect(try s.search(base, .wholeSubtree, "(uid:caseExactMatch:=t2001)").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(ou:dn:=语文组)").entries.count >= 3)
        let inChain = "(memberOf:1.2.840.113556.1.4.1941:=ou=教师组,ou=育才学校,dc=example,dc=com)"
        #expect(try s.search(base, .wholeSubtree, inChain).entries.count == 8)
    }

    @Test func pinyinMatchesNames() throws {
        var s = try makeSession()
        #expect(try s.search(base, .wholeSubtree, "(cn=zhang*)").entries.map { $0.strings("uid") } == [["t2001"]])
        #expect(try s.search(base, .wholeSubtree, "(cn=zs)").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(displayName=*san)").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(cn=zeng xiao xian)").entries.count == 1)
        #expect(try s.search(base, .wholeSubtree, "(cn=shanxiongxin)").entries.count == 1, "单 as a surname reads shan")
    }

    @Test func sizeLimitReturnsEntriesThenSizeLimitExceeded() throws {
        var s = try makeSession()
        let (entries, result) = try s.search(base, .wholeSubtree, "(objectClass=inetOrgPerson)", sizeLimit: 3)
        #expect(entries.count == 3)
        #expect(result.resultCode == .sizeLimitExceeded)
        let exact = try s.search(base, .wholeSubtree, "(uid=t2001)", sizeLimit: 1)
        #expect(exact.result.resultCode == .success)
        var limited = try makeSession(sizeLimit: 5)
        let server = try limited.search(base, .wholeSubtree, "(objectClass=inetOrgPerson)")
        #expect(server.entries.count == 5)
        #expect(server.result.resultCode == .sizeLimitExceeded)
        _ = limited.bind("cn=gitlab,cn=services,dc=example,dc=com", "Svc-gitlab")
        #expect(try limited.search(base, .wholeSubtree, "(objectClass=inetOrgPerson)").result.resultCode == .success)
    }

    @Test func attributeSelection() throws {
        var s = try makeSession()
        let e = try #require(try s.search(zhangsan, .baseObject, attributes: ["CN", "mail;binary", "unknownAttr", "entryUUID"]).entries.first)
        #expect(e.attributes.map(\.type) == ["CN", "mail;binary", "entryUUID"])
        let all = try #require(try s.search(zhangsan, .baseObject).entries.first)
        #expect(all.strings("uid") == ["t2001"])
        #expect(all.strings("entryUUID") == nil)
        #expect(all.strings("userPassword") == nil)
        let both = try #require(try s.search(zhangsan, .baseObject, attributes: ["*", "+"]).entries.first)
        #expect(both.strings("memberOf")?.count == 3)
        #expect(both.strings("userPassword") == nil)
        #expect(both.strings("sn") == ["张"])
        #expect(both.strings("givenName") == ["三"])
        let types = try #require(try s.search(zhangsan, .baseObject, attributes: ["cn"], typesOnly: true).entries.first)
        #expect(types.attributes == [PartialAttribute("cn", [])])
        let none = try #require(try s.search(zhangsan, .baseObject, attributes: ["1.1"]).entries.first)
        #expect(none.attributes.isEmpty)
    }

    @Test func compoundSurnamesSplit() throws {
        var s = try makeSession()
        let e = try #require(try s.search(base, .wholeSubtree, "(uid=t2002)").entries.first)
        #expect(e.strings("sn") == ["欧阳"])
        #expect(e.strings("givenName") == ["娜娜"])
    }

    @Test func adminsSeeDepartedMembers() throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let r = try s.search("cn=departed,dc=example,dc=com", .singleLevel)
        #expect(r.entries.map(\.objectName) == ["uid=w1003,cn=departed,dc=example,dc=com"])
    }

    @Test func anonymousReadCanBeTurnedOff() throws {
        var s = try makeSession(anonymousRead: false)
        #expect(try s.search(base).result.resultCode == .noSuchObject)
        #expect(try s.search("", .baseObject).entries.count == 1)
        #expect(try s.search("cn=Subschema", .baseObject).entries.count == 1)
    }

    @Test func groupsAreGroupOfNames() throws {
        var s = try makeSession()
        let e = try #require(try s.search("cn=语文教研组,cn=groups,dc=example,dc=com", .baseObject).entries.first)
        #expect(e.strings("objectClass") == ["top", "groupOfNames"])
        #expect(e.strings("member")?.first == zhangsan)
        #expect(try s.search(base, .wholeSubtree, "(memberOf=cn=语文教研组,cn=groups,dc=example,dc=com)").entries.count == 2)
    }
}

@Suite struct SessionProtocolTests {
    @Test func abandonGetsNoResponse() throws {
        var s = try makeSession()
        #expect(s.receive(LDAPMessage(messageID: 3, .abandonRequest(2))) == .none)
    }

    @Test func unbindCloses() throws {
        var s = try makeSession()
        #expect(s.receive(LDAPMessage(messageID: 3, .unbindRequest)) == .close)
        #expect(s.receive(LDAPMessage(messageID: 4, .unbindRequest)) == .none)
    }

    @Test func writesAreAnsweredWithAResult() throws {
        var s = try makeSession()
        let out = s.send(7, .deleteRequest(zhangsan))
        guard case .deleteResponse(let r) = out.first?.protocolOp else { Issue.record("no response"); return }
        #expect(out.first?.messageID == 7)
        #expect(r.resultCode == .insufficientAccessRights, "anonymous clients never write")
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let add = s.send(8, .addRequest(AddRequest(entry: "uid=x,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", attributes: [PartialAttribute("objectClass", strings: ["inetOrgPerson"]), PartialAttribute("cn", strings: ["x"]), PartialAttribute("mail", strings: ["x@x.com"])])))
        guard case .addResponse(let a) = add.first?.protocolOp else { Issue.record("no response"); return }
        #expect(a.resultCode == .unwillingToPerform, "a server without a writer is read-only")
    }

    @Test func unknownCriticalControlIsRefusedAndNonCriticalIgnored() throws {
        var s = try makeSession()
        let request = SearchRequest(baseObject: zhangsan, scope: .baseObject, filter: .present("objectClass"))
        let critical = s.send(3, .searchRequest(request), controls: [Control(oid: "1.2.3.4", criticality: true)])
        guard case .searchResultDone(let r) = critical.last?.protocolOp else { Issue.record("no done"); return }
        #expect(r.resultCode == .unavailableCriticalExtension)
        #expect(critical.count == 1)
        let ignored = s.send(4, .searchRequest(request), controls: [Control(oid: "1.2.3.4", criticality: false)])
        #expect(ignored.count == 2)
    }

    @Test func unknownExtendedOperationIsAProtocolError() throws {
        var s = try makeSession()
        let out = s.send(3, .extendedRequest(ExtendedRequest(name: "1.2.3.4.5")))
        guard case .extendedResponse(let r) = out.first?.protocolOp else { Issue.record("no response"); return }
        #expect(r.result.resultCode == .protocolError)
    }

    @Test func responsesFromAClientDisconnect() throws {
        var s = try makeSession()
        guard case .sendAndClose(let m) = s.receive(LDAPMessage(messageID: 3, .modifyResponse(LDAPResult(.success)))) else {
            Issue.record("expected a disconnection")
            return
        }
        guard case .extendedResponse(let notice) = m.first?.protocolOp else { Issue.record("no notice"); return }
        #expect(notice.name == ExtendedResponse.noticeOfDisconnection)
        #expect(m.first?.messageID == 0)
    }

    @Test func compareObeysTheEntry() throws {
        var s = try makeSession()
        func compare(_ dn: String, _ attr: String, _ value: String) -> ResultCode? {
            let out = s.send(3, .compareRequest(CompareRequest(entry: dn, assertion: AttributeValueAssertion(attr, Array(value.utf8)))))
            guard case .compareResponse(let r) = out.first?.protocolOp else { return nil }
            return r.resultCode
        }
        #expect(compare(zhangsan, "mail", "ZHANGSAN@school.example.com") == .compareTrue)
        #expect(compare(zhangsan, "mail", "x@y") == .compareFalse)
        #expect(compare(zhangsan, "rosterQQ", "1") == .noSuchAttribute)
        #expect(compare(zhangsan, "bogus", "1") == .undefinedAttributeType)
        #expect(compare("uid=w1003,cn=departed,dc=example,dc=com", "uid", "w1003") == .noSuchObject)
    }
}

/// caseIgnoreIA5 (mail) ignores insignificant spaces as caseIgnore (uid) does (RFC 4518 §2.6.1):
/// the indexed and the walked forms of a filter agree (found by review: `(uid=t2001 )` matched,
/// `(mail=… )` did not).
@Suite struct InsignificantSpaceTests {
    @Test(arguments: [
        "(mail=zhangsan@school.example.com )", "(mail= zhangsan@school.example.com)", "(mail=ZhangSan@School.example.com\t)",
        "(|(mail=zhangsan@school.example.com )(objectClass=nothing))", "(mail= zhangsan@school*)", "(uid=t2001 )",
    ])
    func spacesAroundAValueAreIgnored(filter: String) throws {
        var s = try makeSession()
        #expect(s.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
        let (entries, result) = try s.search(base, .wholeSubtree, filter, attributes: ["uid"])
        #expect(result.resultCode == .success)
        #expect(entries.map(\.objectName) == [zhangsan], "\(filter)")
    }

    @Test func spacesInsideAnAddressStillCount() throws {
        var s = try makeSession()
        #expect(s.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
        #expect(try s.search(base, .wholeSubtree, "(mail=zhangsan @school.example.com)").entries.isEmpty)
    }
}
