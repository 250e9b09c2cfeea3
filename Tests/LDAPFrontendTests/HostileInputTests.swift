import BER
import Directory
import LDAPProtocol
import Logging
import PasswordHashing
import Testing

@testable import LDAPFrontend

/// Seeded random requests from every kind of identity, fed to the session as decoded messages:
/// every one is answered with its own message ID (or a Notice of Disconnection) and none traps
/// (issue 8, item 5: nothing from the network stops the server).
@Suite struct HostileInputTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let dns = [
        "", "dc=example,dc=com", "cn=Subschema", "ou=顺达物流,dc=example,dc=com", "ou=管理层,ou=顺达物流,dc=example,dc=com",
        "uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com", "uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com",
        "cn=groups,dc=example,dc=com", "cn=年会筹备组,cn=groups,dc=example,dc=com", "cn=departed,dc=example,dc=com",
        "uid=w1003,cn=departed,dc=example,dc=com", "cn=admins,dc=example,dc=com", "cn=物流管理员,cn=admins,dc=example,dc=com",
        "cn=services,dc=example,dc=com", "cn=gitlab,cn=services,dc=example,dc=com", "cn=admin,dc=example,dc=com",
        "dc=com", "o=other", "uid=nobody,dc=example,dc=com",
    ]
    static let pieces = [
        "", ",", "+", "=", "\\", "\\00", "\\zz", "#", "#04", "#0402", "\u{0}", "\u{FFFD}", " ", "  ", "ou=", "uid=", "cn=",
        "dc=example", "张", "𠀀", "e\u{301}", ";", "\"", "<", ">", "9223372036854775807", "-1", "1.2.840", "1..2", "OID.1",
    ]
    static let attributes = [
        "cn", "sn", "givenName", "uid", "mail", "mobile", "memberOf", "member", "manager", "rosterLeader", "ou",
        "objectClass", "rosterSortOrder", "rosterVisibility", "rosterHidden", "telephoneNumber", "userPassword",
        "numSubordinates", "entryDN", "createTimestamp", "unknownAttr", "", "cn;binary", "2.5.4.3", "rosterMemberCount",
    ]
    static let values = [
        "", "*", "张三", "zhang", "zs", "13800002001", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
        "TRUE", "all", "x\u{0}y", "\u{FFFD}", "dc=example,dc=com", "uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com",
        "ou=保密,dc=example,dc=com", String(repeating: "长", count: 300), "20240101000000Z", "a\\2a",
    ]

    static func pick<T>(_ list: [T], _ rng: inout Generator) -> T { list[Int.random(in: 0..<list.count, using: &rng)] }

    static func dn(_ rng: inout Generator) -> String {
        var s = pick(dns, &rng)
        if Bool.random(using: &rng) {
            var chars = Array(s)
            let at = chars.isEmpty ? 0 : Int.random(in: 0...chars.count, using: &rng)
            chars.insert(contentsOf: pick(pieces, &rng), at: at)
            s = String(chars)
        }
        return s
    }

    static func bytes(_ rng: inout Generator) -> [UInt8] {
        if Int.random(in: 0..<4, using: &rng) == 0 { return (0..<Int.random(in: 0..<12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        return Array(pick(values, &rng).utf8)
    }

    static func filter(_ rng: inout Generator, depth: Int = 0) -> Filter {
        let attribute = pick(attributes, &rng)
        let choice = Int.random(in: 0..<(depth > 6 ? 7 : 10), using: &rng)
        switch choice {
        case 0: return .equalityMatch(AttributeValueAssertion(attribute, bytes(&rng)))
        case 1:
            return .substrings(SubstringFilter(
                attribute, initial: Bool.random(using: &rng) ? bytes(&rng) : nil,
                any: (0..<Int.random(in: 0..<3, using: &rng)).map { _ in bytes(&rng) }, final: Bool.random(using: &rng) ? bytes(&rng) : nil))
        case 2: return .greaterOrEqual(AttributeValueAssertion(attribute, bytes(&rng)))
        case 3: return .lessOrEqual(AttributeValueAssertion(attribute, bytes(&rng)))
        case 4: return .present(attribute)
        case 5: return .approxMatch(AttributeValueAssertion(attribute, bytes(&rng)))
        case 6:
            let rules: [String?] = [nil, "1.2.840.113556.1.4.1941", "2.5.13.2", "caseExactMatch", "2.5.13.14", "9.9.9"]
            return .extensibleMatch(MatchingRuleAssertion(
                matchingRule: pick(rules, &rng), attribute: Bool.random(using: &rng) ? attribute : nil,
                value: Bool.random(using: &rng) ? Array(dn(&rng).utf8) : bytes(&rng), dnAttributes: Bool.random(using: &rng)))
        case 7: return .not(filter(&rng, depth: depth + 1))
        case 8: return .and((0..<Int.random(in: 0..<3, using: &rng)).map { _ in filter(&rng, depth: depth + 1) })
        default: return .or((0..<Int.random(in: 0..<3, using: &rng)).map { _ in filter(&rng, depth: depth + 1) })
        }
    }

    static func controls(_ rng: inout Generator, paging: [[UInt8]]) -> [Control] {
        var out: [Control] = []
        for _ in 0..<Int.random(in: 0..<3, using: &rng) {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                let cookie = paging.isEmpty || Bool.random(using: &rng) ? bytes(&rng) : pick(paging, &rng)
                let size = pick([0, 1, 2, 5, Int32.max], &rng)
                out.append(PagedResultsControl(size: size, cookie: Bool.random(using: &rng) ? [] : cookie).control(criticality: Bool.random(using: &rng)))
            case 1:
                let keys = (0..<Int.random(in: 1..<3, using: &rng)).map { _ in
                    SortRequestControl.Key(pick(attributes, &rng), orderingRule: Bool.random(using: &rng) ? nil : "2.5.13.3", reverse: Bool.random(using: &rng))
                }
                out.append(Control(oid: SortRequestControl.oid, criticality: Bool.random(using: &rng), value: SortRequestControl(keys: keys).controlValue))
            case 2: out.append(Control(oid: pick([PagedResultsControl.oid, SortRequestControl.oid], &rng), criticality: false, value: bytes(&rng)))
            default: out.append(Control(oid: "1.2.3.4", criticality: Bool.random(using: &rng), value: nil))
            }
        }
        return out
    }

    static func operation(_ rng: inout Generator) -> LDAPMessage.ProtocolOp {
        func attribute() -> PartialAttribute {
            PartialAttribute(pick(attributes, &rng), (0..<Int.random(in: 0..<3, using: &rng)).map { _ in bytes(&rng) })
        }
        switch Int.random(in: 0..<9, using: &rng) {
        case 0, 1, 2:
            return .searchRequest(SearchRequest(
                baseObject: dn(&rng), scope: pick([.baseObject, .singleLevel, .wholeSubtree, .subordinates], &rng),
                sizeLimit: pick([0, 1, 3, Int32.max], &rng), timeLimit: pick([0, 1, Int32.max], &rng), typesOnly: Bool.random(using: &rng),
                filter: filter(&rng), attributes: (0..<Int.random(in: 0..<4, using: &rng)).map { _ in pick(attributes + ["*", "+", "1.1"], &rng) }))
        case 3: return .compareRequest(CompareRequest(entry: dn(&rng), assertion: AttributeValueAssertion(pick(attributes, &rng), bytes(&rng))))
        case 4:
            let ops: [ModifyRequest.Change.Operation] = [.add, .delete, .replace, .increment]
            return .modifyRequest(ModifyRequest(object: dn(&rng), changes: (0..<Int.random(in: 0..<3, using: &rng)).map { _ in
                ModifyRequest.Change(pick(ops, &rng), attribute())
            }))
        case 5: return .addRequest(AddRequest(entry: dn(&rng), attributes: (0..<Int.random(in: 0..<4, using: &rng)).map { _ in attribute() }))
        case 6: return .deleteRequest(dn(&rng))
        case 7:
            return .modifyDNRequest(ModifyDNRequest(
                entry: dn(&rng), newRDN: Bool.random(using: &rng) ? dn(&rng) : "ou=\(pick(values, &rng))", deleteOldRDN: Bool.random(using: &rng),
                newSuperior: Bool.random(using: &rng) ? dn(&rng) : nil))
        default:
            var s = BERSerializer()
            s.appendConstructed(.sequence) { s in
                if Bool.random(using: &rng) { s.append(string: dn(&rng), .context(0, constructed: false)) }
                if Bool.random(using: &rng) { s.append(octetString: bytes(&rng), .context(1, constructed: false)) }
                if Bool.random(using: &rng) { s.append(octetString: bytes(&rng), .context(2, constructed: false)) }
            }
            let value = Bool.random(using: &rng) ? s.bytes : bytes(&rng)
            return .extendedRequest(ExtendedRequest(name: pick([ExtendedRequest.passwordModify, ExtendedRequest.whoAmI, "1.2.3"], &rng), value: value))
        }
    }

    static let identities: [(String, String)?] = [
        nil, ("cn=admin,dc=example,dc=com", "secret"), ("cn=物流管理员,cn=admins,dc=example,dc=com", "Admin-logistics"),
        ("cn=gitlab,cn=services,dc=example,dc=com", "Svc-gitlab"), ("uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com", "Pw-w0001"),
        ("t2001", "Pw-t2001"),
    ]

    @Test(arguments: Array(0..<identities.count))
    func randomRequestsFromEveryIdentityAreAnsweredWithoutATrap(identity: Int) throws {
        let service = try DirectoryService(store: InMemoryStore(demoModel))
        let frontend = Frontend(
            configuration: FrontendConfiguration(baseDN: try DistinguishedName(parsing: "dc=example,dc=com")),
            directory: service.live, writer: service, hasher: StandardPasswordHasher(rounds: 1000), logger: Logger(label: "test"))
        var session = LDAPSession(frontend: frontend)
        if let (name, password) = Self.identities[identity] {
            #expect(session.bind(name, password).resultCode == .success)
        }
        var rng = Generator(state: UInt64(identity) &* 7919 &+ 17)
        var cookies: [[UInt8]] = []
        for id in Int32(2)..<Int32(3000) {
            let op = Self.operation(&rng)
            let controls: [Control]
            if case .searchRequest = op { controls = Self.controls(&rng, paging: cookies) } else { controls = [] }
            let out = session.send(id, op, controls: controls)
            for m in out {
                #expect(m.messageID == id || m.messageID == 0, "\(op)")
                for c in m.controls where c.oid == PagedResultsControl.oid {
                    if let p = try? PagedResultsControl(controlValue: c.value ?? []), !p.cookie.isEmpty { cookies.append(p.cookie) }
                }
            }
            if case .extendedRequest = op { continue }
            #expect(!out.isEmpty, "no answer to \(op)")
        }
        // The session still answers an ordinary search afterwards.
        let after = try session.search("dc=example,dc=com", .wholeSubtree, "(uid=w0001)")
        #expect(after.result.resultCode == .success || after.result.resultCode == .noSuchObject)
    }
}
