import BER
import NIOCore
import NIOEmbedded
import Testing

@testable import LDAPProtocol

/// The decoder's limits (issue 9, item 5): the PDU size in force can change while the connection
/// runs (smaller before a bind), and a failure says which limit the PDU broke.
@Suite struct PDULimitTests {
    /// A search whose attribute list makes its PDU about `bytes` long.
    static func search(about bytes: Int) -> LDAPMessage {
        let names = (0..<(bytes / 12)).map { String(format: "attr%06d", $0) }
        return LDAPMessage(
            messageID: 2,
            .searchRequest(SearchRequest(baseObject: "", scope: .baseObject, filter: .present("cn"), attributes: names))
        )
    }

    @Test func thePDUSizeInForceIsReadWhenEachPDUStarts() throws {
        let bound = PDUSizeBound(maxPDUSize: 4096)
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(
                LDAPMessageDecoder(limits: ProtocolLimits(maxPDUSize: 1 << 20), pduSize: bound)))
        let small = Self.search(about: 3000)
        let large = Self.search(about: 6000)
        #expect(small.berEncoded.count < 4096 && large.berEncoded.count > 4096)
        try channel.writeInbound(ByteBuffer(bytes: small.berEncoded))
        #expect(try channel.readInbound(as: LDAPInbound.self) == .message(small))
        // The connection raises the bound (a bind succeeded): the larger PDU is accepted.
        bound.maxPDUSize = 8192
        try channel.writeInbound(ByteBuffer(bytes: large.berEncoded))
        #expect(try channel.readInbound(as: LDAPInbound.self) == .message(large))
        // Lowered again: refused from its header alone, before the rest is buffered.
        bound.maxPDUSize = 4096
        try channel.writeInbound(ByteBuffer(bytes: Array(large.berEncoded.prefix(8))))
        guard case .malformed(let error)? = try channel.readInbound(as: LDAPInbound.self) else {
            Issue.record("a PDU over the bound in force is refused")
            return
        }
        #expect(error.limit == .pduSize)
        #expect(error.underlying.reason == "a PDU of \(large.berEncoded.count) bytes; at most 4096 are allowed")
        _ = try channel.finish()
    }

    @Test func theBoundNeverRaisesTheConfiguredMaximum() throws {
        let bound = PDUSizeBound(maxPDUSize: 1 << 30)
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(LDAPMessageDecoder(limits: ProtocolLimits(maxPDUSize: 4096), pduSize: bound)))
        try channel.writeInbound(ByteBuffer(bytes: Self.search(about: 6000).berEncoded))
        guard case .malformed(let error)? = try channel.readInbound(as: LDAPInbound.self) else {
            Issue.record("the configured maximum holds")
            return
        }
        #expect(error.underlying.reason.hasSuffix("at most 4096 are allowed"))
        _ = try channel.finish()
    }

    static func nested(_ depth: Int) -> [UInt8] {
        var filter = Filter.present("cn")
        for _ in 0..<depth { filter = .not(filter) }
        return LDAPMessage(
            messageID: 1, .searchRequest(SearchRequest(baseObject: "", scope: .baseObject, filter: filter))
        ).berEncoded
    }

    static func failure(_ bytes: [UInt8], _ limits: ProtocolLimits) -> LDAPFramingError? {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            _ = try LDAPMessageDecoder.decodeOne(from: &buffer, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    /// A filter deeper than the filter limit, and one that reaches the BER limit first (a BER
    /// limit set below the filter limit's needs), are told apart.
    @Test func filterDepthAndBERDepthAreToldApart() throws {
        let filterLimit = try #require(
            Self.failure(Self.nested(11), ProtocolLimits(maxBERDepth: 80, maxFilterDepth: 10)))
        #expect(filterLimit.limit == .filterDepth)
        #expect(filterLimit.underlying.reason == "filter nested deeper than 10 levels of and/or/not")
        let berLimit = try #require(Self.failure(Self.nested(11), ProtocolLimits(maxBERDepth: 12, maxFilterDepth: 64)))
        #expect(berLimit.limit == .berDepth)
        #expect(berLimit.underlying.reason == "constructed values nested deeper than 12")
        #expect(Self.failure(Self.nested(10), ProtocolLimits(maxBERDepth: 80, maxFilterDepth: 10)) == nil)
        // Malformed input breaks no limit.
        #expect(Self.failure([0x30, 0x80, 0x00], ProtocolLimits())?.limit == nil)
    }
}
