public import BER

/// An attribute with its values (RFC 4511 §4.1.7); as `Attribute` the values must not be empty.
///
/// ```
/// PartialAttribute ::= SEQUENCE {
///      type       AttributeDescription,
///      vals       SET OF value AttributeValue }
/// Attribute ::= PartialAttribute(WITH COMPONENTS { ..., vals (SIZE(1..MAX))})
/// ```
public struct PartialAttribute: Sendable, Hashable {
    public var type: String
    public var values: [[UInt8]]

    /// - Parameters:
    ///   - type: the attribute description.
    ///   - values: the values.
    public init(_ type: String, _ values: [[UInt8]]) {
        self.type = type
        self.values = values
    }

    /// Convenience for string values.
    public init(_ type: String, strings: [String]) {
        self.type = type
        self.values = strings.map { Array($0.utf8) }
    }

    /// Decodes a PartialAttribute; with `requireValues` an empty value set is rejected.
    public init(berEncoded node: BERNode, requireValues: Bool = false) throws(BERError) {
        guard node.identifier == .sequence else { throw BERError(.unexpectedTag, "attribute must be a SEQUENCE") }
        var r = try node.children()
        type = try r.readLDAPString()
        var vals = try r.readConstructed(.set)
        var values: [[UInt8]] = []
        while !vals.isAtEnd { values.append(Array(try vals.readOctetString())) }
        try r.finish()
        if requireValues && values.isEmpty {
            throw BERError(.invalidPrimitive, "attribute \(type) has no values")
        }
        self.values = values
    }

    /// Writes the attribute.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(.sequence) { s in
            s.append(string: type)
            s.appendConstructed(.set) { s in
                for v in values { s.append(octetString: v) }
            }
        }
    }
}

extension BERReader {
    /// Reads a `SEQUENCE OF PartialAttribute` (or `AttributeList`).
    public mutating func readAttributeList(requireValues: Bool) throws(BERError) -> [PartialAttribute] {
        var list = try readConstructed(.sequence)
        var result: [PartialAttribute] = []
        while let node = try list.next() {
            result.append(try PartialAttribute(berEncoded: node, requireValues: requireValues))
        }
        return result
    }
}
