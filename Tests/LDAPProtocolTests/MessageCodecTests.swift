import BER
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import LDAPProtocol

@Suite struct MessageRoundTripTests {
    @Test(arguments: Fixtures.messages)
    func everyPDURoundTrips(message: LDAPMessage) throws {
        let bytes = message.berEncoded
        let decoded = try LDAPMessage(berEncoded: bytes[...])
        #expect(decoded == message)
        #expect(decoded.berEncoded == bytes)
    }

    @Test(arguments: Fixtures.messages)
    func everyTruncatedPrefixIsIncompleteToTheFramerAndInvalidToTheDecoder(message: LDAPMessage) throws {
        let bytes = message.berEncoded
        for n in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[..<n])
            #expect(try LDAPMessageDecoder.decodeOne(from: &buffer, limits: ProtocolLimits()) == nil)
            #expect(buffer.readableBytes == n, "nothing is consumed before a PDU is whole")
            #expect(throws: BERError.self) { try LDAPMessage(berEncoded: bytes[..<n]) }
        }
    }

    @Test func knownBindRequestEncoding() {
        // ldapsearch -x -D cn=a -w b: 30 11 02 01 01 60 0c 02 01 03 04 04 63 6e 3d 61 80 01 62
        let m = LDAPMessage(messageID: 1, .bindRequest(BindRequest(name: "cn=a", authentication: .simple([0x62]))))
        #expect(m.berEncoded == [0x30, 0x11, 0x02, 0x01, 0x01, 0x60, 0x0C, 0x02, 0x01, 0x03, 0x04, 0x04, 0x63, 0x6E, 0x3D, 0x61, 0x80, 0x01, 0x62])
    }

    @Test func unbindIsAnEmptyPrimitiveNull() {
        #expect(LDAPMessage(messageID: 3, .unbindRequest).berEncoded == [0x30, 0x05, 0x02, 0x01, 0x03, 0x42, 0x00])
    }

    @Test func dripFedPDUsDecodeWhateverTheSplit() throws {
        let inputs = Fixtures.messages.map { message -> (ByteBuffer, [LDAPInbound]) in
            (ByteBuffer(bytes: message.berEncoded), [LDAPInbound.message(message)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: inputs) { LDAPMessageDecoder() }
    }

    @Test func manyPDUsInOneBufferDecodeInOrder() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LDAPMessageDecoder()))
        var buffer = ByteBuffer()
        for m in Fixtures.messages { buffer.writeBytes(m.berEncoded) }
        try channel.writeInbound(buffer)
        for m in Fixtures.messages { #expect(try channel.readInbound(as: LDAPInbound.self) == .message(m)) }
        #expect(try channel.finish().isClean)
    }

    @Test func afterAMalformedPDUEverythingIsDiscarded() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LDAPMessageDecoder()))
        let good = LDAPMessage(messageID: 1, .unbindRequest).berEncoded
        try channel.writeInbound(ByteBuffer(bytes: good + [0x30, 0x80, 0x00] + good))
        #expect(try channel.readInbound(as: LDAPInbound.self) == .message(LDAPMessage(messageID: 1, .unbindRequest)))
        guard case .malformed(let error)? = try channel.readInbound(as: LDAPInbound.self) else {
            Issue.record("expected the malformed PDU")
            return
        }
        #expect(error.underlying.code == .indefiniteLength)
        try channel.writeInbound(ByteBuffer(bytes: good))
        #expect(try channel.readInbound(as: LDAPInbound.self) == nil)
        _ = try channel.finish()
    }

    @Test func oneByteAtATimeForAHundredThousandWrites() throws {
        let filter = Filter.or((0..<8000).map { .equalityMatch(AttributeValueAssertion("cn", Array("n\($0)".utf8))) })
        let message = LDAPMessage(messageID: 9, .searchRequest(SearchRequest(baseObject: "", scope: .wholeSubtree, filter: filter)))
        let bytes = message.berEncoded
        #expect(bytes.count > 100_000)
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LDAPMessageDecoder()))
        for b in bytes.prefix(100_000) { try channel.writeInbound(ByteBuffer(bytes: [b])) }
        #expect(try channel.readInbound(as: LDAPInbound.self) == nil)
        try channel.writeInbound(ByteBuffer(bytes: bytes.dropFirst(100_000)))
        #expect(try channel.readInbound(as: LDAPInbound.self) == .message(message))
        _ = try channel.finish()
    }
}

