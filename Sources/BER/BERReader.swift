/// Reads the elements of one level of a BER encoding, front to back, without copying.
///
/// A reader is created over a whole PDU (``init(_:limits:)``) or over a constructed element's
/// content (``BERNode/children()``). Grammar code reads the elements it expects and then calls
/// ``finish()``, which rejects bytes left over inside the constructed value.
public struct BERReader: Sendable {
    /// The bytes not read yet.
    public var remaining: ArraySlice<UInt8>
    /// Depth of the elements this reader yields, minus one.
    public let depth: Int
    /// Limits applied to every element read.
    public let limits: BER.Limits

    /// A reader over a top-level encoding.
    /// - Parameters:
    ///   - bytes: the input.
    ///   - limits: depth and size bounds.
    @inlinable
    public init(_ bytes: ArraySlice<UInt8>, limits: BER.Limits = BER.Limits()) {
        self.init(bytes, depth: 0, limits: limits)
    }

    @inlinable
    init(_ bytes: ArraySlice<UInt8>, depth: Int, limits: BER.Limits) {
        self.remaining = bytes
        self.depth = depth
        self.limits = limits
    }

    /// Whether every byte has been read.
    @inlinable public var isAtEnd: Bool { remaining.isEmpty }

    /// The identifier of the next element, if any, without consuming it.
    @inlinable
    public func peekIdentifier() throws(BERError) -> BERIdentifier? {
        if remaining.isEmpty { return nil }
        switch try BERHeader.peek(remaining, maxLength: limits.maxLength) {
        case .incomplete: throw BERError(.truncated, "element header cut off")
        case .header(let h): return h.identifier
        }
    }

    /// Reads the next element.
    /// - Returns: the element, or nil when the reader is at its end.
    /// - Throws: ``BERError`` when the element is malformed, truncated, too large or too deep.
    @inlinable
    public mutating func next() throws(BERError) -> BERNode? {
        if remaining.isEmpty { return nil }
        let header: BERHeader
        switch try BERHeader.peek(remaining, maxLength: limits.maxLength) {
        case .incomplete: throw BERError(.truncated, "element header cut off")
        case .header(let h): header = h
        }
        guard remaining.count >= header.totalLength else {
            throw BERError(
                .truncated, "\(header.identifier) claims \(header.contentLength) content bytes, "
                    + "\(remaining.count - header.headerLength) remain")
        }
        if header.identifier.constructed {
            guard depth + 1 <= limits.maxDepth else {
                throw BERError(.tooDeep, "constructed values nested deeper than \(limits.maxDepth)")
            }
        }
        let start = remaining.startIndex
        let contentStart = start + header.headerLength
        let contentEnd = contentStart + header.contentLength
        let node = BERNode(
            identifier: header.identifier, content: remaining[contentStart..<contentEnd], depth: depth + 1,
            limits: limits)
        remaining = remaining[contentEnd...]
        return node
    }

    /// Reads the next element, which must exist.
    @inlinable
    public mutating func read() throws(BERError) -> BERNode {
        guard let node = try next() else { throw BERError(.truncated, "an element was expected") }
        return node
    }

    /// Reads the next element, which must carry `identifier`.
    @inlinable
    public mutating func read(_ identifier: BERIdentifier) throws(BERError) -> BERNode {
        let node = try read()
        guard node.identifier == identifier else {
            throw BERError(.unexpectedTag, "expected \(identifier), found \(node.identifier)")
        }
        return node
    }

    /// Reads the next element if it carries `identifier`; leaves the reader unchanged otherwise.
    @inlinable
    public mutating func readIfPresent(_ identifier: BERIdentifier) throws(BERError) -> BERNode? {
        guard try peekIdentifier() == identifier else { return nil }
        return try read()
    }

    /// Fails if any byte is left.
    /// - Throws: ``BERError/Code/trailingBytes``.
    @inlinable
    public func finish() throws(BERError) {
        guard remaining.isEmpty else {
            throw BERError(.trailingBytes, "\(remaining.count) unexpected bytes after the last element")
        }
    }

    // MARK: - Typed reads

    /// Reads a constructed element with `identifier` and returns a reader over its children.
    @inlinable
    public mutating func readConstructed(_ identifier: BERIdentifier = .sequence) throws(BERError) -> BERReader {
        try read(identifier).children()
    }

    /// Reads an OCTET STRING (or an implicitly tagged one), primitive form only.
    @inlinable
    public mutating func readOctetString(_ identifier: BERIdentifier = .octetString) throws(BERError)
        -> ArraySlice<UInt8>
    {
        let node = try read()
        guard node.identifier.tagClass == identifier.tagClass, node.identifier.number == identifier.number else {
            throw BERError(.unexpectedTag, "expected \(identifier), found \(node.identifier)")
        }
        return try node.primitiveContent()
    }

    /// Reads an INTEGER (or ENUMERATED, or an implicitly tagged one) that must fit in `I`.
    @inlinable
    public mutating func readInteger<I: FixedWidthInteger>(
        _ identifier: BERIdentifier = .integer, as: I.Type = I.self
    ) throws(BERError) -> I {
        let node = try read(identifier)
        return try BER.decodeInteger(node.content, as: I.self)
    }

    /// Reads a BOOLEAN: exactly one content octet, any non-zero value is TRUE.
    @inlinable
    public mutating func readBoolean(_ identifier: BERIdentifier = .boolean) throws(BERError) -> Bool {
        let node = try read(identifier)
        return try BER.decodeBoolean(node.content)
    }

    /// Reads a NULL: no content octets.
    @inlinable
    public mutating func readNull(_ identifier: BERIdentifier = .null) throws(BERError) {
        let node = try read(identifier)
        guard node.content.isEmpty else { throw BERError(.invalidPrimitive, "NULL with \(node.content.count) content bytes") }
    }
}

extension BER {
    /// Decodes the content of an INTEGER or ENUMERATED (X.690 §8.3, two's complement).
    /// - Throws: ``BERError/Code/invalidPrimitive`` for an empty value,
    ///   ``BERError/Code/integerOutOfRange`` if the value does not fit in `I`.
    @inlinable
    public static func decodeInteger<I: FixedWidthInteger>(
        _ content: ArraySlice<UInt8>, as: I.Type = I.self
    ) throws(BERError) -> I {
        guard let first = content.first else { throw BERError(.invalidPrimitive, "INTEGER with no content") }
        // Skip redundant sign octets so that a non-minimal (but valid BER) encoding still decodes.
        var bytes = content
        while bytes.count > 1 {
            let a = bytes[bytes.startIndex], b = bytes[bytes.startIndex + 1]
            if (a == 0x00 && b & 0x80 == 0) || (a == 0xFF && b & 0x80 != 0) {
                bytes = bytes.dropFirst()
            } else {
                break
            }
        }
        guard bytes.count <= 8 else {
            throw BERError(.integerOutOfRange, "INTEGER of \(content.count) octets is out of range")
        }
        var value: Int64 = first & 0x80 != 0 ? -1 : 0
        for b in bytes { value = value << 8 | Int64(b) }
        guard let result = I(exactly: value) else {
            throw BERError(.integerOutOfRange, "INTEGER \(value) is out of range")
        }
        return result
    }

    /// Decodes the content of a BOOLEAN: exactly one octet.
    @inlinable
    public static func decodeBoolean(_ content: ArraySlice<UInt8>) throws(BERError) -> Bool {
        guard content.count == 1 else {
            throw BERError(.invalidPrimitive, "BOOLEAN with \(content.count) content octets; exactly 1 is required")
        }
        return content.first! != 0
    }
}
