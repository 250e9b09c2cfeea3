import Directory
import Foundation
import LDAPFrontend
import LDAPProtocol
import LDAPServer
import Logging
import PasswordHashing
import Testing

#if canImport(Glibc)
import Glibc
import TestSupport
#endif

// MARK: - Support

/// A certificate and key written by `roster cert` into a scratch directory.
struct TrialCertificate {
    let dir: URL
    var certificate: String { dir.appendingPathComponent("cert.pem").path }
    var privateKey: String { dir.appendingPathComponent("key.pem").path }

    init(hosts: [String] = []) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try runTool(
            try rosterExecutable(), ["cert", "--certificate", certificate, "--private-key", privateKey] + hosts.flatMap { ["--host", $0] })
        guard r.status == 0 else { throw TestFailure("roster cert failed: \(r.err)") }
    }

    var settings: TLSSettings { TLSSettings(certificatePath: certificate, privateKeyPath: privateKey) }
}

/// Runs a command with a clean OpenLDAP client environment (no ldap.conf, no ldaprc) plus
/// `environment`, and kills it after `timeout` seconds.
func runTool(
    _ tool: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, timeout: TimeInterval = 30
) throws -> (status: Int32, out: String, err: String) {
    let path = try #require(findTool(tool), "\(tool) is not installed; scripts/test.sh installs it")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["LDAPNOINIT"] = nil  // it would make libldap ignore the LDAPTLS_* variables
    env["LDAPCONF"] = "/dev/null"
    env["LDAPRC"] = "roster-test-no-ldaprc"
    env["ROSTER_PASSWORD_ROUNDS"] = "1000"
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    try p.run()
    let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Both pipes are drained at once, so a tool that writes much to stderr never blocks.
    let errHandle = err.fileHandleForReading
    let errText = Thread2 { String(decoding: readAll(errHandle), as: UTF8.self) }
    let outData = readAll(out.fileHandleForReading)
    p.waitUntilExit()
    killer.cancel()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), try errText.result())
}

/// Runs a server with TLS (StartTLS on the plain port, and an LDAPS listener) on `host`; `body`
/// gets the plain and the LDAPS port.
func withTLSServer<T: Sendable>(
    _ certificate: TrialCertificate?, host: String = "127.0.0.1", model: DirectoryModel = demoModel,
    allowPlaintextBinds: Bool = false, handshakeTimeout: Int64 = 10, _ body: @escaping @Sendable (Int, Int?) throws -> T
) async throws -> T {
    var logger = Logger(label: "test-server")
    logger.logLevel = .warning
    var tls = certificate?.settings
    tls?.ldapsHost = host
    tls?.ldapsPort = 0
    tls?.handshakeTimeoutSeconds = handshakeTimeout
    let frontend = Frontend(
        configuration: FrontendConfiguration(
            baseDN: try DistinguishedName(parsing: "dc=example,dc=com"), anonymousRead: true, startTLS: tls != nil,
            allowPlaintextBinds: allowPlaintextBinds),
        directory: LiveDirectory(model), hasher: StandardPasswordHasher(rounds: 1000), logger: logger)
    let server = LDAPServer(configuration: ServerConfiguration(host: host, port: 0, tls: tls), frontend: frontend, logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await server.run()
            return nil
        }
        guard let port = await server.waitUntilListening() else { throw TestFailure("server did not start") }
        let ldapsPort = server.ldapsPort
        let result = try await onOwnThread { try body(port, ldapsPort) }
        group.cancelAll()
        return result
    }
}

