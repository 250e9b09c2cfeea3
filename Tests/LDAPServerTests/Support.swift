import Directory
import Foundation
import LDAPFrontend
import LDAPProtocol
import LDAPServer
import Logging
import PasswordHashing
import Storage
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
import TestSupport
#endif

/// The demo directory with cheap hashes, built once.
let demoModel = DemoOrganization.build(hasher: StandardPasswordHasher(rounds: 1000))

/// Runs a server on a free loopback port for the duration of `body`.
///
/// `body` is synchronous and runs on a thread of its own: the clients in it block on sockets and
/// processes, and must not starve the cooperative pool the server's connections run on.
///
/// `maxConnections`, `pduTimeout` and `idleTimeout` (after bind), when given, override `limits`.
func withServer<T: Sendable>(
    limits: Limits = Limits(), anonymousRead: Bool = true, model: DirectoryModel = demoModel,
    maxConnections: Int? = nil, pduTimeout: Int? = nil, idleTimeout: Int? = nil, logger: Logger? = nil,
    _ body: @escaping @Sendable (Int) throws -> T
) async throws -> T {
    var limits = limits
    if let maxConnections { limits.maxConnections = maxConnections }
    if let pduTimeout { limits.pduTimeoutSeconds = pduTimeout }
    if let idleTimeout { limits.idleTimeoutSeconds = idleTimeout }
    let logger = logger ?? {
        var logger = Logger(label: "test-server")
        logger.logLevel = .warning
        return logger
    }()
    let frontend = Frontend(
        configuration: FrontendConfiguration(baseDN: try DistinguishedName(parsing: "dc=example,dc=com"), anonymousRead: anonymousRead),
        directory: LiveDirectory(model), hasher: StandardPasswordHasher(rounds: 1000), logger: logger)
    let server = LDAPServer(
        configuration: ServerConfiguration(host: "127.0.0.1", port: 0, limits: limits), frontend: frontend, logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await server.run()
            return nil
        }
        guard let port = await server.waitUntilListening() else { throw TestFailure("server did not start") }
        let result = try await onOwnThread { try body(port) }
        group.cancelAll()
        return result
    }
}

/// Runs blocking work on a new thread and awaits its result.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A blocking TCP client for sending arbitrary bytes, with a receive timeout.
final class RawClient {
    let fd: Int32

    /// - Parameters:
    ///   - port: the server's port on 127.0.0.1.
    ///   - source: the local address to connect from (another loopback address, such as
    ///     127.0.0.2, is another client address to the server).
    init(port: Int, from source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            // (A failed init still runs deinit, which closes the socket.)
            guard bound == 0 else { throw TestFailure("bind to \(source) failed: errno \(errno)") }
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw TestFailure("connect failed: errno \(errno)") }
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func send(_ message: LDAPMessage) { write(message.berEncoded) }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    private var buffer: [UInt8] = []

    /// Reads one LDAPMessage; nil when the server closed the connection (or on timeout).
    func read() -> LDAPMessage? {
        while true {
            if let (message, used) = try? parse() {
                buffer.removeFirst(used)
                return message
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            buffer += chunk[..<n]
        }
    }

    private func parse() throws -> (LDAPMessage, Int)? {
        guard case .header(let h) = try BERHeaderPeek.peek(buffer), buffer.count >= h else { return nil }
        return (try LDAPMessage(berEncoded: buffer[..<h]), h)
    }

    /// Whether the server has closed the connection (read returns end of stream).
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0
    }

    /// Sends a search and collects everything up to its SearchResultDone.
    func search(_ id: Int32, base: String, filter: String) throws -> (entries: [SearchResultEntry], result: LDAPResult?) {
        send(LDAPMessage(messageID: id, .searchRequest(SearchRequest(baseObject: base, scope: .wholeSubtree, filter: try Filter(parsing: filter)))))
        var entries: [SearchResultEntry] = []
        while let m = read() {
            #expect(m.messageID == id)
            switch m.protocolOp {
            case .searchResultEntry(let e): entries.append(e)
            case .searchResultDone(let r): return (entries, r)
            default: break
            }
        }
        return (entries, nil)
    }
}

import BER