/// The bad-input list of the wire issue, each checked at the decoder.
@Suite struct MalformedPDUTests {
    static func decode(_ bytes: [UInt8], limits: ProtocolLimits = ProtocolLimits()) -> Result<LDAPMessage?, LDAPFramingError> {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            return .success(try LDAPMessageDecoder.decodeOne(from: &buffer, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    static func failureCode(_ bytes: [UInt8], limits: ProtocolLimits = ProtocolLimits()) -> BERError.Code? {
        if case .failure(let e) = decode(bytes, limits: limits) { return e.underlying.code }
        return nil
    }

    @Test func indefiniteLength() {
        #expect(Self.failureCode([0x30, 0x80, 0x02, 0x01, 0x01, 0x42, 0x00, 0x00, 0x00]) == .indefiniteLength)
    }

    @Test func innerLengthLongerThanWhatFollows() {
        #expect(Self.failureCode([0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x05]) == .truncated)
    }

    @Test func outerLengthLongerThanWhatFollowsWaitsForMore() {
        guard case .success(nil) = Self.decode([0x30, 0x7F, 0x02, 0x01, 0x01]) else {
            Issue.record("expected needMoreData")
            return
        }
    }

    @Test func lengthAboveThePDULimitFailsBeforeTheBodyArrives() {
        #expect(Self.failureCode([0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF]) == .tooLarge)
        #expect(Self.failureCode([0x30, 0x83, 0x10, 0x00, 0x00], limits: ProtocolLimits(maxPDUSize: 1024)) == .tooLarge)
    }

    @Test func fiveByteLengthForm() {
        #expect(Self.failureCode([0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x05]) == .lengthTooLong)
        #expect(Self.failureCode([0x30, 0x88, 0, 0, 0, 0, 0, 0, 0, 5]) == .lengthTooLong)
    }

    @Test func sequencesNestedTenThousandDeep() {
        var inner: [UInt8] = []
        for _ in 0..<10_000 { inner = [0x30] + lengthOf(inner.count) + inner }
        let pdu = [0x30] + lengthOf(inner.count + 3) + [0x02, 0x01, 0x01] + inner
        #expect(Self.failureCode(pdu) != nil)
    }

    @Test func filterNestedTenThousandDeep() {
        // Built byte-wise: a Filter value this deep would itself overflow a test thread's stack.
        var filter: [UInt8] = [0x87, 0x02, 0x63, 0x6E]  // (cn=*)
        for _ in 0..<10_000 { filter = [0xA2] + lengthOf(filter.count) + filter }  // (!…)
        let body: [UInt8] = [0x04, 0x00, 0x0A, 0x01, 0x00, 0x0A, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00]
            + filter + [0x30, 0x00]
        let op = [0x63] + lengthOf(body.count) + body
        let pdu = [0x30] + lengthOf(op.count + 3) + [0x02, 0x01, 0x01] + op
        #expect(Self.failureCode(pdu) == .tooDeep)
        var shallow = Filter.present("cn")
        for _ in 0..<20 { shallow = .and([shallow]) }
        let ok = LDAPMessage(messageID: 1, .searchRequest(SearchRequest(baseObject: "", scope: .baseObject, filter: shallow)))
        #expect(Self.failureCode(ok.berEncoded) == nil)
    }

    @Test func filterDepthLimitIsItsOwn() {
        var filter = Filter.present("cn")
        for _ in 0..<10 { filter = .and([filter]) }
        let m = LDAPMessage(messageID: 1, .searchRequest(SearchRequest(baseObject: "", scope: .baseObject, filter: filter)))
        #expect(Self.failureCode(m.berEncoded, limits: ProtocolLimits(maxFilterDepth: 5)) == .tooDeep)
    }

    @Test func overflowingLongFormTag() {
        #expect(Self.failureCode([0x30, 0x0A, 0x02, 0x01, 0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00]) == .tagNumberOverflow)
    }

    @Test func nineByteOrNegativeMessageID() {
        #expect(Self.failureCode([0x30, 0x0D, 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x00]) == .integerOutOfRange)
        #expect(Self.failureCode([0x30, 0x05, 0x02, 0x01, 0xFF, 0x42, 0x00]) == .integerOutOfRange)
        #expect(Self.failureCode([0x30, 0x09, 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00, 0x42, 0x00]) == .integerOutOfRange)
    }

    @Test func booleanOfLengthZeroOrTwo() {
        // A ModifyDN request whose deleteoldrdn BOOLEAN has 0 and then 2 content octets.
        let zero: [UInt8] = [0x30, 0x0B, 0x02, 0x01, 0x01, 0x6C, 0x06, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x01, 0x00]
        #expect(Self.failureCode(Array(zero.prefix(13)) + [0x01, 0x00]) == .truncated || Self.failureCode(zero) != nil)
        let properZero: [UInt8] = [0x30, 0x0D, 0x02, 0x01, 0x01, 0x6C, 0x08, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x01, 0x00]
        #expect(Self.failureCode(properZero) == .invalidPrimitive)
        let two: [UInt8] = [0x30, 0x0F, 0x02, 0x01, 0x01, 0x6C, 0x0A, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x01, 0x02, 0xFF, 0xFF]
        #expect(Self.failureCode(two) == .invalidPrimitive)
    }

    @Test func unknownApplicationTag() {
        #expect(Self.failureCode([0x30, 0x05, 0x02, 0x01, 0x01, 0x7E, 0x00]) == .unexpectedTag)
        #expect(Self.failureCode([0x30, 0x05, 0x02, 0x01, 0x01, 0x51, 0x00]) == .unexpectedTag)
    }

    @Test func extraBytesInsideThePDU() {
        #expect(Self.failureCode([0x30, 0x07, 0x02, 0x01, 0x01, 0x42, 0x00, 0x05, 0x00]) == .trailingBytes)
        // Extra bytes inside the bind request's own SEQUENCE.
        let m = LDAPMessage(messageID: 1, .bindRequest(BindRequest(name: "", authentication: .simple([])))).berEncoded
        var padded = m
        padded[1] += 2
        padded[6] += 2
        padded += [0x05, 0x00]
        #expect(Self.failureCode(padded) == .trailingBytes)
    }

    @Test func aPDUThatIsNotASequence() {
        #expect(Self.failureCode([0x04, 0x01, 0x41]) == .unexpectedTag)
    }

    @Test func invalidUTF8InAnLDAPString() {
        // An ExtendedRequest whose requestName [0] is the single byte 0xFF.
        let m: [UInt8] = [0x30, 0x08, 0x02, 0x01, 0x01, 0x77, 0x03, 0x80, 0x01, 0xFF]
        #expect(Self.failureCode(m) == .invalidPrimitive)
    }

    @Test func invalidUTF8InAnLDAPDNIsNotAMalformedPDU() throws {
        // A BindRequest named by the single byte 0xFF: the PDU decodes (the bind answers
        // invalidDNSyntax), and the name cannot be parsed as a DN.
        let m: [UInt8] = [0x30, 0x0D, 0x02, 0x01, 0x01, 0x60, 0x08, 0x02, 0x01, 0x03, 0x04, 0x01, 0xFF, 0x80, 0x00]
        let message = try LDAPMessage(berEncoded: m[...])
        guard case .bindRequest(let bind) = message.protocolOp else {
            Issue.record("not a bind request: \(message)")
            return
        }
        #expect(bind.name == "\u{FFFD}")
        #expect(throws: DNSyntaxError.self) { try DistinguishedName(parsing: "cn=" + bind.name) }
    }
}

/// The minimal BER length octets of `n`, written by the codec itself.
func lengthOf(_ n: Int) -> [UInt8] {
    var s = BERSerializer()
    s.appendLength(n)
    return s.bytes
}

/// An entry whose attributes a server wrote already encoded is the same PDU, byte for byte, as
/// the one built from values, and reads back as equal.
@Suite struct PreEncodedEntryTests {
    @Test func theSameBytesAndTheSameEntry() throws {
        let attributes = [
            PartialAttribute("cn", strings: ["张三"]), PartialAttribute("objectClass", strings: ["top", "person"]),
            PartialAttribute("empty", []), PartialAttribute("long", strings: [String(repeating: "x", count: 300)]),
        ]
        var list = BERSerializer()
        list.appendConstructed(.sequence) { s in for a in attributes { a.encode(into: &s) } }
        let dn = "uid=t2001,ou=语文组,dc=example,dc=com"
        let plain = LDAPMessage(messageID: 8, .searchResultEntry(SearchResultEntry(objectName: dn, attributes: attributes)))
        let encoded = LDAPMessage(messageID: 8, .searchResultEntry(SearchResultEntry(objectName: dn, encodedAttributes: list.bytes)))
        var a = BERSerializer(), b = BERSerializer()
        plain.encode(into: &a)
        encoded.encode(into: &b)
        #expect(a.bytes == b.bytes)
        #expect(encoded == plain)
        guard case .searchResultEntry(let e) = encoded.protocolOp else { Issue.record("not an entry"); return }
        #expect(e.attributes == attributes)
        #expect(try LDAPMessage(berEncoded: b.bytes[...]) == plain)
    }
}
