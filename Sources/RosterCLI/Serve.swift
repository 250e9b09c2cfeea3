import ArgumentParser
import Directory
import Foundation
import LDAPFrontend
import LDAPProtocol
import LDAPServer
import Logging
import PasswordHashing
import ServiceLifecycle

/// `roster serve`: runs the LDAP server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the LDAP server.",
        discussion: """
            With --demo, serves a demo organisation from memory (the seed's school and logistics \
            company). Demo passwords: members Pw-<account>, cn=admin,<base> secret.
            """)

    @Option(name: .long, help: "Address and port to listen on (HOST:PORT).")
    var listen: String = "127.0.0.1:3389"

    @Flag(name: .long, help: "Serve the demo organisation from memory.")
    var demo = false

    @Option(name: .long, help: "Base DN of the demo organisation.")
    var base: String = "dc=example,dc=com"

    @Option(name: .long, help: "The directory database (SQLite).")
    var database: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Most entries a member's or anonymous search returns (0: no limit).")
    var sizeLimit: Int = 1000

    func run() async throws {
        let (host, port) = try parseListen(listen)
        var logger = Logger(label: "roster")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let baseDN: DistinguishedName
        do {
            baseDN = try DistinguishedName(parsing: base)
        } catch {
            throw ValidationError("--base: \(error.reason)")
        }
        let hasher: any PasswordHasher
        let model: DirectoryModel
        if demo {
            // Demo passwords are public; fewer PBKDF2 rounds keep the demo quick to start.
            hasher = StandardPasswordHasher(rounds: 10_000)
            model = DemoOrganization.build(hasher: hasher)
        } else {
            let path = database ?? "./roster.sqlite"
            throw ValidationError(
                """
                \(path) does not exist and this build of Roster serves only the demo organisation. \
                Try `roster serve --demo`.
                """)
        }
        let frontend = Frontend(
            configuration: FrontendConfiguration(baseDN: baseDN, defaultSizeLimit: sizeLimit),
            directory: LiveDirectory(model), hasher: hasher, logger: logger)
        let server = LDAPServer(
            configuration: ServerConfiguration(host: host, port: port), frontend: frontend, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    func parseListen(_ value: String) throws -> (String, Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("--listen: expected HOST:PORT, such as 127.0.0.1:3389, got \(value)")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