/// A TLS client for the battery, in Python's ssl module: runs steps — `send:HEX` (bytes),
/// `recv` (one LDAPMessage, printed as hex, or `closed`), `tls` (handshake, verifying the
/// certificate; prints the protocol), `hello-half` (the first half of a real ClientHello, then
/// nothing), `sleep:SECONDS`, `wait-close` (prints how long until the server closed).
let tlsScript = #"""
import socket, ssl, sys, time
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sock = socket.create_connection((host, port), timeout=20)
def exact(s, n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b
def read_pdu(s):
    h = exact(s, 2)
    if h is None:
        return None
    n = h[1]
    if n & 0x80:
        ext = exact(s, n & 0x7f)
        if ext is None:
            return None
        h += ext
        n = int.from_bytes(ext, 'big')
    body = exact(s, n)
    return None if body is None else h + body
for step in sys.argv[4:]:
    if step.startswith('send:'):
        sock.sendall(bytes.fromhex(step[5:]))
    elif step == 'recv':
        try:
            pdu = read_pdu(sock)
        except (ConnectionError, ssl.SSLError, socket.timeout) as e:
            pdu = None
        print('closed' if pdu is None else 'pdu:' + pdu.hex(), flush=True)
    elif step == 'tls':
        ctx = ssl.create_default_context(cafile=cafile)
        sock = ctx.wrap_socket(sock, server_hostname=host)
        print('tls:' + sock.version(), flush=True)
    elif step == 'hello-half':
        ctx = ssl.create_default_context(cafile=cafile)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing, server_hostname=host)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = outgoing.read()
        sock.sendall(hello[:len(hello) // 2])
        print('sent-half:%d' % len(hello), flush=True)
    elif step.startswith('sleep:'):
        time.sleep(float(step[6:]))
    elif step == 'wait-close':
        start = time.monotonic()
        try:
            while sock.recv(4096):
                pass
        except (ConnectionError, socket.timeout):
            pass
        print('closed-after:%.2f' % (time.monotonic() - start), flush=True)
"""#

/// The outcome of the script's steps: the LDAPMessages received (nil: the server closed), and the
/// other lines.
func runTLSScript(port: Int, cafile: String, host: String = "127.0.0.1", _ steps: [String]) throws -> (messages: [LDAPMessage?], lines: [String]) {
    let r = try runTool("/usr/bin/python3", ["-c", tlsScript, host, "\(port)", cafile] + steps)
    #expect(r.status == 0, "python: \(r.err)")
    var messages: [LDAPMessage?] = []
    var lines: [String] = []
    for line in r.out.split(separator: "\n").map(String.init) {
        if line == "closed" {
            messages.append(nil)
        } else if line.hasPrefix("pdu:") {
            let hex = Array(line.dropFirst(4).utf8)
            var bytes: [UInt8] = []
            var i = 0
            while i + 1 < hex.count {
                bytes.append(UInt8(String(decoding: hex[i...i + 1], as: UTF8.self), radix: 16) ?? 0)
                i += 2
            }
            messages.append(try LDAPMessage(berEncoded: bytes[...]))
        } else {
            lines.append(line)
        }
    }
    return (messages, lines)
}

func hex(_ message: LDAPMessage) -> String { message.berEncoded.map { String(format: "%02x", $0) }.joined() }

let startTLSOID = "1.3.6.1.4.1.1466.20037"
func startTLSRequest(_ id: Int32) -> LDAPMessage { LDAPMessage(messageID: id, .extendedRequest(ExtendedRequest(name: startTLSOID))) }
func whoAmIRequest(_ id: Int32) -> LDAPMessage { LDAPMessage(messageID: id, .extendedRequest(ExtendedRequest(name: "1.3.6.1.4.1.4203.1.11.3"))) }

/// The result of an extended response (StartTLS, WhoAmI).
func extendedResult(_ m: LDAPMessage?) -> (code: ResultCode, message: String, value: String)? {
    guard case .extendedResponse(let r)? = m?.protocolOp else { return nil }
    return (r.result.resultCode, r.result.diagnosticMessage, String(decoding: r.value ?? [], as: UTF8.self))
}

/// An admin bind and a uid search on an open plaintext loopback connection: the canary that must
/// be served throughout the battery.
func expectCanaryServed(_ canary: RawClient, _ id: inout Int32, sourceLocation: SourceLocation = #_sourceLocation) throws {
    id += 1
    canary.send(LDAPMessage(messageID: id, .bindRequest(adminBind)))
    guard case .bindResponse(let b)? = canary.read()?.protocolOp else {
        Issue.record("the canary's bind got no answer", sourceLocation: sourceLocation)
        return
    }
    #expect(b.result.resultCode == .success, sourceLocation: sourceLocation)
    id += 1
    let found = try canary.search(id, base: "dc=example,dc=com", filter: "(uid=w0001)")
    #expect(found.entries.count == 1 && found.result?.resultCode == .success, "the canary's search", sourceLocation: sourceLocation)
}

// MARK: - Real clients

@Suite struct TLSTests {
    static let admin = ["-D", "cn=admin,dc=example,dc=com", "-w", "secret"]

    func tls(_ cert: TrialCertificate) -> [String: String] { ["LDAPTLS_CACERT": cert.certificate, "LDAPTLS_REQCERT": "demand"] }

    @Test func ldapsearchZZVerifiesTheCertificateAndBinds() async throws {
        let cert = try TrialCertificate()
        let other = try TrialCertificate()
        try await withTLSServer(cert) { port, _ in
            let args = ["-x", "-ZZ", "-H", "ldap://127.0.0.1:\(port)", "-LLL"] + Self.admin + ["-b", "dc=example,dc=com", "(uid=w0001)", "uid"]
            let r = try runTool("ldapsearch", args, environment: tls(cert))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("uid: w0001"), "\(r.out)")
            // Verification is real: a certificate the client does not trust fails the handshake.
            let untrusted = try runTool("ldapsearch", args, environment: tls(other))
            #expect(untrusted.status != 0)
            #expect(!untrusted.out.contains("uid: w0001"))
            // So is the name check: the certificate is for localhost/127.0.0.1/::1, not for this name.
            let who = try runTool("ldapwhoami", ["-x", "-ZZ", "-H", "ldap://127.0.0.1:\(port)"] + Self.admin, environment: tls(cert))
            #expect(who.out.contains("dn:cn=admin,dc=example,dc=com"), "\(who.err)")
        }
    }

    @Test func ldapsURLsServeTLSFromTheFirstByte() async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert) { _, ldapsPort in
            let ldaps = try #require(ldapsPort)
            let who = try runTool("ldapwhoami", ["-x", "-H", "ldaps://127.0.0.1:\(ldaps)"] + Self.admin, environment: tls(cert))
            #expect(who.status == 0, "\(who.err)")
            #expect(who.out.contains("dn:cn=admin,dc=example,dc=com"))
            let r = try runTool(
                "ldapsearch", ["-x", "-H", "ldaps://127.0.0.1:\(ldaps)", "-LLL", "-b", "", "-s", "base", "+"], environment: tls(cert))
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("supportedExtension: \(startTLSOID)"), "the rootDSE advertises StartTLS: \(r.out)")
            #expect(r.out.contains("rosterPlaintextBinds: loopback-only"), "\(r.out)")
        }
    }

    @Test func theRootDSEAdvertisesStartTLSOnlyWithACertificate() async throws {
        try await withTLSServer(nil, allowPlaintextBinds: true) { port, ldapsPort in
            #expect(ldapsPort == nil)
            let r = try runTool("ldapsearch", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-LLL", "-b", "", "-s", "base", "+"])
            #expect(r.out.contains("supportedExtension: 1.3.6.1.4.1.4203.1.11.3"), "\(r.out)")
            #expect(!r.out.contains(startTLSOID), "\(r.out)")
            #expect(r.out.contains("rosterPlaintextBinds: allowed"), "\(r.out)")
            let zz = try runTool("ldapwhoami", ["-x", "-ZZ", "-H", "ldap://127.0.0.1:\(port)"])
            #expect(zz.status != 0)
            #expect(zz.err.contains("Server is unavailable (52)"), "\(zz.err)")
        }
    }

    @Test func pythonLDAPStartTLSAndLDAPS() async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert) { port, ldapsPort in
            let script = """
                import ldap, sys
                def connect(url):
                    l = ldap.initialize(url)
                    l.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
                    l.set_option(ldap.OPT_X_TLS_CACERTFILE, sys.argv[1])
                    l.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
                    l.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
                    return l
                l = connect('ldap://127.0.0.1:%s' % sys.argv[2])
                l.start_tls_s()
                l.simple_bind_s('cn=admin,dc=example,dc=com', 'secret')
                print('starttls', l.whoami_s(), len(l.search_s('dc=example,dc=com', ldap.SCOPE_SUBTREE, '(uid=w0001)', ['uid'])))
                s = connect('ldaps://127.0.0.1:%s' % sys.argv[3])
                s.simple_bind_s('cn=admin,dc=example,dc=com', 'secret')
                print('ldaps', s.whoami_s())
                """
            let r = try runTool("/usr/bin/python3", ["-c", script, cert.certificate, "\(port)", "\(ldapsPort ?? 0)"])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("starttls dn:cn=admin,dc=example,dc=com 1"), "\(r.out)")
            #expect(r.out.contains("ldaps dn:cn=admin,dc=example,dc=com"), "\(r.out)")
        }
    }

    @Test func ldap3StartTLSAndUseSSL() async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert) { port, ldapsPort in
            let script = """
                import ssl, sys
                from ldap3 import Server, Connection, Tls
                tls = Tls(ca_certs_file=sys.argv[1], validate=ssl.CERT_REQUIRED)
                c = Connection(Server('127.0.0.1', port=int(sys.argv[2]), tls=tls), 'cn=admin,dc=example,dc=com', 'secret')
                c.open()
                assert c.start_tls(), c.result
                assert c.bind(), c.result
                c.search('dc=example,dc=com', '(uid=w0001)', attributes=['uid'])
                found = len(c.entries)
                print('start_tls', c.extend.standard.who_am_i(), found)
                s = Connection(Server('127.0.0.1', port=int(sys.argv[3]), use_ssl=True, tls=tls), 'cn=admin,dc=example,dc=com', 'secret')
                assert s.bind(), s.result
                print('use_ssl', s.extend.standard.who_am_i())
                """
            let r = try runTool("/usr/bin/python3", ["-c", script, cert.certificate, "\(port)", "\(ldapsPort ?? 0)"])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("start_tls dn:cn=admin,dc=example,dc=com 1"), "\(r.out)")
            #expect(r.out.contains("use_ssl dn:cn=admin,dc=example,dc=com"), "\(r.out)")
        }
    }

    @Test(arguments: ["-tls1_2", "-tls1_3"])
    func opensslSClientNegotiatesOverStartTLSAndLDAPS(version: String) async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert) { port, ldapsPort in
            let expected = version == "-tls1_2" ? "TLSv1.2" : "TLSv1.3"
            for (label, args) in [("starttls", ["-connect", "127.0.0.1:\(port)", "-starttls", "ldap"]),
                                  ("ldaps", ["-connect", "127.0.0.1:\(ldapsPort ?? 0)"])] {
                let r = try runTool(
                    "openssl", ["s_client"] + args + [version, "-CAfile", cert.certificate, "-verify_return_error", "-verify_ip", "127.0.0.1"],
                    stdin: "", timeout: 20)
                #expect(r.status == 0, "\(label): \(r.err)")
                #expect(r.out.contains("New, \(expected), Cipher is"), "\(label): \(r.out)")
                #expect(r.out.contains("Verify return code: 0 (ok)"), "\(label): \(r.out)")
            }
        }
    }

    // MARK: - Plaintext binds from a non-loopback address (a network namespace)

    @Test func aPlaintextPasswordBindFromANonLoopbackAddressIsConfidentialityRequired() async throws {
        let net = try TestNetwork()
        defer { net.remove() }
        let cert = try TrialCertificate(hosts: [net.serverAddress])
        try await withTLSServer(cert, host: net.serverAddress) { port, _ in
            let url = "ldap://\(net.serverAddress):\(port)"
            let refused = try net.run("ldapwhoami", ["-x", "-H", url] + Self.admin)
            #expect(refused.status == 13, "\(refused.out)\(refused.err)")
            #expect(refused.err.contains("Confidentiality required (13)"), "\(refused.err)")
            #expect(refused.err.contains("StartTLS"), "the diagnosticMessage says what to do: \(refused.err)")
            let anonymous = try net.run("ldapwhoami", ["-x", "-H", url])
            #expect(anonymous.status == 0, "\(anonymous.err)")
            let secure = try net.run("ldapwhoami", ["-x", "-ZZ", "-H", url] + Self.admin, environment: tls(cert))
            #expect(secure.out.contains("dn:cn=admin,dc=example,dc=com"), "\(secure.err)")
            // All on one connection: refused, anonymous, StartTLS, then the same bind succeeds.
            let script = """
                import ldap, sys
                l = ldap.initialize(sys.argv[1])
                l.set_option(ldap.OPT_X_TLS_CACERTFILE, sys.argv[2])
                l.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
                l.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
                try:
                    l.simple_bind_s('cn=admin,dc=example,dc=com', 'secret')
                    print('plaintext bind accepted')
                except ldap.CONFIDENTIALITY_REQUIRED as e:
                    print('refused', e.args[0]['result'])
                l.simple_bind_s('', '')
                print('anonymous', repr(l.whoami_s()))
                l.start_tls_s()
                l.simple_bind_s('cn=admin,dc=example,dc=com', 'secret')
                print('after starttls', l.whoami_s())
                """
            let one = try net.run("/usr/bin/python3", ["-c", script, url, cert.certificate])
            #expect(one.status == 0, "\(one.err)")
            #expect(one.out == "refused 13\nanonymous ''\nafter starttls dn:cn=admin,dc=example,dc=com\n", "\(one.out)")
        }
        // --allow-plaintext-binds: the same bind from the same address is served.
        try await withTLSServer(cert, host: net.serverAddress, allowPlaintextBinds: true) { port, _ in
            let r = try net.run("ldapwhoami", ["-x", "-H", "ldap://\(net.serverAddress):\(port)"] + Self.admin)
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("dn:cn=admin,dc=example,dc=com"))
        }
    }

    // MARK: - The battery: each over a live socket; the server and a canary connection survive

    @Test func startTLSTwiceIsOperationsErrorAndTheTLSConnectionGoesOn() async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert) { port, _ in
            let canary = try RawClient(port: port)
            var id: Int32 = 100
            try expectCanaryServed(canary, &id)
            let r = try runTLSScript(
                port: port, cafile: cert.certificate,
                ["send:" + hex(startTLSRequest(1)), "recv", "tls", "send:" + hex(startTLSRequest(2)), "recv", "send:" + hex(whoAmIRequest(3)), "recv"])
            #expect(r.lines.first?.hasPrefix("tls:TLSv1.") == true, "\(r.lines)")
            #expect(r.messages.count == 3)
            #expect(extendedResult(r.messages.first ?? nil)?.code == .success)
            let second = extendedResult(r.messages.dropFirst().first ?? nil)
            #expect(second?.code == .operationsError, "\(String(describing: second))")
            #expect(second?.message.contains("already established") == true)
            #expect(extendedResult(r.messages.last ?? nil)?.code == .success, "the TLS connection goes on")
            try expectCanaryServed(canary, &id)
        }
    }

    @Test func startTLSWithASearchOutstandingIsOperationsErrorAndTheConnectionStaysPlain() async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert, model: largeDemoModel(extra: 2000)) { port, _ in
            let canary = try RawClient(port: port)
            var id: Int32 = 100
            let client = try RawClient(port: port)
            // Bound as the admin (no size limit), on loopback.
            client.send(LDAPMessage(messageID: 9, .bindRequest(adminBind)))
            guard case .bindResponse(let bound)? = client.read()?.protocolOp, bound.result.resultCode == .success else {
                Issue.record("bind failed")
                return
            }
            // One write: the search is running (it takes many batches) when StartTLS arrives.
            let search = LDAPMessage(
                messageID: 1, .searchRequest(SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: try Filter(parsing: "(objectClass=*)"))))
            client.write(search.berEncoded + startTLSRequest(2).berEncoded)
            var entries = 0
            var startTLS: (code: ResultCode, message: String, value: String)?
            var done: LDAPResult?
            while done == nil, let m = client.read() {
                switch m.protocolOp {
                case .searchResultEntry: entries += 1
                case .searchResultDone(let r): done = r
                case .extendedResponse:
                    #expect(m.messageID == 2)
                    startTLS = extendedResult(m)
                    try expectCanaryServed(canary, &id)
                default: Issue.record("unexpected \(m.protocolOp)")
                }
            }
            #expect(startTLS?.code == .operationsError, "\(String(describing: startTLS))")
            #expect(startTLS?.message.contains("outstanding") == true)
            #expect(done?.resultCode == .success)
            #expect(entries > 2000)
            // The connection is left as it was: plaintext LDAP goes on.
            client.send(whoAmIRequest(3))
            #expect(extendedResult(client.read())?.code == .success)
            try expectCanaryServed(canary, &id)
        }
    }

    @Test(arguments: ["a whole PDU", "part of a PDU"])
    func plaintextBytesPipelinedBehindStartTLSAreNeverProcessed(behind: String) async throws {
        let cert = try TrialCertificate()
        // A handshake timeout longer than the client waits: only closing at once passes.
        try await withTLSServer(cert, handshakeTimeout: 60) { port, _ in
            let canary = try RawClient(port: port)
            var id: Int32 = 100
            let client = try RawClient(port: port)
            let bind = LDAPMessage(messageID: 2, .bindRequest(adminBind)).berEncoded
            client.write(startTLSRequest(1).berEncoded + (behind == "a whole PDU" ? bind : Array(bind.prefix(5))))
            let response = client.read()
            #expect(extendedResult(response)?.code == .success, "the StartTLS response comes in the clear")
            // Nothing answers the bind: the server closes the connection (end of stream, not the
            // client's 20 s receive timeout).
            let start = Date()
            #expect(client.isClosedByServer())
            #expect(Date().timeIntervalSince(start) < 15)
            try expectCanaryServed(canary, &id)
        }
    }

    @Test func aTLSHandshakeThatStopsHalfWayTimesOutAndClosesThatConnectionOnly() async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert, handshakeTimeout: 1) { port, ldapsPort in
            let canary = try RawClient(port: port)
            var id: Int32 = 100
            let ldaps = try #require(ldapsPort)
            let stalled = Thread2 {
                try runTLSScript(port: port, cafile: cert.certificate, ["send:" + hex(startTLSRequest(1)), "recv", "hello-half", "wait-close"])
            }
            let stalledLDAPS = Thread2 { try runTLSScript(port: ldaps, cafile: cert.certificate, ["hello-half", "wait-close"]) }
            let silentLDAPS = Thread2 { try runTLSScript(port: ldaps, cafile: cert.certificate, ["wait-close"]) }
            // While they stall, the canary is served.
            usleep(300_000)
            try expectCanaryServed(canary, &id)
            for (label, attack) in [("StartTLS", stalled), ("LDAPS", stalledLDAPS), ("LDAPS, nothing sent", silentLDAPS)] {
                let r = try attack.result()
                let closed = r.lines.first { $0.hasPrefix("closed-after:") }.flatMap { Double($0.dropFirst("closed-after:".count)) }
                #expect(closed != nil, "\(label): \(r.lines)")
                #expect((closed ?? 99) < 8, "\(label): closed by the 1 s handshake timeout, not the 900 s idle one: \(r.lines)")
            }
            #expect(extendedResult(try stalled.result().messages.first ?? nil)?.code == .success)
            try expectCanaryServed(canary, &id)
            // A new TLS client is served too.
            let who = try runTool("ldapwhoami", ["-x", "-H", "ldaps://127.0.0.1:\(ldaps)"] + Self.admin, environment: tls(cert))
            #expect(who.out.contains("dn:cn=admin,dc=example,dc=com"), "\(who.err)")
        }
    }

    @Test(arguments: ["LDAPS", "StartTLS"])
    func aClientHelloOfGarbageClosesThatConnectionOnly(port kind: String) async throws {
        let cert = try TrialCertificate()
        try await withTLSServer(cert) { port, ldapsPort in
            let canary = try RawClient(port: port)
            var id: Int32 = 100
            let garbage = "16030100c8" + String(repeating: "de", count: 200) + "474554202f20485454502f312e300d0a0d0a"
            let steps = (kind == "StartTLS" ? ["send:" + hex(startTLSRequest(1)), "recv"] : []) + ["send:" + garbage, "wait-close"]
            let r = try runTLSScript(port: kind == "LDAPS" ? try #require(ldapsPort) : port, cafile: cert.certificate, steps)
            let closed = r.lines.first { $0.hasPrefix("closed-after:") }.flatMap { Double($0.dropFirst("closed-after:".count)) }
            #expect((closed ?? 99) < 5, "closed at once, not by a timeout: \(r.lines)")
            try expectCanaryServed(canary, &id)
            let who = try runTool("ldapwhoami", ["-x", "-ZZ", "-H", "ldap://127.0.0.1:\(port)"] + Self.admin, environment: tls(cert))
            #expect(who.out.contains("dn:cn=admin,dc=example,dc=com"), "\(who.err)")
        }
    }
}

/// Blocking work on a thread of its own, whose result is awaited later.
final class Thread2<T: Sendable>: @unchecked Sendable {  // @unchecked: `outcome` is guarded by `done`
    private var outcome: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            self.outcome = Result { try body() }
            self.done.signal()
        }
        thread.start()
    }

    func result() throws -> T {
        done.wait()
        done.signal()
        return try outcome!.get()
    }
}

/// A network namespace joined to this one by a veth pair: a test host with an address of its own,
/// so that the server sees a client that is not on loopback. 198.18.0.0/15 is the range set aside
/// for network tests (RFC 2544); the pair lives only inside this machine.
struct TestNetwork {
    let name: String
    let serverAddress: String
    let clientAddress: String

    init() throws {
        let tag = String(UInt32.random(in: 0...0xFFFFFF), radix: 16)
        name = "roster-\(tag)"
        let subnet = Int.random(in: 0...255)
        let block = Int.random(in: 0...63) * 4
        serverAddress = "198.18.\(subnet).\(block + 1)"
        clientAddress = "198.18.\(subnet).\(block + 2)"
        let host = "rh\(tag)", peer = "rp\(tag)"
        let steps: [[String]] = [
            ["netns", "add", name],
            ["link", "add", host, "type", "veth", "peer", "name", peer],
            ["link", "set", peer, "netns", name],
            ["addr", "add", "\(serverAddress)/30", "dev", host],
            ["link", "set", host, "up"],
            ["netns", "exec", name, "ip", "addr", "add", "\(clientAddress)/30", "dev", peer],
            ["netns", "exec", name, "ip", "link", "set", peer, "up"],
            ["netns", "exec", name, "ip", "link", "set", "lo", "up"],
        ]
        for step in steps {
            let r = try runTool("ip", step)
            if r.status != 0 {
                remove()
                throw TestFailure("ip \(step.joined(separator: " ")): \(r.err) (the test needs root and iproute2; scripts/test.sh installs it)")
            }
        }
    }

    /// Runs a tool inside the namespace (as the non-loopback client).
    func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let path = try #require(findTool(tool), "\(tool) is not installed")
        return try runTool("ip", ["netns", "exec", name, path] + arguments, environment: environment)
    }

    /// Deletes the namespace (and with it the veth pair).
    func remove() { _ = try? runTool("ip", ["netns", "del", name]) }
}

// MARK: - The commands

/// Starts `roster ARGS --listen 127.0.0.1:0` and returns the process, its plain port and what it
/// logged up to then (the LDAPS port and the demo certificate are logged before the plain port).
func startRosterLogging(_ arguments: [String]) throws -> (Process, Int, String) {
    try startRosterReportingLog(try rosterExecutable(), arguments)
}

/// The first capture group of `pattern` in `text`.
func firstMatch(_ pattern: String, in text: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
        let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
        let r = Range(m.range(at: 1), in: text)
    else { return nil }
    return String(text[r])
}

@Suite struct TLSCommandTests {
    @Test func rosterCertWritesACertificateForTheGivenNamesAndAPrivateKeyOnlyItsOwnerReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("c.pem").path, key = dir.appendingPathComponent("k.pem").path
        let roster = try rosterExecutable()
        let args = ["cert", "--certificate", cert, "--private-key", key, "--host", "ldap.example.com", "--host", "192.0.2.7", "--days", "30"]
        let r = try runTool(roster, args)
        #expect(r.status == 0, "\(r.err)")
        let text = try runTool("openssl", ["x509", "-in", cert, "-noout", "-text"])
        #expect(text.out.contains("DNS:ldap.example.com, IP Address:192.0.2.7"), "\(text.out)")
        #expect(text.out.contains("CN = ldap.example.com"))
        #expect(text.out.contains("TLS Web Server Authentication"))
        // The key is the certificate's: openssl derives the same public key from both.
        let fromCert = try runTool("openssl", ["x509", "-in", cert, "-noout", "-pubkey"])
        let fromKey = try runTool("openssl", ["pkey", "-in", key, "-pubout"])
        #expect(!fromCert.out.isEmpty && fromCert.out == fromKey.out)
        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Existing files are kept unless --force.
        let again = try runTool(roster, args)
        #expect(again.status != 0)
        #expect(again.err.contains("exists; use --force"), "\(again.err)")
        #expect(try runTool(roster, args + ["--force"]).status == 0)
        let bad = try runTool(roster, ["cert", "--certificate", cert, "--private-key", key, "--force", "--host", "not a host!"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--host: not a host! is neither a host name nor an IP address"), "\(bad.err)")
    }

    @Test func serveDemoMakesACertificateSoLdapsearchZZAndLDAPSWorkOutOfTheBox() async throws {
        try await onOwnThread {
            let (p, port, text) = try startRosterLogging(["serve", "--demo", "--ldaps", "127.0.0.1:0"])
            defer { if p.isRunning { p.terminate() } }
            let cert = try #require(firstMatch(#"demo TLS certificate in (\S+)"#, in: text), "\(text)")
            let ldaps = try #require(firstMatch(#"ldaps=127\.0\.0\.1:(\d+)"#, in: text).flatMap { Int($0) }, "\(text)")
            let env = ["LDAPTLS_CACERT": cert, "LDAPTLS_REQCERT": "demand"]
            let admin = ["-D", "cn=admin,dc=example,dc=com", "-w", "secret"]
            let zz = try runTool("ldapwhoami", ["-x", "-ZZ", "-H", "ldap://127.0.0.1:\(port)"] + admin, environment: env)
            #expect(zz.out.contains("dn:cn=admin,dc=example,dc=com"), "\(zz.err)")
            let s = try runTool("ldapwhoami", ["-x", "-H", "ldaps://127.0.0.1:\(ldaps)"] + admin, environment: env)
            #expect(s.out.contains("dn:cn=admin,dc=example,dc=com"), "\(s.err)")
        }
    }

    @Test func serveRefusesCertificateFilesItCannotUse() throws {
        let cert = try TrialCertificate()
        let other = try TrialCertificate()
        let roster = try rosterExecutable()
        func serve(_ args: [String]) throws -> String {
            let r = try runTool(roster, ["serve", "--demo", "--listen", "127.0.0.1:0"] + args, timeout: 20)
            #expect(r.status != 0, "roster serve \(args) started")
            return r.err
        }
        #expect(try serve(["--certificate", "/nonexistent/c.pem", "--private-key", cert.privateKey])
            .contains("certificate /nonexistent/c.pem: no such file"))
        #expect(try serve(["--certificate", cert.privateKey, "--private-key", cert.privateKey]).contains("certificate \(cert.privateKey): "))
        #expect(try serve(["--certificate", cert.certificate, "--private-key", other.privateKey]).contains("do not go together"))
        #expect(try serve(["--certificate", cert.certificate]).contains("--certificate and --private-key go together"))
        let noCert = try runTool(roster, ["serve", "--database", "/nonexistent.sqlite", "--ldaps", "127.0.0.1:0"], timeout: 20)
        #expect(noCert.err.contains("--ldaps needs --certificate"), "\(noCert.err)")
    }
}
