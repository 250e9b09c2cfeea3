import Foundation
import LDAPProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `roster` executable built next to the test bundle.
func rosterExecutable() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let path = dir.appendingPathComponent("roster").path
    return try #require(FileManager.default.isExecutableFile(atPath: path) ? path : nil, "roster is not built at \(path)")
}

/// A free loopback port (bound, then released).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

@Suite struct ServeCommandTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func serveDemoAnswersThenStopsGracefullyOnSignal(signal: Int32) async throws {
        let binary = try rosterExecutable()
        try await onOwnThread {
            let port = freePort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["serve", "--demo", "--anonymous-read", "--listen", "127.0.0.1:\(port)"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            defer { if p.isRunning { p.terminate() } }
            var client: RawClient?
            for _ in 0..<100 {
                client = try? RawClient(port: port)
                if client != nil { break }
                usleep(100_000)
            }
            let c = try #require(client, "roster serve --demo did not listen")
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

    @Test func serveWithoutADatabaseSaysWhatToDo() async throws {
        let binary = try rosterExecutable()
        let r = try await onOwnThread { try run(binary, ["serve", "--database", "/nonexistent/roster.sqlite"]) }
        #expect(r.status != 0)
        #expect(r.err.contains("--demo"))
    }
}
