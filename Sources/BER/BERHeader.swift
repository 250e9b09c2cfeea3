/// The identifier and length octets of one element, as read from the front of a buffer.
public struct BERHeader: Sendable, Hashable {
    /// The element's identifier.
    public var identifier: BERIdentifier
    /// How many bytes the identifier and length octets take.
    public var headerLength: Int
    /// How many content bytes follow the header.
    public var contentLength: Int

    /// - Parameters:
    ///   - identifier: the identifier.
    ///   - headerLength: identifier and length octets.
    ///   - contentLength: content octets.
    @inlinable
    public init(identifier: BERIdentifier, headerLength: Int, contentLength: Int) {
        self.identifier = identifier
        self.headerLength = headerLength
        self.contentLength = contentLength
    }

    /// Header plus content.
    @inlinable public var totalLength: Int { headerLength + contentLength }

    /// The outcome of looking at the front of a possibly incomplete buffer.
    public enum Peek: Sendable, Hashable {
        /// More bytes are needed before the header can be read.
        case incomplete
        /// The header is complete (the content may not be).
        case header(BERHeader)
    }

    /// Reads the identifier and length octets at the front of `bytes` (X.690 §8.1.2–§8.1.3) under
    /// the LDAP restrictions of RFC 4511 §5.1: definite lengths only, at most four length octets.
    ///
    /// Nothing is allocated, so a framer can check a PDU's length before buffering it.
    /// - Parameters:
    ///   - bytes: the buffer; only its front is read.
    ///   - maxLength: the largest acceptable element, header included.
    /// - Throws: ``BERError`` for an indefinite length, a length form over four octets, a tag
    ///   number over 32 bits, or an element longer than `maxLength`.
    @inlinable
    public static func peek<C: RandomAccessCollection>(
        _ bytes: C, maxLength: Int
    ) throws(BERError) -> Peek where C.Element == UInt8, C.Index == Int {
        var i = bytes.startIndex
        let end = bytes.endIndex
        guard i < end else { return .incomplete }
        let first = bytes[i]
        i += 1
        let tagClass = BER.TagClass(rawValue: first >> 6)!
        let constructed = first & 0x20 != 0
        var number = UInt32(first & 0x1F)
        if number == 0x1F {
            number = 0
            var count = 0
            while true {
                guard i < end else { return .incomplete }
                let b = bytes[i]
                i += 1
                count += 1
                if count == 1 && b == 0x80 {
                    throw BERError(.tagNumberOverflow, "high tag number with a leading zero group")
                }
                guard number & 0xFE00_0000 == 0 else {
                    throw BERError(.tagNumberOverflow, "tag number does not fit in 32 bits")
                }
                number = number << 7 | UInt32(b & 0x7F)
                if b & 0x80 == 0 { break }
            }
        }
        guard i < end else { return .incomplete }
        let lengthByte = bytes[i]
        i += 1
        var length = 0
        if lengthByte < 0x80 {
            length = Int(lengthByte)
        } else if lengthByte == 0x80 {
            throw BERError(.indefiniteLength, "indefinite length form is not allowed (RFC 4511 §5.1)")
        } else {
            let n = Int(lengthByte & 0x7F)
            guard n <= 4 else {
                throw BERError(.lengthTooLong, "length form of \(n) octets; at most 4 are accepted")
            }
            guard end - i >= n else { return .incomplete }
            for _ in 0..<n {
                length = length << 8 | Int(bytes[i])
                i += 1
            }
        }
        let headerLength = i - bytes.startIndex
        guard length <= maxLength - headerLength else {
            throw BERError(.tooLarge, "element of \(length + headerLength) bytes exceeds the limit of \(maxLength)")
        }
        return .header(
            BERHeader(
                identifier: BERIdentifier(tagClass, constructed: constructed, number),
                headerLength: headerLength, contentLength: length))
    }
}
