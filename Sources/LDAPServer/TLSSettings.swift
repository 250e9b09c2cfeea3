/// TLS settings of a server: the certificate and key, and where LDAPS listens. With them the
/// plain listener offers StartTLS (RFC 4511 §4.14, RFC 4513 §3); the LDAPS listener, when
/// given, speaks TLS from the first byte.
public struct TLSSettings: Sendable, Hashable {
    /// A PEM file with the server's certificate, then any intermediate certificates.
    public var certificatePath: String
    /// A PEM file with the certificate's private key (PKCS #8, SEC 1 or PKCS #1).
    public var privateKeyPath: String
    /// Address the LDAPS listener listens on; nil: no LDAPS listener (StartTLS only). Default nil.
    public var ldapsHost: String?
    /// Port of the LDAPS listener; 0 picks a free one. Default 636.
    public var ldapsPort: Int
    /// Longest a TLS handshake may take, in seconds — after StartTLS or on the LDAPS listener — before
    /// the server closes that connection (a client that stops half-way, or never starts).
    /// Default 10.
    public var handshakeTimeoutSeconds: Int64

    /// - Parameters: see the properties.
    public init(
        certificatePath: String, privateKeyPath: String, ldapsHost: String? = nil, ldapsPort: Int = 636,
        handshakeTimeoutSeconds: Int64 = 10
    ) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.ldapsHost = ldapsHost
        self.ldapsPort = ldapsPort
        self.handshakeTimeoutSeconds = handshakeTimeoutSeconds
    }
}

extension TLSSettings {
    /// Loads the certificate and key as the server will, so that a bad file is reported before
    /// the server starts.
    /// - Throws: ``TLSSetupError`` naming the file and what is wrong with it.
    public func check() throws(TLSSetupError) {
        _ = try ServerTLS(self)
    }
}
