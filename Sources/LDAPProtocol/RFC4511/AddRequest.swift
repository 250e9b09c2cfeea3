public import BER

/// An add request (RFC 4511 §4.7).
///
/// ```
/// AddRequest ::= [APPLICATION 8] SEQUENCE {
///      entry           LDAPDN,
///      attributes      AttributeList }
/// AttributeList ::= SEQUENCE OF attribute Attribute
/// ```
public struct AddRequest: Sendable, Hashable {
    public static let tag = BERIdentifier.application(8, constructed: true)

    public var entry: String
    public var attributes: [PartialAttribute]

    /// - Parameters:
    ///   - entry: the new entry's DN.
    ///   - attributes: its attributes, each with at least one value.
    public init(entry: String, attributes: [PartialAttribute]) {
        self.entry = entry
        self.attributes = attributes
    }

    /// Decodes the request; an attribute without values is rejected.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        entry = try r.readLDAPDN()
        attributes = try r.readAttributeList(requireValues: true)
        try r.finish()
    }

    /// Writes the request.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: entry)
            s.appendConstructed(.sequence) { s in for a in attributes { a.encode(into: &s) } }
        }
    }
}
