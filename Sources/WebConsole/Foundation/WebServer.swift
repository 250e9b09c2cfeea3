public import Directory
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle

/// The web console's listener, a `Service` for the same `ServiceGroup` as the LDAP server. It
/// logs `listening (web)` with `url=http://HOST:PORT/` once bound (with port 0, the port the
/// system picked).
public struct WebServer: Service {
    public let app: WebApp
    /// Whether a taken port only turns the web console off (logged as an error) instead of
    /// stopping the server: `--demo`'s default port, which another program may hold.
    public let optional: Bool

    /// - Parameters: see ``WebApp/init(configuration:directory:authenticator:logger:)``;
    ///   `optional`: see ``optional``.
    public init(
        configuration: WebConfiguration, directory: DirectoryService, authenticator: Authenticator, logger: Logger,
        optional: Bool = false
    ) {
        app = WebApp(configuration: configuration, directory: directory, authenticator: authenticator, logger: logger)
        self.optional = optional
    }

    public func run() async throws {
        let configuration = app.configuration
        let server: HTTPServerBuilder
        // A connection that sends nothing for this long is closed, half a request or not (found
        // by review: connections that stopped in the middle of their headers held their
        // descriptors until the process ran out).
        // And one address may hold at most `maxConnectionsPerAddress` connections (found by
        // review: one client could open connections until the process ran out of descriptors,
        // stopping LDAP too).
        let counter = app.connectionsPerAddress
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [WebConnectionLimitHandler(counter: counter)],
            idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
        if let cert = configuration.certificatePath, let key = configuration.privateKeyPath {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
        } else {
            server = .http1(configuration: http1)
        }
        let logger = app.logger
        let scheme = configuration.isHTTPS ? "https" : "http"
        let host = configuration.host
        let application = Application(
            router: app.makeRouter(), server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let shown = host.contains(":") ? "[\(host)]" : host
                logger.info("listening (web)", metadata: ["url": "\(scheme)://\(shown):\(port)/"])
            },
            logger: logger)
        do {
            try await application.run()
        } catch {
            let inUse = (error as? IOError)?.errnoCode == EADDRINUSE || "\(error)".contains("Address already in use")
            guard inUse else { throw error }
            let message = "web: \(host):\(configuration.port) is already in use; give --http another HOST:PORT (port 0 picks a free one)"
            guard optional else { throw WebServerError(message) }
            logger.error("\(message); the web address book is off, LDAP goes on")
            try? await gracefulShutdown()
        }
    }
}

/// Why the web console could not start.
public struct WebServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
