import Testing

@testable import BER

// MARK: - Helpers

func encode(_ body: (inout BERSerializer) -> Void) -> [UInt8] {
    var s = BERSerializer()
    body(&s)
    return s.bytes
}

func readOne(_ bytes: [UInt8], limits: BER.Limits = BER.Limits()) throws(BERError) -> BERNode {
    var r = BERReader(bytes[...], limits: limits)
    let node = try r.read()
    try r.finish()
    return node
}

func code(of body: () throws -> Void) -> BERError.Code? {
    do {
        try body()
        return nil
    } catch {
        return (error as? BERError)?.code
    }
}

@Suite struct IdentifierTests {
    @Test(arguments: [UInt32(0), 1, 30, 31, 127, 128, 16383, 16384, 1 << 21, UInt32.max])
    func tagNumbersRoundTrip(number: UInt32) throws {
        for cls in [BER.TagClass.universal, .application, .contextSpecific, .private] {
            for constructed in [false, true] {
                let id = BERIdentifier(cls, constructed: constructed, number)
                let bytes = encode { s in
                    if constructed { s.appendConstructed(id) { _ in } } else { s.appendPrimitive(id, content: [UInt8]()) }
                }
                let node = try readOne(bytes)
                #expect(node.identifier == id)
                #expect(node.content.isEmpty)
            }
        }
    }

    @Test func lowTagNumbersUseOneByte() {
        #expect(encode { $0.appendIdentifier(.application(30, constructed: true)) } == [0x7E])
        #expect(encode { $0.appendIdentifier(.context(31, constructed: false)) } == [0x9F, 0x1F])
        #expect(encode { $0.appendIdentifier(.context(128, constructed: false)) } == [0x9F, 0x81, 0x00])
    }

    @Test func rejectsOverflowingLongFormTagNumber() {
        let bytes: [UInt8] = [0x5F, 0x8F, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00]
        #expect(code { _ = try readOne(bytes) } == .tagNumberOverflow)
    }

    @Test func rejectsTagNumberWithLeadingZeroGroup() {
        #expect(code { _ = try readOne([0x5F, 0x80, 0x01, 0x00]) } == .tagNumberOverflow)
    }
}

@Suite struct LengthTests {
    @Test(arguments: [0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20])
    func lengthsAreMinimalAndRoundTrip(length: Int) throws {
        let content = [UInt8](repeating: 0xAB, count: length)
        let bytes = encode { $0.append(octetString: content) }
        let expectedHeader = length < 128 ? 2 : 2 + (length.bitWidth - length.leadingZeroBitCount + 7) / 8
        #expect(bytes.count == expectedHeader + length)
        let node = try readOne(bytes)
        #expect(Array(node.content) == content)
    }

    @Test func constructedLengthsAreMinimalWhenContentGrows() throws {
        let bytes = encode { s in
            s.appendConstructed(.sequence) { s in s.append(octetString: [UInt8](repeating: 1, count: 300)) }
        }
        #expect(Array(bytes.prefix(4)) == [0x30, 0x82, 0x01, 0x30])
        var r = try readOne(bytes).children()
        #expect(try r.readOctetString().count == 300)
        try r.finish()
    }

    @Test func rejectsIndefiniteLength() {
        #expect(code { _ = try readOne([0x30, 0x80, 0x00, 0x00]) } == .indefiniteLength)
    }

    @Test func rejectsFiveByteLengthForm() {
        #expect(code { _ = try readOne([0x04, 0x85, 0, 0, 0, 0, 1, 0]) } == .lengthTooLong)
        #expect(code { _ = try readOne([0x04, 0xFF] + [UInt8](repeating: 0, count: 127)) } == .lengthTooLong)
    }

    @Test func acceptsNonMinimalLongFormLength() throws {
        let node = try readOne([0x04, 0x81, 0x02, 0x41, 0x42])
        #expect(Array(node.content) == [0x41, 0x42])
    }

    @Test func rejectsLengthLongerThanWhatFollows() {
        #expect(code { _ = try readOne([0x04, 0x05, 0x41]) } == .truncated)
    }

    @Test func rejectsLengthAboveLimitBeforeReadingContent() {
        let limits = BER.Limits(maxDepth: 8, maxLength: 100)
        #expect(code { _ = try readOne([0x04, 0x84, 0x7F, 0xFF, 0xFF, 0xFF], limits: limits) } == .tooLarge)
        #expect(throws: BERError.self) { try BERHeader.peek([0x30, 0x82, 0x10, 0x00], maxLength: 100) }
    }

    @Test func peekReportsIncompleteHeaders() throws {
        #expect(try BERHeader.peek([UInt8](), maxLength: 100) == .incomplete)
        #expect(try BERHeader.peek([0x30], maxLength: 100) == .incomplete)
        #expect(try BERHeader.peek([0x30, 0x82, 0x01], maxLength: 1000) == .incomplete)
        #expect(try BERHeader.peek([0x5F, 0x81], maxLength: 1000) == .incomplete)
        guard case .header(let h) = try BERHeader.peek([0x30, 0x82, 0x01, 0x00], maxLength: 1000) else {
            Issue.record("expected a header")
            return
        }
        #expect(h.headerLength == 4)
        #expect(h.contentLength == 256)
    }
}

@Suite struct PrimitiveTests {
    @Test(arguments: [
        Int64(0), 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, Int64(Int32.max),
        Int64(Int32.min), Int64.max, Int64.min,
    ])
    func integersRoundTripInMinimalTwosComplement(value: Int64) throws {
        let bytes = encode { $0.append(integer: value) }
        var r = BERReader(bytes[...])
        #expect(try r.readInteger(as: Int64.self) == value)
        // Minimal: no redundant leading 0x00 / 0xFF octet.
        let content = bytes.dropFirst(2)
        if content.count > 1 {
            let a = content[content.startIndex], b = content[content.startIndex + 1]
            #expect(!((a == 0 && b & 0x80 == 0) || (a == 0xFF && b & 0x80 != 0)))
        }
    }

