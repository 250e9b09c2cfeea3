import Directory
public import LDAPProtocol

/// Settings of the LDAP frontend, with documented defaults.
public struct FrontendConfiguration: Sendable {
    /// The naming context; the base entry is the root department.
    public var baseDN: DistinguishedName
    /// Most entries a search by a member or an anonymous client returns when it sets no smaller
    /// limit (administrators and service accounts are not limited). Default 1000.
    public var defaultSizeLimit: Int
    /// Longest a search may run, in seconds, when the client sets no smaller limit. Default 60.
    public var defaultTimeLimit: Int
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

    /// - Parameters: see the properties.
    public init(
        baseDN: DistinguishedName, defaultSizeLimit: Int = 1000, defaultTimeLimit: Int = 60,
        anonymousRead: Bool = false, vendorVersion: String = RosterVersion.current, startTLS: Bool = false,
        allowPlaintextBinds: Bool = false
    ) {
        self.startTLS = startTLS
        self.allowPlaintextBinds = allowPlaintextBinds
        self.baseDN = baseDN
        self.defaultSizeLimit = defaultSizeLimit
        self.defaultTimeLimit = defaultTimeLimit
        self.anonymousRead = anonymousRead
        self.vendorVersion = vendorVersion
    }
}

/// Roster's version string.
public enum RosterVersion {
    public static let current = "0.1.0"
}
