public import BER

/// A compare request (RFC 4511 §4.10).
///
/// ```
/// CompareRequest ::= [APPLICATION 14] SEQUENCE {
///      entry           LDAPDN,
///      ava             AttributeValueAssertion }
/// ```
public struct CompareRequest: Sendable, Hashable {
    public static let tag = BERIdentifier.application(14, constructed: true)

    public var entry: String
    public var assertion: AttributeValueAssertion

    /// - Parameters:
    ///   - entry: the DN of the entry.
    ///   - assertion: the attribute and value to compare.
    public init(entry: String, assertion: AttributeValueAssertion) {
        self.entry = entry
        self.assertion = assertion
    }

    /// Decodes the request.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        entry = try r.readLDAPDN()
        var ava = try r.readConstructed(.sequence)
        assertion = try AttributeValueAssertion(components: &ava)
        try ava.finish()
        try r.finish()
    }

    /// Writes the request.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: entry)
            s.appendConstructed(.sequence) { s in assertion.encodeComponents(into: &s) }
        }
    }
}
