public import Directory
import LDAPProtocol
public import Logging

/// Everything a session needs that outlives it: configuration, the live directory, the password
/// hasher and a logger. Shared by all connections.
public struct Frontend: Sendable {
    public let configuration: FrontendConfiguration
    public let directory: LiveDirectory
    /// Runs LDAP writes; without it the server is read-only.
    public let writer: DirectoryService?
    public let hasher: any PasswordHasher
    public let logger: Logger
    /// Where every connection logs the limits its client hits (rate-limited).
    public let limitLog: LimitLog
    public let dit: DIT
    let builder: EntryBuilder
    /// Checks bind passwords: lockout, throttle, equal refusals, audit, hash upgrades.
    public let authenticator: Authenticator
    /// The node's health, on the rootDSE for the super admin and service accounts (nil: none).
    public let health: NodeStatus?

    /// Extended operations that work, advertised in the rootDSE (Password Modify only with a writer,
    /// StartTLS only with a certificate).
    public var supportedExtensions: [String] {
        (configuration.startTLS ? [ExtendedRequest.startTLS] : [])
            + (writer == nil ? [ExtendedRequest.whoAmI] : [ExtendedRequest.whoAmI, ExtendedRequest.passwordModify])
    }
    /// Controls that work, advertised in the rootDSE.
    public static let supportedControls: [String] = [PagedResultsControl.oid, SortRequestControl.oid]

    /// - Parameters:
    ///   - configuration: frontend settings.
    ///   - directory: the directory to serve.
    ///   - hasher: verifies bind passwords.
    ///   - logger: where operations are logged (never passwords).
    ///   - writer: runs LDAP writes as domain commands (nil: read-only).
    ///   - authenticator: checks bind passwords (default: one with the default lockout policy,
    ///     no audit, and `writer` for locks and hash upgrades).
    ///   - health: the node's health for the rootDSE (nil: not shown).
    public init(
        configuration: FrontendConfiguration, directory: LiveDirectory, writer: DirectoryService? = nil,
        hasher: any PasswordHasher, logger: Logger, authenticator: Authenticator? = nil, health: NodeStatus? = nil
    ) {
        self.configuration = configuration
        self.directory = directory
        self.writer = writer
        self.hasher = hasher
        self.logger = logger
        self.limitLog = LimitLog(logger: logger)
        self.dit = DIT(base: configuration.baseDN)
        let authenticator = authenticator ?? Authenticator(hasher: hasher, writer: writer)
        self.authenticator = authenticator
        self.health = health
        self.builder = EntryBuilder(
            dit: dit, vendorVersion: configuration.vendorVersion, authenticator: authenticator,
            plaintextBinds: configuration.allowPlaintextBinds ? .allowed : .loopbackOnly, health: health)
    }

    /// The entry of a node as the rootDSE and other entries are built.
    func entry(
        for node: DITNode, in model: DirectoryModel, visibility: Visibility, wanted: AttributeWant? = nil, known: Member? = nil, names: MemberNames? = nil
    ) -> Entry? {
        builder.entry(
            for: node, in: model, visibility: visibility, supportedControls: Self.supportedControls,
            supportedExtensions: supportedExtensions, wanted: wanted, known: known, names: names)
    }

    /// What `identity` may see of `model`.
    func visibility(_ identity: BoundIdentity, _ model: DirectoryModel) -> Visibility {
        Visibility(viewer: identity.viewer, model: model, anonymous: configuration.anonymousRead ? .readShownFields : .nothing)
    }
}

/// The identity a connection is bound as.
public struct BoundIdentity: Sendable, Hashable {
    public var viewer: Viewer
    /// The DN bound as (empty for anonymous).
    public var dn: String

    /// The anonymous identity.
    public static let anonymous = BoundIdentity(viewer: .anonymous, dn: "")
}

extension Frontend {
    /// A session bound as the super admin `cn=admin`, for in-process benchmarks of the read path.
    public func adminSessionForBenchmarks() -> LDAPSession {
        LDAPSession(frontend: self, identity: BoundIdentity(viewer: .administrator("admin"), dn: "cn=admin"))
    }
}
