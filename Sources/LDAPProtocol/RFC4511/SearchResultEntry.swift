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
    /// The attributes: as values, or as the encoded PartialAttributeList a server wrote
    /// straight from its entry (``init(objectName:encodedAttributes:)``), decoded when read.
    public var attributes: [PartialAttribute] {
        get {
            switch storage {
            case .values(let list): return list
            case .encoded(let bytes):
                var r = BERReader(bytes[...])
                return (try? r.readAttributeList(requireValues: false)) ?? []
            }
        }
        set { storage = .values(newValue) }
    }

    private enum Storage: Sendable {
        case values([PartialAttribute])
        /// A whole `PartialAttributeList` (SEQUENCE header included), as written.
        case encoded([UInt8])
    }
    private var storage: Storage

    /// - Parameters:
    ///   - objectName: the entry's DN.
    ///   - attributes: the attributes returned.
    public init(objectName: String, attributes: [PartialAttribute]) {
        self.objectName = objectName
        self.storage = .values(attributes)
    }

    /// An entry whose attributes are already encoded: `encodedAttributes` is a whole
    /// `PartialAttributeList` (a SEQUENCE, header included), written out as it is. A server
    /// writes its entries this way, without a byte array per value.
    public init(objectName: String, encodedAttributes: [UInt8]) {
        self.objectName = objectName
        self.storage = .encoded(encodedAttributes)
    }

    /// The attributes as written (``init(objectName:encodedAttributes:)``), or nil for an entry
    /// made of values.
    public var encodedAttributes: [UInt8]? {
        if case .encoded(let bytes) = storage { return bytes }
        return nil
    }

    /// Decodes the entry.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        objectName = try r.readLDAPString()
        storage = .values(try r.readAttributeList(requireValues: false))
        try r.finish()
    }

    /// Writes the entry.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: objectName)
            switch storage {
            case .values(let attributes):
                s.appendConstructed(.sequence) { s in for a in attributes { a.encode(into: &s) } }
            case .encoded(let bytes):
                s.bytes.append(contentsOf: bytes)
            }
        }
    }

    public static func == (a: SearchResultEntry, b: SearchResultEntry) -> Bool {
        a.objectName == b.objectName && a.attributes == b.attributes
    }

    public func hash(into h: inout Hasher) {
        h.combine(objectName)
        h.combine(attributes)
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
