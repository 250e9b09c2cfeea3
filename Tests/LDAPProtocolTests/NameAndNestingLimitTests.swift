import BER
import NIOCore
import Testing

@testable import LDAPProtocol

/// DNs that cannot name an entry, and the filter nesting limit (issue 8, item 7).
@Suite struct NameAndNestingLimitTests {
    @Test(arguments: ["cn=a\u{0}b,dc=x", "cn=a\\00b,dc=x", "\u{0}", "cn=a,\u{0}dc=x", "cn=\u{FFFD},dc=x", "cn=a\\EF\\BF\\BD,dc=x"])
    func rejectsNULAndTheReplacementCharacterInDNs(input: String) {
        #expect(throws: DNSyntaxError.self) { try DistinguishedName(parsing: input) }
    }

    @Test func anLDAPDNThatIsNotUTF8DecodesToANameThatNeverParses() throws {
        // A DelRequest [APPLICATION 10] naming "cn=\xFF".
        let m: [UInt8] = [0x30, 0x09, 0x02, 0x01, 0x07, 0x4A, 0x04, 0x63, 0x6E, 0x3D, 0xFF]
        let message = try LDAPMessage(berEncoded: m[...])
        guard case .deleteRequest(let name) = message.protocolOp else {
            Issue.record("not a delete request: \(message)")
            return
        }
        #expect(throws: DNSyntaxError.self) { try DistinguishedName(parsing: name) }
    }

    static func search(nested depth: Int) -> [UInt8] {
        var filter = Filter.present("cn")
        for level in 0..<depth {
            switch level % 3 {
            case 0: filter = .not(filter)
            case 1: filter = .and([filter, .present("uid")])
            default: filter = .or([filter])
            }
        }
        return LDAPMessage(messageID: 1, .searchRequest(SearchRequest(baseObject: "", scope: .baseObject, filter: filter))).berEncoded
    }

    static func decode(_ bytes: [UInt8]) -> Result<LDAPMessage?, LDAPFramingError> {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            return .success(try LDAPMessageDecoder.decodeOne(from: &buffer, limits: ProtocolLimits()))
        } catch {
            return .failure(error)
        }
    }

    @Test func defaultLimitsAcceptFiltersNestedToTheFilterDepthLimit() throws {
        let limits = ProtocolLimits()
        #expect(limits.maxFilterDepth == 64)
        #expect(limits.maxBERDepth >= limits.maxFilterDepth + 6, "the BER limit must leave room for the filter limit")
        for depth in [32, 64] {
            guard case .success(let m?) = Self.decode(Self.search(nested: depth)), case .searchRequest = m.protocolOp else {
                Issue.record("a filter nested \(depth) deep did not decode")
                continue
            }
        }
    }

    @Test func filterStringsHaveTheSameLimitAsTheWire() throws {
        func nots(_ n: Int) -> String { String(repeating: "(!", count: n) + "(cn=a)" + String(repeating: ")", count: n) }
        _ = try Filter(parsing: nots(ProtocolLimits().maxFilterDepth))
        #expect(throws: FilterSyntaxError.self) { try Filter(parsing: nots(ProtocolLimits().maxFilterDepth + 1)) }
    }

    @Test(arguments: [65, 100, 1000])
    func aDeeperFilterFailsWithTheLimitInTheReason(depth: Int) {
        guard case .failure(let error) = Self.decode(Self.search(nested: depth)) else {
            Issue.record("a filter nested \(depth) deep decoded")
            return
        }
        #expect(error.underlying.code == .tooDeep)
        #expect(error.underlying.reason.contains("64"), "\(error.underlying.reason)")
    }
}
