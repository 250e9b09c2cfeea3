/// Writes BER under the LDAP restrictions: definite, minimal lengths; primitive strings; TRUE as 0xFF.
///
/// Used through `inout`: `serializer.appendConstructed(.sequence) { s in s.append(integer: 1) }`.
public struct BERSerializer: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// - Parameter capacity: bytes to reserve up front.
    @inlinable
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes identifier octets (X.690 §8.1.2), with the high-tag-number form above 30.
    @inlinable
    public mutating func appendIdentifier(_ id: BERIdentifier) {
        let lead = id.tagClass.rawValue << 6 | (id.constructed ? 0x20 : 0)
        if id.number < 31 {
            bytes.append(lead | UInt8(id.number))
            return
        }
        bytes.append(lead | 0x1F)
        var groups = 1
        while id.number >> (7 * groups) != 0 { groups += 1 }
        for g in stride(from: groups - 1, through: 0, by: -1) {
            let seven = UInt8(truncatingIfNeeded: id.number >> (7 * g)) & 0x7F
            bytes.append(g == 0 ? seven : seven | 0x80)
        }
    }

    /// Writes a length in its minimal form (X.690 §8.1.3).
    @inlinable
    public mutating func appendLength(_ length: Int) {
        if length < 0x80 {
            bytes.append(UInt8(length))
            return
        }
        var n = 0
        while length >> (8 * n) != 0 { n += 1 }
        bytes.append(0x80 | UInt8(n))
        for i in stride(from: n - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: length >> (8 * i)))
        }
    }

    /// Writes a primitive element.
    @inlinable
    public mutating func appendPrimitive<C: Collection>(_ id: BERIdentifier, content: C) where C.Element == UInt8 {
        appendIdentifier(id)
        appendLength(content.count)
        bytes.append(contentsOf: content)
    }

    /// Writes a constructed element whose children `body` writes.
    @inlinable
    public mutating func appendConstructed(
        _ id: BERIdentifier = .sequence, _ body: (inout BERSerializer) throws -> Void
    ) rethrows {
        appendIdentifier(id.with(constructed: true))
        let lengthIndex = bytes.count
        bytes.append(0)
        try body(&self)
        let length = bytes.count - lengthIndex - 1
        if length < 0x80 {
            bytes[lengthIndex] = UInt8(length)
            return
        }
        var n = 0
        while length >> (8 * n) != 0 { n += 1 }
        bytes[lengthIndex] = 0x80 | UInt8(n)
        var extra = [UInt8](repeating: 0, count: n)
        for i in 0..<n { extra[i] = UInt8(truncatingIfNeeded: length >> (8 * (n - 1 - i))) }
        bytes.insert(contentsOf: extra, at: lengthIndex + 1)
    }

    /// Writes an INTEGER or ENUMERATED in minimal two's complement (X.690 §8.3).
    @inlinable
    public mutating func append<I: FixedWidthInteger>(integer value: I, _ id: BERIdentifier = .integer) {
        let v = Int64(value)
        var n = 8
        while n > 1 {
            let top = UInt8(truncatingIfNeeded: v >> (8 * (n - 1)))
            let next = UInt8(truncatingIfNeeded: v >> (8 * (n - 2)))
            if (top == 0x00 && next & 0x80 == 0) || (top == 0xFF && next & 0x80 != 0) { n -= 1 } else { break }
        }
        appendIdentifier(id)
        appendLength(n)
        for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }

    /// Writes a BOOLEAN; TRUE is 0xFF (RFC 4511 §5.1).
    @inlinable
    public mutating func append(boolean value: Bool, _ id: BERIdentifier = .boolean) {
        appendIdentifier(id)
        bytes.append(1)
        bytes.append(value ? 0xFF : 0x00)
    }

    /// Writes an OCTET STRING from bytes.
    @inlinable
    public mutating func append<C: Collection>(octetString: C, _ id: BERIdentifier = .octetString)
    where C.Element == UInt8 {
        appendPrimitive(id, content: octetString)
    }

    /// Writes an OCTET STRING holding a string's UTF-8.
    @inlinable
    public mutating func append(string: String, _ id: BERIdentifier = .octetString) {
        var s = string
        s.withUTF8 { appendPrimitive(id, content: $0) }
    }

    /// Writes a NULL.
    @inlinable
    public mutating func appendNull(_ id: BERIdentifier = .null) {
        appendIdentifier(id)
        bytes.append(0)
    }
}
