public import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL database is: parsed from `postgres://USER@HOST:PORT/DB?sslmode=…`, with the
/// password given apart (a file or `PGPASSWORD`), never in the URL, where `ps` and shell
/// histories would show it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is encrypted, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, Hashable {
        /// No TLS (the default, as for a PostgreSQL on the same host or a private network).
        case disable
        /// TLS, without checking the server's certificate (libpq's `require`).
        case require
        /// TLS, checking the certificate's chain (the system's roots, or `sslrootcert=FILE`) and
        /// that it names the host (libpq's `verify-full`).
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var password: String?
    public var tls: TLSMode
    /// A PEM file of the certificate authorities trusted for `verify-full`.
    public var rootCertificate: String?

    /// Whether a `--database` value names PostgreSQL rather than a SQLite file.
    public static func isPostgresURL(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|require|verify-full&sslrootcert=FILE]` URL.
    /// - Parameters:
    ///   - url: the URL.
    ///   - password: the password (from a file or `PGPASSWORD`); nil for trust or peer authentication.
    /// - Throws: ``PostgresStoreError`` naming what is wrong with the URL.
    public init(parsing url: String, password: String?) throws {
        guard Self.isPostgresURL(url), let components = URLComponents(string: url) else {
            throw PostgresStoreError("--database: expected postgres://USER@HOST:PORT/DATABASE, got \(url)")
        }
        guard components.password == nil else {
            throw PostgresStoreError(
                "--database: the URL holds a password; give it in --database-password-file or PGPASSWORD instead")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStoreError("--database: the URL names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreError("--database: the URL names no host (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError("--database: the URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        self.user = user.removingPercentEncoding ?? user
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        self.password = password
        self.tls = .disable
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw PostgresStoreError("--database: sslmode must be disable, require or verify-full, got \(item.value ?? "")")
                }
                tls = mode
            case "sslrootcert":
                rootCertificate = item.value
            default:
                throw PostgresStoreError("--database: unknown URL parameter \(item.name) (sslmode and sslrootcert are known)")
            }
        }
    }

    /// The URL without a password (for logs and messages).
    public var description: String {
        "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" + (tls == .disable ? "" : "?sslmode=\(tls.rawValue)")
    }

    /// The connection settings postgres-nio takes.
    func configuration(lockTimeout: TimeInterval?) throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable:
            tlsSetting = .disable
        case .require:
            var c = TLSConfiguration.makeClientConfiguration()
            c.certificateVerification = .none
            tlsSetting = .require(try NIOSSLContext(configuration: c))
        case .verifyFull:
            var c = TLSConfiguration.makeClientConfiguration()
            c.certificateVerification = .fullVerification
            if let rootCertificate { c.trustRoots = .file(rootCertificate) }
            tlsSetting = .require(try NIOSSLContext(configuration: c))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsSetting)
        configuration.options.connectTimeout = .seconds(5)
        var parameters = [("application_name", "roster")]
        if let lockTimeout { parameters.append(("lock_timeout", "\(Int((lockTimeout * 1000).rounded()))ms")) }
        configuration.options.additionalStartupParameters = parameters
        return configuration
    }
}

/// A failure of the PostgreSQL store that is not `busy`: a URL, a schema, a server error.
public struct PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
