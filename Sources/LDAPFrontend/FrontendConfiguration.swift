import Directory
public import LDAPProtocol

/// Settings of the LDAP frontend, with documented defaults.
public struct FrontendConfiguration: Sendable {
    /// The naming context; the base entry is the root department.
    public var baseDN: DistinguishedName
    /// Whether anonymous clients may read the directory (the fields the field policy shows). Default false: anonymous sees only the rootDSE and the subschema.
    public var anonymousRead: Bool
    /// What the rootDSE reports as vendorVersion.
    public var vendorVersion: String
    /// Whether the server offers StartTLS (it has a certificate): the rootDSE advertises it only
    /// then. Default false.
    public var startTLS: Bool
    /// Whether a simple bind with a password is accepted on a connection without TLS from any
    /// address; default false: only from loopback, others get `confidentialityRequired`.
    public var allowPlaintextBinds: Bool

    /// - Parameters: see the properties. (The size and time limits are ``Limits``, given to each
    ///   connection's ``LDAPSession``.)
    public init(
        baseDN: DistinguishedName, anonymousRead: Bool = false, vendorVersion: String = RosterVersion.current,
        startTLS: Bool = false, allowPlaintextBinds: Bool = false
    ) {
        self.startTLS = startTLS
        self.allowPlaintextBinds = allowPlaintextBinds
        self.baseDN = baseDN
        self.anonymousRead = anonymousRead
        self.vendorVersion = vendorVersion
    }
}

/// Roster's version string.
public enum RosterVersion {
    public static let current = "0.1.0"
}
