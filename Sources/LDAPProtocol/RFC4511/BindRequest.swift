public import BER

/// A bind request (RFC 4511 §4.2).
///
/// ```
/// BindRequest ::= [APPLICATION 0] SEQUENCE {
///      version                 INTEGER (1 ..  127),
///      name                    LDAPDN,
///      authentication          AuthenticationChoice }
/// AuthenticationChoice ::= CHOICE {
///      simple                  [0] OCTET STRING,
///      sasl                    [3] SaslCredentials,
///      ...  }
/// SaslCredentials ::= SEQUENCE {
///      mechanism               LDAPString,
///      credentials             OCTET STRING OPTIONAL }
/// ```
public struct BindRequest: Sendable, Hashable {
    /// The credentials offered.
    public enum Authentication: Sendable, Hashable {
        /// A password (empty for anonymous or unauthenticated binds).
        case simple([UInt8])
        /// A SASL mechanism and optional credentials.
        case sasl(mechanism: String, credentials: [UInt8]?)
    }

    public static let tag = BERIdentifier.application(0, constructed: true)

    public var version: Int
    public var name: String
    public var authentication: Authentication

    /// - Parameters:
    ///   - version: the protocol version, 3 for LDAPv3.
    ///   - name: the DN (or other name) to bind as.
    ///   - authentication: the credentials.
    public init(version: Int = 3, name: String, authentication: Authentication) {
        self.version = version
        self.name = name
        self.authentication = authentication
    }

    /// Decodes the request from its `[APPLICATION 0]` element.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        version = try r.readInteger(as: Int.self)
        guard (1...127).contains(version) else { throw BERError(.integerOutOfRange, "bind version \(version)") }
        name = try r.readLDAPDN()
        let auth = try r.read()
        switch (auth.identifier.tagClass, auth.identifier.number) {
        case (.contextSpecific, 0):
            authentication = .simple(Array(try auth.primitiveContent()))
        case (.contextSpecific, 3):
            var sasl = try auth.children()
            let mechanism = try sasl.readLDAPString()
            let credentials = try sasl.readIfPresent(.octetString).map { n throws(BERError) in
                Array(try n.primitiveContent())
            }
            try sasl.finish()
            authentication = .sasl(mechanism: mechanism, credentials: credentials)
        default:
            throw BERError(.unexpectedTag, "unknown authentication choice \(auth.identifier)")
        }
        try r.finish()
    }

    /// Writes the request.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(integer: version)
            s.append(string: name)
            switch authentication {
            case .simple(let password):
                s.append(octetString: password, .context(0, constructed: false))
            case .sasl(let mechanism, let credentials):
                s.appendConstructed(.context(3, constructed: true)) { s in
                    s.append(string: mechanism)
                    if let credentials { s.append(octetString: credentials) }
                }
            }
        }
    }
}
