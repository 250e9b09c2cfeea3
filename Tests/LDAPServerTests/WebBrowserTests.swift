import Foundation
import Testing

#if canImport(Glibc)
import Glibc
import TestSupport
#endif

/// Starts `roster ARGS --listen 127.0.0.1:0 --http 127.0.0.1:0` and returns the process, the
/// LDAP port and the web address it logs (`url=http://127.0.0.1:PORT/`).
func startRosterWithWeb(_ binary: String, _ arguments: [String]) throws -> (Process, ldap: Int, web: String, log: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = arguments + ["--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"]
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
        if let l = text.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression),
            let w = text.range(of: #"url=https?://127\.0\.0\.1:\d+/"#, options: .regularExpression)
        {
            let ldap = Int(text[l].split(separator: ":").last!)!
            let web = String(text[w].dropFirst("url=".count))
            Thread { while !readSome(handle).isEmpty {} }.start()
            return (p, ldap, web, text)
        }
    }
    p.terminate()
    throw TestFailure("roster did not report its LDAP and web addresses: \(text)")
}

/// The web address book end to end: `roster serve --demo --http` driven by a real browser
/// (Tests/Browser/address_book.py: headless chromium through selenium and chromium-driver).
@Suite struct WebBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func aMemberFindsOpensSavesAndEditsInARealBrowserAndLDAPAgrees() async throws {
        let binary = try rosterExecutable()
        try await onOwnThread {
            let (p, ldap, web, _) = try startRosterWithWeb(binary, ["serve", "--demo"])
            defer { if p.isRunning { p.terminate() } }
            let script = Self.repository.appendingPathComponent("Tests/Browser/address_book.py").path
            let shots = Self.repository.appendingPathComponent("docs/screenshots").path
            let r = try run("/usr/bin/python3", [script, web, String(ldap), shots], timeout: 240)
            #expect(r.status == 0, "browser test:\n\(r.out)\n\(r.err)")
            #expect(r.out.contains("0 failed"))
        }
    }

    @Test func aTakenWebPortIsSaidPlainly() async throws {
        let binary = try rosterExecutable()
        try await onOwnThread {
            let (first, _, web, _) = try startRosterWithWeb(binary, ["serve", "--demo"])
            defer { if first.isRunning { first.terminate() } }
            let port = web.split(separator: ":").last!.dropLast()
            let r = try run(binary, ["serve", "--demo", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:\(port)"], timeout: 60)
            #expect(r.status != 0)
            #expect((r.out + r.err).contains("127.0.0.1:\(port) is already in use"), "\(r.out)\(r.err)")
        }
    }

    @Test func withACertificateTheWebSpeaksHTTPSAndItsCookieIsSecure() async throws {
        let binary = try rosterExecutable()
        let trial = try TrialCertificate()
        defer { try? FileManager.default.removeItem(at: trial.dir) }
        try await onOwnThread {
            let (p, _, web, _) = try startRosterWithWeb(
                binary, ["serve", "--demo", "--certificate", trial.certificate, "--private-key", trial.privateKey])
            defer { if p.isRunning { p.terminate() } }
            #expect(web.hasPrefix("https://127.0.0.1:"))
            let r = try run("curl", ["-sS", "-D", "-", "-o", "/dev/null", "--cacert", trial.certificate, web + "login"])
            #expect(r.status == 0, "curl: \(r.err)")
            let cookie = r.out.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: roster_session=") }
            #expect(cookie?.contains("Secure") == true, "\(r.out)")
            #expect(cookie?.contains("HttpOnly") == true)
            #expect(cookie?.contains("SameSite=Strict") == true)
            // Plain HTTP on the same port gets no page.
            let plain = try run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", web.replacingOccurrences(of: "https:", with: "http:") + "login"])
            #expect(plain.out != "200")
        }
    }
}

/// Found by review: the web listener had no per-address limit, so one client could open
/// connections until the process ran out of descriptors (LDAP shares them).
@Suite struct WebConnectionLimitTests {
    /// Sends a GET and returns what came back before the server closed or 10 s passed.
    static func get(_ client: RawClient) -> String {
        client.write(Array("GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: chunk[..<n], as: UTF8.self) : ""
    }

    @Test func oneAddressHoldsAtMostItsLimitOfWebConnections() async throws {
        let binary = try rosterExecutable()
        try await onOwnThread {
            let (p, ldap, web, _) = try startRosterWithWeb(binary, ["serve", "--demo", "--max-connections-per-address", "3"])
            defer { if p.isRunning { p.terminate() } }
            let port = Int(web.split(separator: ":").last!.dropLast())!
            let held = try (0..<3).map { _ in try RawClient(port: port) }
            for c in held { #expect(Self.get(c).hasPrefix("HTTP/1.1 200")) }
            // The fourth from the same address is closed without an answer…
            let fourth = try RawClient(port: port)
            #expect(Self.get(fourth) == "")
            // …while another address is served, and LDAP is not affected.
            let other = try RawClient(port: port, from: "127.0.0.2")
            #expect(Self.get(other).hasPrefix("HTTP/1.1 200"))
            let search = try run("ldapsearch", ["-x", "-H", "ldap://127.0.0.1:\(ldap)", "-b", "", "-s", "base", "(objectClass=*)", "namingContexts"])
            #expect(search.status == 0, "\(search.err)")
            // A connection closed makes room again.
            shutdown(held[0].fd, Int32(SHUT_RDWR))  // (its deinit closes the descriptor)
            var served = false
            for _ in 0..<50 where !served {
                Thread.sleep(forTimeInterval: 0.1)
                served = Self.get(try RawClient(port: port)).hasPrefix("HTTP/1.1 200")
            }
            #expect(served)
        }
    }
}
