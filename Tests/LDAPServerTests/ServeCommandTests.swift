import Foundation
import LDAPProtocol
import Testing

#if canImport(Glibc)
import Glibc
import TestSupport
#endif

/// The `roster` executable built next to the test bundle.
func rosterExecutable() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let path = dir.appendingPathComponent("roster").path
    return try #require(FileManager.default.isExecutableFile(atPath: path) ? path : nil, "roster is not built at \(path)")
}

@Suite struct ServeCommandTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func serveDemoAnswersThenStopsGracefullyOnSignal(signal: Int32) async throws {
        let binary = try rosterExecutable()
        try await onOwnThread {
            let (p, port) = try startRoster(binary, ["serve", "--demo", "--anonymous-read"])
            defer { if p.isRunning { p.terminate() } }
            let c = try RawClient(port: port)
            #expect(try c.search(1, base: "dc=example,dc=com", filter: "(uid=w0001)").entries.count == 1)
            kill(p.processIdentifier, signal)
            // Open connections are told before they are closed (RFC 4511 §4.4.1).
            let notice = c.read()
            guard case .extendedResponse(let r) = notice?.protocolOp else {
                Issue.record("expected a Notice of Disconnection, got \(String(describing: notice))")
                return
            }
            #expect(r.result.resultCode == .unavailable)
            var waited = 0
            while p.isRunning && waited < 100 {
                usleep(100_000)
                waited += 1
            }
            #expect(!p.isRunning, "roster serve did not stop within 10 s of the signal")
            if !p.isRunning {
                #expect(p.terminationReason == .exit)
                #expect(p.terminationStatus == 0)
            }
        }
    }

    /// The demo always serves a fresh temporary database: a --database beside it is refused, not
    /// silently ignored (found by review).
    @Test func serveDemoWithADatabaseIsRefused() async throws {
        let binary = try rosterExecutable()
        let r = try await onOwnThread { try run(binary, ["serve", "--demo", "--database", "/tmp/somewhere.sqlite"]) }
        #expect(r.status != 0)
        #expect(r.err.contains("--demo") && r.err.contains("--database"))
    }

    @Test func serveWithoutADatabaseSaysWhatToDo() async throws {
        let binary = try rosterExecutable()
        let r = try await onOwnThread { try run(binary, ["serve", "--database", "/nonexistent/roster.sqlite"]) }
        #expect(r.status != 0)
        #expect(r.err.contains("--demo"))
    }
}

/// Starts `roster ARGS --listen 127.0.0.1:0` and returns the process and the port it reports
/// (asking the kernel for the port avoids racing other tests for a "free" one).
func startRoster(_ binary: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Int) {
    let (p, port, _) = try startRosterReportingLog(binary, arguments, environment: environment)
    return (p, port)
}

/// Starts `roster ARGS --listen 127.0.0.1:0`; returns the process, its port and what it logged up
/// to then.
func startRosterReportingLog(
    _ binary: String, _ arguments: [String], environment: [String: String] = [:]
) throws -> (Process, Int, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = arguments + ["--listen", "127.0.0.1:0"]
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let handle = pipe.fileHandleForReading
    var text = ""
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
        let data = readSome(handle)
        if data.isEmpty { break }
        text += String(decoding: data, as: UTF8.self)
        if let r = text.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
            let port = Int(text[r].split(separator: ":").last!)!
            // Keep draining the output so the server never blocks on a full pipe — on a thread of
            // its own: a GCD worker blocked for the server's lifetime starves other tests' GCD work.
            Thread { while !readSome(handle).isEmpty {} }.start()
            return (p, port, text)
        }
    }
    p.terminate()
    throw TestFailure("roster did not report its port: \(text)")
}