enum BERHeaderPeek {
    enum Outcome { case incomplete, header(Int) }
    static func peek(_ bytes: [UInt8]) throws -> Outcome {
        switch try BERHeader.peek(bytes, maxLength: 1 << 30) {
        case .incomplete: return .incomplete
        case .header(let h): return .header(h.totalLength)
        }
    }
}

/// Runs a command, returning its exit status and output.
func run(_ tool: String, _ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 30) throws -> (status: Int32, out: String, err: String) {
    let path = try #require(findTool(tool), "\(tool) is not installed; the README's test command installs it")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    var env = ProcessInfo.processInfo.environment
    env["LDAPNOINIT"] = "1"
    // Debug builds hash slowly; the CLI's own default (100 000 rounds) is not what is tested here.
    env["ROSTER_PASSWORD_ROUNDS"] = "1000"
    p.environment = env
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = readAll(out.fileHandleForReading)
    let errData = readAll(err.fileHandleForReading)
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

func findTool(_ name: String) -> String? {
    if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") + ["/usr/bin", "/usr/sbin"] {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// LDIF output with base64 values (`attr:: …`) decoded and continuation lines joined.
func decodeLDIF(_ text: String) -> String {
    var lines: [String] = []
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if raw.hasPrefix(" "), !lines.isEmpty {
            lines[lines.count - 1] += raw.dropFirst()
        } else {
            lines.append(String(raw))
        }
    }
    return lines.map { line -> String in
        guard let r = line.range(of: ":: ") else { return line }
        let value = Data(base64Encoded: String(line[r.upperBound...])).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return line[..<r.lowerBound] + ": " + value
    }.joined(separator: "\n")
}

/// Runs a server whose writes go to a fresh SQLite database holding `model`; `body` gets the port
/// and the database path.
func withWritableServer<T: Sendable>(
    model: DirectoryModel = demoModel, busyTimeout: TimeInterval = SQLiteStore.defaultBusyTimeout,
    _ body: @escaping @Sendable (Int, String) throws -> T
) async throws -> T {
    try await withWritableServer(model: model, busyTimeout: busyTimeout, authenticator: nil) { port, path, _ in try body(port, path) }
}

/// The same, with the frontend's authenticator made by `authenticator` (nil: the default one)
/// and, with `followCLI`, the database followed as `roster serve` does; `body` also gets the
/// authenticator.
func withWritableServer<T: Sendable>(
    model: DirectoryModel = demoModel, busyTimeout: TimeInterval = SQLiteStore.defaultBusyTimeout,
    hasher: StandardPasswordHasher = StandardPasswordHasher(rounds: 1000), followCLI: Bool = false,
    authenticator makeAuthenticator: ((DirectoryService, StandardPasswordHasher) -> Authenticator)?,
    _ body: @escaping @Sendable (Int, String, Authenticator) throws -> T
) async throws -> T {
    var logger = Logger(label: "test-server")
    logger.logLevel = .warning
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-write-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("roster.sqlite").path
    let service = try DirectoryService(
        store: try SQLiteStore.create(path: path, baseDN: "dc=example,dc=com", model: model, busyTimeout: busyTimeout))
    let frontend = Frontend(
        configuration: FrontendConfiguration(baseDN: try DistinguishedName(parsing: "dc=example,dc=com")),
        directory: service.live, writer: service, hasher: hasher, logger: logger,
        authenticator: makeAuthenticator?(service, hasher))
    let server = LDAPServer(
        configuration: ServerConfiguration(host: "127.0.0.1", port: 0), frontend: frontend, logger: logger)
    // Follows what the CLI commits to the database, as `roster serve` does.
    let following = Mutex(followCLI)
    defer { following.withLock { $0 = false } }
    if followCLI {
        Thread {
            while following.withLock({ $0 }) {
                _ = try? service.refresh()
                Thread.sleep(forTimeInterval: 0.05)
            }
        }.start()
    }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await server.run()
            return nil
        }
        guard let port = await server.waitUntilListening() else { throw TestFailure("server did not start") }
        let result = try await onOwnThread { try body(port, path, frontend.authenticator) }
        group.cancelAll()
        return result
    }
}