    @Test func knownIntegerEncodings() {
        #expect(encode { $0.append(integer: 0) } == [0x02, 0x01, 0x00])
        #expect(encode { $0.append(integer: 128) } == [0x02, 0x02, 0x00, 0x80])
        #expect(encode { $0.append(integer: -129) } == [0x02, 0x02, 0xFF, 0x7F])
        #expect(encode { $0.append(integer: 2, .enumerated) } == [0x0A, 0x01, 0x02])
    }

    @Test func rejectsIntegersOutOfRange() {
        // 9-byte INTEGER.
        let nine: [UInt8] = [0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(code { var r = BERReader(nine[...]); _ = try r.readInteger(as: Int64.self) } == .integerOutOfRange)
        // 2^31 does not fit in Int32.
        let big: [UInt8] = [0x02, 0x05, 0x00, 0x80, 0, 0, 0]
        #expect(code { var r = BERReader(big[...]); _ = try r.readInteger(as: Int32.self) } == .integerOutOfRange)
        #expect(code { var r = BERReader([0x02, 0x00][...]); _ = try r.readInteger(as: Int32.self) } == .invalidPrimitive)
    }

    @Test func acceptsRedundantSignOctets() throws {
        var r = BERReader([0x02, 0x03, 0x00, 0x00, 0x05][...])
        #expect(try r.readInteger(as: Int32.self) == 5)
        var n = BERReader([0x02, 0x03, 0xFF, 0xFF, 0xFB][...])
        #expect(try n.readInteger(as: Int32.self) == -5)
    }

    @Test func booleansRoundTripWithTrueAsFF() throws {
        #expect(encode { $0.append(boolean: true) } == [0x01, 0x01, 0xFF])
        #expect(encode { $0.append(boolean: false) } == [0x01, 0x01, 0x00])
        var r = BERReader([0x01, 0x01, 0xFF, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01][...])
        #expect(try r.readBoolean() == true)
        #expect(try r.readBoolean() == false)
        #expect(try r.readBoolean() == true)
    }

    @Test func rejectsBooleanOfLengthZeroOrTwo() {
        #expect(code { var r = BERReader([0x01, 0x00][...]); _ = try r.readBoolean() } == .invalidPrimitive)
        #expect(code { var r = BERReader([0x01, 0x02, 0xFF, 0xFF][...]); _ = try r.readBoolean() } == .invalidPrimitive)
    }

    @Test func nullRoundTrips() throws {
        let bytes = encode { $0.appendNull() }
        #expect(bytes == [0x05, 0x00])
        var r = BERReader(bytes[...])
        try r.readNull()
        #expect(code { var r = BERReader([0x05, 0x01, 0x00][...]); try r.readNull() } == .invalidPrimitive)
    }

    @Test func octetStringsAreSlicesOfTheInput() throws {
        let bytes: [UInt8] = [0x04, 0x03, 0x61, 0x62, 0x63]
        var r = BERReader(bytes[0...])
        _ = bytes[2...]
        let value = try r.readOctetString()
        #expect(value.startIndex == 2) // a slice of the input, not a copy
        #expect(Array(value) == Array("abc".utf8))
    }

    @Test func rejectsConstructedOctetString() {
        let bytes: [UInt8] = [0x24, 0x05, 0x04, 0x03, 0x61, 0x62, 0x63]
        #expect(code { var r = BERReader(bytes[...]); _ = try r.readOctetString() } == .constructedPrimitive)
    }
}

@Suite struct StructureTests {
    @Test func rejectsBytesLeftInsideAConstructedValue() throws {
        let bytes: [UInt8] = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0x41]
        var r = try readOne(bytes).children()
        _ = try r.readInteger(as: Int.self)
        #expect(code { try r.finish() } == .trailingBytes)
    }

    @Test func rejectsDeepNestingWithoutRecursingFurther() {
        var bytes: [UInt8] = []
        for _ in 0..<10_000 { bytes = [0x30] + lengthBytes(bytes.count) + bytes }
        let limits = BER.Limits(maxDepth: 48, maxLength: 1 << 20)
        #expect(code {
            var node = try readOne(bytes, limits: limits)
            while true {
                var r = try node.children()
                guard let next = try r.next() else { break }
                node = next
            }
        } == .tooDeep)
    }

    @Test func unexpectedTagsAreReported() {
        #expect(code { var r = BERReader([0x04, 0x00][...]); _ = try r.read(.sequence) } == .unexpectedTag)
    }

    @Test func everyTruncatedPrefixFails() throws {
        let bytes = encode { s in
            s.appendConstructed(.sequence) { s in
                s.append(integer: 1_000_000)
                s.append(octetString: [UInt8](repeating: 7, count: 200))
                s.appendConstructed(.context(3, constructed: true)) { s in s.append(boolean: true) }
            }
        }
        for n in 0..<bytes.count {
            var r = BERReader(bytes[..<n])
            #expect(throws: BERError.self) {
                guard let node = try r.next() else { throw BERError(.truncated, "empty") }
                var c = try node.children()
                while try c.next() != nil {}
            }
        }
    }
}

/// The minimal BER length octets of `n`, written by the codec itself.
func lengthBytes(_ n: Int) -> [UInt8] {
    var s = BERSerializer()
    s.appendLength(n)
    return s.bytes
}
