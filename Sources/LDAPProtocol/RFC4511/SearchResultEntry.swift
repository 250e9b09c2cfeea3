public import BER

/// One entry returned by a search (RFC 4511 §4.5.2).
///
/// ```
/// SearchResultEntry ::= [APPLICATION 4] SEQUENCE {
///      objectName      LDAPDN,
///      attributes      PartialAttributeList }
/// PartialAttributeList ::= SEQUENCE OF partialAttribute PartialAttribute
/// ```
public struct SearchResultEntry: Sendable, Hashable {
    public static let tag = BERIdentifier.application(4, constructed: true)

    public var objectName: String
    public var attributes: [PartialAttribute]

    /// - Parameters:
    ///   - objectName: the entry's DN.
    ///   - attributes: the attributes returned.
    public init(objectName: String, attributes: [PartialAttribute]) {
        self.objectName = objectName
        self.attributes = attributes
    }

    /// Decodes the entry.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        objectName = try r.readLDAPString()
        attributes = try r.readAttributeList(requireValues: false)
        try r.finish()
    }

    /// Writes the entry.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: objectName)
            s.appendConstructed(.sequence) { s in for a in attributes { a.encode(into: &s) } }
        }
    }
}

/// A continuation reference (RFC 4511 §4.5.3).
///
/// ```
/// SearchResultReference ::= [APPLICATION 19] SEQUENCE SIZE (1..MAX) OF uri URI
/// ```
public struct SearchResultReference: Sendable, Hashable {
    public static let tag = BERIdentifier.application(19, constructed: true)

    public var uris: [String]

    /// - Parameter uris: LDAP URLs, at least one.
    public init(_ uris: [String]) { self.uris = uris }

    /// Decodes the reference.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        var uris: [String] = []
        while !r.isAtEnd { uris.append(try r.readLDAPString()) }
        guard !uris.isEmpty else { throw BERError(.invalidPrimitive, "search reference with no URI") }
        self.uris = uris
    }

    /// Writes the reference.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in for u in uris { s.append(string: u) } }
    }
}
