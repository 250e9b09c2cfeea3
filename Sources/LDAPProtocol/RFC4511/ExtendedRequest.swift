public import BER

/// An extended request (RFC 4511 §4.12).
///
/// ```
/// ExtendedRequest ::= [APPLICATION 23] SEQUENCE {
///      requestName      [0] LDAPOID,
///      requestValue     [1] OCTET STRING OPTIONAL }
/// ```
public struct ExtendedRequest: Sendable, Hashable {
    public static let tag = BERIdentifier.application(23, constructed: true)

    /// StartTLS (RFC 4511 §4.14).
    public static let startTLS = "1.3.6.1.4.1.1466.20037"
    /// Who am I? (RFC 4532).
    public static let whoAmI = "1.3.6.1.4.1.4203.1.11.3"
    /// Password Modify (RFC 3062).
    public static let passwordModify = "1.3.6.1.4.1.4203.1.11.1"

    public var name: String
    public var value: [UInt8]?

    /// - Parameters:
    ///   - name: the operation's OID.
    ///   - value: its request value.
    public init(name: String, value: [UInt8]? = nil) {
        self.name = name
        self.value = value
    }

    /// Decodes the request.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        name = try r.readLDAPString(.context(0, constructed: false))
        value = try r.readIfPresent(.context(1, constructed: false)).map { Array($0.content) }
        try r.finish()
    }

    /// Writes the request.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: name, .context(0, constructed: false))
            if let value { s.append(octetString: value, .context(1, constructed: false)) }
        }
    }
}
