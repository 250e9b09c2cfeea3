import BER
import Foundation
import NIOCore
import Testing

@testable import LDAPProtocol

/// The PDUs in the fuzzers' seed corpus (Fuzz/corpus/pdu), recorded between OpenLDAP's tools,
/// python-ldap, ldap3 and `roster serve --demo` by Fuzz/capture-corpus.py. Each file is named
/// `SIDE-KIND-HASH`, KIND being the protocolOp's name in RFC 4511 §4.2 as the recorder read it
/// from the tag; `stream-HASH` files hold a client's whole stream, several PDUs back to back.
@Suite struct RecordedPDUTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/corpus/pdu").standardizedFileURL

    static let files: [String] = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// The RFC 4511 §4.2 name of the protocolOp.
    static func kind(_ op: LDAPMessage.ProtocolOp) -> String {
        switch op {
        case .bindRequest: "bindRequest"
        case .bindResponse: "bindResponse"
        case .unbindRequest: "unbindRequest"
        case .searchRequest: "searchRequest"
        case .searchResultEntry: "searchResEntry"
        case .searchResultDone: "searchResDone"
        case .searchResultReference: "searchResRef"
        case .modifyRequest: "modifyRequest"
        case .modifyResponse: "modifyResponse"
        case .addRequest: "addRequest"
        case .addResponse: "addResponse"
        case .deleteRequest: "delRequest"
        case .deleteResponse: "delResponse"
        case .modifyDNRequest: "modDNRequest"
        case .modifyDNResponse: "modDNResponse"
        case .compareRequest: "compareRequest"
        case .compareResponse: "compareResponse"
        case .abandonRequest: "abandonRequest"
        case .extendedRequest: "extendedReq"
        case .extendedResponse: "extendedResp"
        case .intermediateResponse: "intermediateResponse"
        }
    }

    @Test func theCorpusHoldsEveryRequestRealClientsSent() {
        let kinds = Set(Self.files.filter { $0.hasPrefix("client-") }.map { $0.split(separator: "-")[1] })
        for expected in Self.requests.sorted() + ["malformed"] {
            #expect(kinds.contains(Substring(expected)), "no recorded \(expected) in \(Self.folder.path)")
        }
    }

    @Test(arguments: files.filter { !$0.hasPrefix("stream-") && !$0.contains("-malformed-") })
    func everyRecordedPDUDecodesAsWhatItIsAndReencodesToItself(name: String) throws {
        let bytes = try Self.bytes(name)
        let message = try LDAPMessage(berEncoded: bytes[...])
        #expect(Self.kind(message.protocolOp) == String(name.split(separator: "-")[1]))
        // Real clients and Roster encode as RFC 4511 §5.1 says, so re-encoding gives the same bytes.
        #expect(message.berEncoded == bytes)
    }

    static let requests: Set<String> = [
        "bindRequest", "unbindRequest", "searchRequest", "modifyRequest", "addRequest", "delRequest", "modDNRequest",
        "compareRequest", "abandonRequest", "extendedReq",
    ]

    @Test(arguments: files.filter { $0.hasPrefix("stream-") })
    func everyRecordedClientStreamFramesIntoRequests(name: String) throws {
        var buffer = ByteBuffer(bytes: try Self.bytes(name))
        var messages: [LDAPMessage] = []
        while let m = try LDAPMessageDecoder.decodeOne(from: &buffer, limits: ProtocolLimits()) { messages.append(m) }
        #expect(buffer.readableBytes == 0)
        #expect(!messages.isEmpty)
        for m in messages { #expect(Self.requests.contains(Self.kind(m.protocolOp)), "\(m)") }
    }

    @Test(arguments: files.filter { $0.contains("-malformed-") })
    func aRecordedMalformedPDUIsRefused(name: String) throws {
        var buffer = ByteBuffer(bytes: try Self.bytes(name))
        #expect(throws: LDAPFramingError.self) { try LDAPMessageDecoder.decodeOne(from: &buffer, limits: ProtocolLimits()) }
    }
}
