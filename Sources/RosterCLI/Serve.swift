import ArgumentParser
import Directory
import Foundation
import LDAPFrontend
import LDAPProtocol
import LDAPServer
import Logging
import PasswordHashing
import ServiceLifecycle
import PostgresStorage
import Storage
import WebConsole

/// `roster serve`: runs the LDAP server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the LDAP server.",
        discussion: """
            With --demo, serves a demo organisation from a fresh temporary database (the seed's school and logistics \
            company). Demo passwords: members Pw-<account>, cn=admin,<base> secret. Without --certificate, --demo makes a \
            self-signed one in its temporary directory (its path is logged) so that `ldapsearch -ZZ` works.

            With --certificate and --private-key, StartTLS is offered; --ldaps adds a listener that speaks TLS from the \
            first byte. A simple bind with a password on a connection without TLS is refused (confidentialityRequired) \
            except from loopback, unless --allow-plaintext-binds.
            """)

    @Option(name: .long, help: "Address and port to listen on (HOST:PORT).")
    var listen: String = "127.0.0.1:3389"

    @Flag(name: .long, help: "Serve the demo organisation from memory.")
    var demo = false

    @Option(name: .long, help: "Base DN of the demo organisation (a database keeps the one set at init).")
    var base: String = "dc=example,dc=com"

    @Option(name: .long, help: "The directory database: a SQLite file (default ./roster.sqlite), or postgres://USER@HOST:PORT/DB[?sslmode=require] shared by several nodes.")
    var database: String?

    @Option(name: .long, help: "A file holding the PostgreSQL password (default: the PGPASSWORD environment variable).")
    var databasePasswordFile: String?

    @Option(name: .long, help: "Seconds between catch-ups with the change log without a notification (default 0.5 for SQLite, 2 for PostgreSQL).")
    var catchUpInterval: Double?

    @Option(name: .long, help: "PostgreSQL: seconds a write waits for another node's write lock before it fails as busy (LDAP 51), nothing applied.")
    var pgLockTimeout: Double = 5

    @Option(name: .long, help: "This node's name on the rootDSE (rosterNodeId, shown to the super admin and service accounts; default HOSTNAME-PID).")
    var nodeId: String?

    /// Tests only: drop PostgreSQL's notifications, leaving the periodic catch-up.
    @Flag(name: .long, help: .hidden)
    var ignoreNotifications = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    // MARK: - Limits (Limits in LDAPFrontend documents each one and what a client gets at it)

    @Option(
        name: .customLong("max-pdu-size"),
        help: "Largest PDU once bound with a name and password (bytes; K and M suffixes for KiB and MiB).")
    var maxPDUSize = ByteCount(Limits().maxPDUSize)

    @Option(
        name: .customLong("max-pdu-size-before-bind"),
        help: "Largest PDU before a bind with a name and password, anonymous clients included (bytes, K, M).")
    var maxPDUSizeBeforeBind = ByteCount(Limits().maxPDUSizeBeforeBind)

    @Option(name: .customLong("max-ber-depth"), help: "Deepest BER nesting in a PDU.")
    var maxBERDepth: Int = Limits().maxBERDepth

    @Option(name: .long, help: "Deepest and/or/not nesting in a search filter (at most --max-ber-depth minus 6).")
    var maxFilterDepth: Int = Limits().maxFilterDepth

    @Option(name: .long, help: "Most items in a search filter.")
    var maxFilterItems: Int = Limits().maxFilterItems

    @Option(name: .long, help: "Most attribute names in a search, attributes in an add, changes in a modify.")
    var maxAttributes: Int = Limits().maxAttributes

    @Option(name: .long, help: "Most controls on one request.")
    var maxControls: Int = Limits().maxControls

    @Option(name: .long, help: "Most connections served at once; beyond it new clients wait in the backlog.")
    var maxConnections: Int = Limits().maxConnections

    @Option(name: .long, help: "Most connections open from one IP address (0: no limit, e.g. behind a proxy).")
    var maxConnectionsPerAddress: Int = Limits().maxConnectionsPerAddress

    @Option(name: .long, help: "Most operations one connection may have waiting or running before the server stops reading from it.")
    var maxOutstanding: Int = Limits().maxOutstandingOperations

    @Option(name: .customLong("pdu-timeout"), help: "Seconds a client may take to finish a PDU it has begun.")
    var pduTimeout: Int = Limits().pduTimeoutSeconds

    @Option(name: .long, help: "Seconds a connection bound with a name and password may stay idle (0: never).")
    var idleTimeout: Int = Limits().idleTimeoutSeconds

    @Option(name: .long, help: "Seconds a connection not bound with a name and password may stay idle (0: never).")
    var idleTimeoutBeforeBind: Int = Limits().idleTimeoutBeforeBindSeconds

    @Option(name: .long, help: "Seconds a search may run when the client asks for no less (0: no limit).")
    var timeLimit: Int = Limits().timeLimitSeconds

    @Option(name: .long, help: "Most entries a member's or anonymous search returns (0: no limit).")
    var sizeLimit: Int = Limits().sizeLimit

    /// The limits the flags set.
    var limits: Limits {
        Limits(
            maxPDUSize: maxPDUSize.bytes, maxPDUSizeBeforeBind: maxPDUSizeBeforeBind.bytes, maxBERDepth: maxBERDepth,
            maxFilterDepth: maxFilterDepth, maxFilterItems: maxFilterItems, maxAttributes: maxAttributes,
            maxControls: maxControls,
            maxConnections: maxConnections, maxConnectionsPerAddress: maxConnectionsPerAddress,
            maxOutstandingOperations: maxOutstanding, pduTimeoutSeconds: pduTimeout, idleTimeoutSeconds: idleTimeout,
            idleTimeoutBeforeBindSeconds: idleTimeoutBeforeBind, timeLimitSeconds: timeLimit, sizeLimit: sizeLimit)
    }

    @Flag(name: .long, help: "Let anonymous clients read the fields the field policy shows (an intranet address book).")
    var anonymousRead = false

    @OptionGroup var security: BindSecurityOptions

    @Option(name: .long, help: "The server's TLS certificate (PEM, then any intermediates); StartTLS is offered with it.")
    var certificate: String?

    @Option(name: .long, help: "The certificate's private key (PEM).")
    var privateKey: String?

    @Option(name: .long, help: "Also listen for LDAPS (TLS from the first byte) on HOST:PORT; needs --certificate.")
    var ldaps: String?

    @Option(name: .long, help: "Also serve the web address book on HOST:PORT (HTTPS with --certificate); --demo: 127.0.0.1:8080.")
    var http: String?

    @Flag(name: .long, help: "Accept simple binds with a password on connections without TLS from any address (default: loopback only).")
    var allowPlaintextBinds = false

    func validate() throws {
        let problems = limits.problems
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "; ")) }
        if (certificate == nil) != (privateKey == nil) {
            throw ValidationError("--certificate and --private-key go together")
        }
        if let catchUpInterval, !(catchUpInterval > 0 && catchUpInterval <= 3600) {
            throw ValidationError("--catch-up-interval: expected seconds between 0 and 3600, got \(catchUpInterval)")
        }
        if !(pgLockTimeout >= 0.001 && pgLockTimeout <= 3600) {
            throw ValidationError("--pg-lock-timeout: expected seconds between 0.001 and 3600, got \(pgLockTimeout)")
        }
        if let nodeId, nodeId.isEmpty || nodeId.count > 64 || nodeId.contains(where: { $0.isNewline }) {
            throw ValidationError("--node-id: expected 1 to 64 characters on one line, got \(nodeId.count)")
        }
        if demo, let database {
            throw ValidationError(
                "--demo serves the demo organisation from a fresh temporary database, so it cannot be combined with --database \(database); drop --demo to serve that database")
        }
        if ldaps != nil, certificate == nil, !demo {
            throw ValidationError("--ldaps needs --certificate and --private-key (or --demo)")
        }
    }

    func run() async throws {
        let (host, port) = try parseListen(listen, option: "--listen")
        let ldapsAddress = try ldaps.map { try parseListen($0, option: "--ldaps") }
        var logger = Logger(label: "roster")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let hasher: any PasswordHasher
        let path: String
        var temporary: String?
        var demoCertificate: (certificate: String, privateKey: String)?
        if demo {
            // Demo passwords are public; fewer PBKDF2 rounds keep the demo quick to start.
            hasher = StandardPasswordHasher(rounds: security.pbkdf2Iterations ?? 10_000)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-demo-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            path = dir.appendingPathComponent("roster.sqlite").path
            temporary = dir.path
            _ = try SQLiteStore.create(path: path, baseDN: base, model: DemoOrganization.build(hasher: hasher))
            logger.info("demo organisation in \(path)")
            if certificate == nil {
                demoCertificate = (dir.appendingPathComponent("certificate.pem").path, dir.appendingPathComponent("private-key.pem").path)
            }
        } else {
            hasher = security.pbkdf2Iterations.map { StandardPasswordHasher(rounds: $0) } ?? passwordHasher
            path = database ?? "./roster.sqlite"
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        if let demoCertificate {
            try SelfSignedCertificate(hosts: SelfSignedCertificate.defaultHosts, days: 30)
                .write(certificate: demoCertificate.certificate, privateKey: demoCertificate.privateKey)
            logger.info("demo TLS certificate in \(demoCertificate.certificate) (LDAPTLS_CACERT=\(demoCertificate.certificate) ldapsearch -ZZ …)")
        }
        var files = demoCertificate
        if let certificate, let privateKey { files = (certificate, privateKey) }
        let tls = files.map {
            TLSSettings(certificatePath: $0.certificate, privateKeyPath: $0.privateKey, ldapsHost: ldapsAddress?.0, ldapsPort: ldapsAddress?.1 ?? 636)
        }
        do {
            try tls?.check()
        } catch {
            throw CLIError(error.description)
        }
        let databaseOptions = DatabaseOptions(database: path, passwordFile: databasePasswordFile)
        let service = try databaseOptions.open(lockTimeout: pgLockTimeout)
        let health = NodeStatus(
            nodeID: nodeId ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)", service: service,
            listens: databaseOptions.isPostgres)
        let baseDN: DistinguishedName
        do {
            baseDN = try DistinguishedName(parsing: service.baseDN)
        } catch {
            throw ValidationError("base DN \(service.baseDN): \(error.reason)")
        }
        let audit = AuditTrail(service: service)
        defer { audit.stop() }
        let authenticator = Authenticator(
            hasher: hasher, policy: security.lockoutPolicy, audit: audit, writer: service,
            failureFloor: security.failedBindDelay.map { Double($0) / 1000 }, upgradesHashes: security.upgradeHashes)
        authenticator.loadNotices(from: service)
        let frontend = Frontend(
            configuration: FrontendConfiguration(
                baseDN: baseDN, anonymousRead: anonymousRead, startTLS: tls != nil, allowPlaintextBinds: allowPlaintextBinds),
            directory: service.live, writer: service, hasher: hasher, logger: logger, authenticator: authenticator, health: health)
        raiseOpenFileLimit(toServe: limits.maxConnections, logger: logger)
        let server = LDAPServer(
            configuration: ServerConfiguration(host: host, port: port, limits: limits, tls: tls), frontend: frontend,
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: server)]
        var follower = ChangeFollower(service: service, logger: logger)
        if databaseOptions.isPostgres {
            // Several nodes: a notification wakes the follower at once; the periodic catch-up
            // covers lost notifications.
            let doorbell = Doorbell()
            follower.doorbell = doorbell
            follower.interval = .milliseconds(Int((catchUpInterval ?? 2) * 1000))
            let location = try databaseOptions.postgresLocation()
            services.append(
                .init(
                    service: PostgresChangeListener(
                        location: location, logger: logger, ignoreNotifications: ignoreNotifications, listening: { health.setListening($0) }
                    ) {
                        doorbell.ring($0.rawValue)
                    }))
            logger.info("serving from PostgreSQL", metadata: ["database": "\(location)", "sequence": "\(service.sequence)"])
        } else if let catchUpInterval {
            follower.interval = .milliseconds(Int(catchUpInterval * 1000))
        }
        services.append(.init(service: follower))
        // HTTPS with the certificate given; the demo's self-signed one is for LDAP only (a browser
        // would refuse it), so the demo's address book is plain HTTP on loopback.
        let webFiles = certificate.flatMap { c in privateKey.map { (certificate: c, privateKey: $0) } }
        if let web = try webServer(service: service, authenticator: authenticator, files: webFiles, logger: logger) {
            services.append(.init(service: web))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The web address book's listener, when `--http` (or `--demo`) asks for one.
    func webServer(
        service: DirectoryService, authenticator: Authenticator, files: (certificate: String, privateKey: String)?, logger: Logger
    ) throws -> WebServer? {
        guard let address = http ?? (demo ? "127.0.0.1:8080" : nil) else { return nil }
        let (host, port) = try parseListen(address, option: "--http")
        if demo {
            logger.info("web address book on \(files == nil ? "http" : "https")://\(host):\(port)/ (sign in as t2001 / Pw-t2001, or admin / secret)")
        }
        return WebServer(
            configuration: WebConfiguration(
                host: host, port: port, certificatePath: files?.certificate, privateKeyPath: files?.privateKey,
                limits: WebLimits(maxConnectionsPerAddress: maxConnectionsPerAddress)),
            directory: service, authenticator: authenticator, logger: logger, optional: http == nil)
    }

    func parseListen(_ value: String, option: String) throws -> (String, Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("\(option): expected HOST:PORT, such as 127.0.0.1:\(option == "--ldaps" ? 636 : option == "--http" ? 8080 : 3389), got \(value)")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// `roster serve`'s password-check settings: lockout, throttle, refusal timing, hash iterations.
struct BindSecurityOptions: ParsableArguments {
    @Option(name: .long, help: "PBKDF2-SHA512 iterations for new and upgraded password hashes (default 100000; the demo 10000).")
    var pbkdf2Iterations: Int?

    @Option(name: .long, help: "Failed binds within the lockout window that lock an account (0: never lock).")
    var lockoutFailures: Int = 5

    @Option(name: .long, help: "Seconds a locked account stays locked.")
    var lockoutDuration: Double = 900

    @Option(name: .long, help: "Seconds within which failed binds of one account count towards its lock.")
    var lockoutWindow: Double = 900

    @Option(name: .long, help: "Failed binds from one client address per minute after which its binds are slowed (0: never).")
    var throttleAfter: Int = 10

    @Option(name: .long, help: "Milliseconds from a refused bind's request to its answer, the same for every refusal (default: twice a password check, at least 20).")
    var failedBindDelay: Int?

    @Flag(inversion: .prefixedNo, help: "Replace an imported hash ({SSHA}, {CRYPT}, …) by the default at the account's next successful bind (--no-upgrade-hashes keeps them, e.g. to move back to OpenLDAP).")
    var upgradeHashes = true

    var lockoutPolicy: LockoutPolicy {
        LockoutPolicy(
            maxFailures: lockoutFailures, lockSeconds: lockoutDuration, failureWindowSeconds: lockoutWindow, throttleAfter: throttleAfter)
    }
}
