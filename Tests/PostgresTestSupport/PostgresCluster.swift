import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests: Debian's `postgresql` binaries, `initdb` and
/// `pg_ctl` in a temporary directory, on a free loopback port, with password (SCRAM)
/// authentication and TLS on. One cluster serves a whole test run (each test makes its own
/// database); it is stopped when the test process exits, or, if the process is killed, by a
/// watchdog that notices. PostgreSQL refuses to run as root: as root, it runs as `postgres`.
public final class PostgresCluster: Sendable {
    public let directory: String
    public let port: Int
    public let user = "roster"
    public let password = "Pg-test-pass-1"
    /// The server's self-signed certificate (CN=localhost, IP 127.0.0.1), for sslmode=verify-full.
    public var certificate: String { directory + "/server.crt" }
    let binaries: String
    let asPostgres: Bool

    /// The run's cluster, started on first use.
    public static func shared() throws -> PostgresCluster { try sharedResult.get() }
    private static let sharedResult: Result<PostgresCluster, any Error> = Result { try PostgresCluster() }

    /// A cluster of the caller's own (a test that restarts the server must not disturb others).
    public static func makePrivate() throws -> PostgresCluster { try PostgresCluster() }

    private init() throws {
        guard let bin = Self.findBinaries() else {
            throw ClusterError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); scripts/test.sh installs Debian's postgresql")
        }
        binaries = bin
        asPostgres = getuid() == 0
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("roster-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
        // The key must belong to the server's user and be private.
        let cert = try Self.shell(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/server.key", "-out", directory + "/server.crt",
             "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        guard cert.status == 0 else { throw ClusterError("openssl failed: \(cert.output)") }
        chmod(directory + "/server.key", 0o600)
        if asPostgres {
            _ = try Self.shell("/bin/chown", ["-R", "postgres:postgres", directory])
            chmod(directory, 0o755)
        }
        let initdb = try Self.run("initdb", ["-D", directory + "/data", "-U", user, "--auth=scram-sha-256", "--pwfile=" + directory + "/pwfile", "-E", "UTF8", "--no-locale", "--no-sync"], binaries: bin, asPostgres: asPostgres)
        guard initdb.status == 0 else { throw ClusterError("initdb failed: \(initdb.output)") }
        var started: Int?
        var lastError = ""
        for _ in 0..<5 {
            let candidate = try Self.freePort()
            let r = try Self.run(
                "pg_ctl", ["-D", directory + "/data", "-l", directory + "/log", "-w", "-t", "30", "-o", Self.serverOptions(port: candidate, directory: directory), "start"],
                binaries: bin, asPostgres: asPostgres)
            if r.status == 0 {
                started = candidate
                break
            }
            lastError = r.output + ((try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? "")
        }
        guard let started else { throw ClusterError("pg_ctl start failed: \(lastError)") }
        port = started
        startWatchdog()
        PostgresCluster.running.withLock { $0.append(self) }
        _ = PostgresCluster.registerAtExit
    }

    private static let running = Mutex<[PostgresCluster]>([])
    private static let registerAtExit: Void = {
        atexit { for c in PostgresCluster.running.withLock({ $0 }) { c.stopForGood() } }
    }()

    static func serverOptions(port: Int, directory: String) -> String {
        "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=16MB "
            + "-c ssl=on -c ssl_cert_file=\(directory)/server.crt -c ssl_key_file=\(directory)/server.key"
    }

    /// A URL for `database` (no password: tests give it in PGPASSWORD or a file).
    public func url(_ database: String, query: String = "") -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)" + (query.isEmpty ? "" : "?" + query)
    }

    /// Creates a new, empty database and returns its name.
    public func createDatabase() throws -> String {
        let name = "roster_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try sql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL with psql as the cluster's superuser; returns its output.
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let r = try Self.shell(
            "\(binaries)/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement],
            environment: ["PGPASSWORD": password])
        guard r.status == 0 else { throw ClusterError("psql \(statement): \(r.output)") }
        return r.output
    }

    /// Stops the server (fast: connections are closed), then starts it again on the same port.
    public func restart(downFor seconds: Double = 0) throws {
        let stop = try run("pg_ctl", ["-D", directory + "/data", "-m", "fast", "-w", "stop"])
        guard stop.status == 0 else { throw ClusterError("pg_ctl stop failed: \(stop.output)") }
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
        let start = try run("pg_ctl", ["-D", directory + "/data", "-l", directory + "/log", "-w", "-t", "30", "-o", Self.serverOptions(port: port, directory: directory), "start"])
        guard start.status == 0 else { throw ClusterError("pg_ctl start failed: \(start.output)") }
    }

    func stopForGood() {
        _ = try? run("pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A shell loop that stops the cluster once this process is gone (a test run killed with -9).
    private func startWatchdog() {
        let pid = getpid()
        let ctl = (asPostgres ? "runuser -u postgres -- " : "") + "\(binaries)/pg_ctl -D \(directory)/data -m immediate -w stop"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "while kill -0 \(pid) 2>/dev/null; do sleep 1; done; \(ctl) >/dev/null 2>&1; rm -rf \(directory)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try? p.run()
    }

    /// Runs one of PostgreSQL's programs, as `postgres` when this process is root.
    func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try Self.run(tool, arguments, binaries: binaries, asPostgres: asPostgres)
    }

    static func run(_ tool: String, _ arguments: [String], binaries: String, asPostgres: Bool) throws -> (status: Int32, output: String) {
        if asPostgres {
            return try Self.shell("/usr/sbin/runuser", ["-u", "postgres", "--", "\(binaries)/\(tool)"] + arguments)
        }
        return try Self.shell("\(binaries)/\(tool)", arguments)
    }

    /// Runs a program and waits for it; its output goes through a file, not a pipe (a server
    /// that pg_ctl starts keeps inherited descriptors open), and it is reaped with waitpid
    /// (Foundation's Process may miss the exit of a `runuser` child).
    static func shell(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("roster-pg-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process's: a server that pg_ctl starts lives on, and an inherited
        // pipe of another test's child would never reach end of file.
        // (glibc ≥ 2.34 has it; Swift's Glibc module does not declare it.)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            throw ClusterError("this libc has no posix_spawn_file_actions_addclosefrom_np")
        }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for a in argv { free(a) }
            for e in envp { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw ClusterError("cannot run \(path): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ClusterError("waitpid \(path): errno \(errno)") }
        }
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for v in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(v)/bin/initdb") { return "\(root)/\(v)/bin" }
        return nil
    }

    /// A port the kernel says is free now (PostgreSQL cannot be given port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ClusterError("bind failed: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}
