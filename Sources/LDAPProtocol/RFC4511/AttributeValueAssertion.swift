public import BER

/// An attribute description and a value to compare with (RFC 4511 §4.1.8).
///
/// ```
/// AttributeValueAssertion ::= SEQUENCE {
///      attributeDesc   AttributeDescription,
///      assertionValue  AssertionValue }
/// ```
public struct AttributeValueAssertion: Sendable, Hashable {
    public var attribute: String
    public var value: [UInt8]

    /// - Parameters:
    ///   - attribute: an attribute description.
    ///   - value: the assertion value.
    public init(_ attribute: String, _ value: [UInt8]) {
        self.attribute = attribute
        self.value = value
    }

    /// Reads the two components from an already opened SEQUENCE.
    public init(components r: inout BERReader) throws(BERError) {
        attribute = try r.readLDAPString()
        value = Array(try r.readOctetString())
    }

    /// Writes the two components (without an enclosing SEQUENCE).
    public func encodeComponents(into s: inout BERSerializer) {
        s.append(string: attribute)
        s.append(octetString: value)
    }
}
