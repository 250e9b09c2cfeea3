import BER
import NIOCore
import Testing

@testable import LDAPProtocol

/// A search entry with encoded attributes is written straight into the buffer, its lengths
/// computed from its parts: the bytes must be the general encoder's, for every length form of
/// every part (short, one-byte and two-byte and three-byte long forms) and every message ID size,
/// and must decode back to the entry.
@Suite struct EntryWriteTests {
    /// An attribute list of about `size` bytes (a SEQUENCE of one attribute with values).
    static func attributes(_ size: Int) -> [UInt8] {
        var s = BERSerializer()
        s.appendConstructed(.sequence) { s in
            guard size > 0 else { return }
            s.appendConstructed(.sequence) { s in
                s.append(string: "cn")
                s.appendConstructed(.set) { s in s.append(string: String(repeating: "张", count: max(0, size / 3))) }
            }
        }
        return s.bytes
    }

    @Test func theBytesAreTheGeneralEncodersForEveryLength() throws {
        let names = [0, 1, 40, 120, 124, 125, 126, 127, 128, 200, 250, 255, 256, 300, 65_535, 70_000].map { String(repeating: "a", count: $0) }
            + ["uid=张三,ou=语文组,dc=example,dc=com", String(repeating: "部", count: 100)]
        let sizes = [0, 10, 100, 110, 115, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 250, 255, 256, 257, 65_530, 65_600, 70_000]
        let ids: [Int32] = [0, 1, 127, 128, 255, 256, 32_767, 32_768, 65_535, 8_388_608, .max]
        var checked = 0
        for name in names {
            for size in sizes {
                let attrs = Self.attributes(size)
                for id in ids where checked % 3 == 0 || id == 1 || size == 125 {
                    let message = LDAPMessage(messageID: id, .searchResultEntry(SearchResultEntry(objectName: name, encodedAttributes: attrs)))
                    var general = BERSerializer()
                    message.encode(into: &general)
                    var out = ByteBufferAllocator().buffer(capacity: 0)
                    #expect(LDAPMessageEncoder.writeEntry(message, into: &out))
                    let written = out.readBytes(length: out.readableBytes) ?? []
                    #expect(written == general.bytes, "dn \(name.utf8.count) attrs \(attrs.count) id \(id)")
                    let decoded = try LDAPMessage(berEncoded: written[...], limits: ProtocolLimits(maxPDUSize: 1 << 24))
                    #expect(decoded.messageID == id)
                    guard case .searchResultEntry(let e) = decoded.protocolOp else {
                        Issue.record("not an entry")
                        continue
                    }
                    #expect(e.objectName == name)
                    checked += 1
                }
                checked += 1
            }
        }
        #expect(checked > 300)
    }

    /// Other messages, and entries with values or controls, take the general path.
    @Test func otherMessagesAreLeftToTheGeneralPath() {
        var out = ByteBufferAllocator().buffer(capacity: 0)
        let values = LDAPMessage(messageID: 2, .searchResultEntry(SearchResultEntry(objectName: "dc=x", attributes: [PartialAttribute("cn", [[0x61]])])))
        #expect(!LDAPMessageEncoder.writeEntry(values, into: &out))
        let controlled = LDAPMessage(
            messageID: 2, .searchResultEntry(SearchResultEntry(objectName: "dc=x", encodedAttributes: Self.attributes(10))),
            controls: [Control(oid: "1.2.3")])
        #expect(!LDAPMessageEncoder.writeEntry(controlled, into: &out))
        #expect(!LDAPMessageEncoder.writeEntry(LDAPMessage(messageID: 2, .searchResultDone(LDAPResult(.success))), into: &out))
        #expect(out.readableBytes == 0)
    }
}
