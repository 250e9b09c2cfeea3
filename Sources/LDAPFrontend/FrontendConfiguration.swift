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

    /// - Parameters: see the properties. (The size and time limits are ``Limits``, given to each
    ///   connection's ``LDAPSession``.)
    public init(baseDN: DistinguishedName, anonymousRead: Bool = false, vendorVersion: String = RosterVersion.current) {
        self.baseDN = baseDN
        self.anonymousRead = anonymousRead
        self.vendorVersion = vendorVersion
    }
}

/// Roster's version string.
public enum RosterVersion {
    public static let current = "0.1.0"
}
