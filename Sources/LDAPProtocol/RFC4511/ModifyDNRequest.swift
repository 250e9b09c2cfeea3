public import BER

/// A modify DN request (RFC 4511 §4.9).
///
/// ```
/// ModifyDNRequest ::= [APPLICATION 12] SEQUENCE {
///      entry           LDAPDN,
///      newrdn          RelativeLDAPDN,
///      deleteoldrdn    BOOLEAN,
///      newSuperior     [0] LDAPDN OPTIONAL }
/// ```
public struct ModifyDNRequest: Sendable, Hashable {
    public static let tag = BERIdentifier.application(12, constructed: true)

    public var entry: String
    public var newRDN: String
    public var deleteOldRDN: Bool
    public var newSuperior: String?

    /// - Parameters: the fields of the request, in RFC order.
    public init(entry: String, newRDN: String, deleteOldRDN: Bool, newSuperior: String? = nil) {
        self.entry = entry
        self.newRDN = newRDN
        self.deleteOldRDN = deleteOldRDN
        self.newSuperior = newSuperior
    }

    /// Decodes the request.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        entry = try r.readLDAPDN()
        newRDN = try r.readLDAPDN()
        deleteOldRDN = try r.readBoolean()
        newSuperior = try r.readIfPresent(.context(0, constructed: false)).map { n in BER.decodeLDAPDN(n.content) }
        try r.finish()
    }

    /// Writes the request.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: entry)
            s.append(string: newRDN)
            s.append(boolean: deleteOldRDN)
            if let newSuperior { s.append(string: newSuperior, .context(0, constructed: false)) }
        }
    }
}
