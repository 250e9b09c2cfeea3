public import BER

/// A bind response (RFC 4511 §4.2.2).
///
/// ```
/// BindResponse ::= [APPLICATION 1] SEQUENCE {
///      COMPONENTS OF LDAPResult,
///      serverSaslCreds    [7] OCTET STRING OPTIONAL }
/// ```
public struct BindResponse: Sendable, Hashable {
    public static let tag = BERIdentifier.application(1, constructed: true)

    public var result: LDAPResult
    public var serverSaslCredentials: [UInt8]?

    /// - Parameters:
    ///   - result: the outcome.
    ///   - serverSaslCredentials: SASL data for the client.
    public init(_ result: LDAPResult, serverSaslCredentials: [UInt8]? = nil) {
        self.result = result
        self.serverSaslCredentials = serverSaslCredentials
    }

    /// Decodes the response.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        result = try LDAPResult(components: &r)
        serverSaslCredentials = try r.readIfPresent(.context(7, constructed: false)).map { Array($0.content) }
        try r.finish()
    }

    /// Writes the response.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            result.encodeComponents(into: &s)
            if let serverSaslCredentials { s.append(octetString: serverSaslCredentials, .context(7, constructed: false)) }
        }
    }
}
