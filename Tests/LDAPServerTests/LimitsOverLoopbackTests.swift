import Foundation
import LDAPFrontend
import LDAPProtocol
import Testing

#if canImport(Glibc)
    import Glibc
#endif

let adminBind = BindRequest(name: "cn=admin,dc=example,dc=com", authentication: .simple(Array("secret".utf8)))

extension RawClient {
    /// Binds as the super admin; false when the bind is not answered with success.
    func bindAsAdmin(_ id: Int32 = 1) -> Bool {
        send(LDAPMessage(messageID: id, .bindRequest(adminBind)))
        guard case .bindResponse(let r)? = read()?.protocolOp else { return false }
        return r.result.resultCode == .success
    }

    /// Reads the next message, which must be a Notice of Disconnection (RFC 4511 §4.4.1), and
    /// returns its result.
    func readNotice() -> LDAPResult? {
        guard let m = read(), m.messageID == 0, case .extendedResponse(let r) = m.protocolOp,
            r.name == ExtendedResponse.noticeOfDisconnection
        else { return nil }
        return r.result
    }

    /// Reads messages up to the response of `id` and returns its result.
    func result(of id: Int32) -> LDAPResult? {
        while let m = read() {
            guard m.messageID == id else { continue }
            switch m.protocolOp {
            case .bindResponse(let r): return r.result
            case .searchResultDone(let r), .addResponse(let r), .modifyResponse(let r), .deleteResponse(let r): return r
            case .extendedResponse(let r): return r.result
            default: continue
            }
        }
        return nil
    }
}

/// The canary: a new connection (from `source`, when given) that binds and searches, and must be
/// served whatever another client is doing.
func expectCanaryServed(_ port: Int, from source: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let canary = try RawClient(port: port, from: source)
        #expect(canary.bindAsAdmin(), "canary bind", sourceLocation: sourceLocation)
        let found = try canary.search(2, base: "dc=example,dc=com", filter: "(uid=w0001)")
        #expect(found.result?.resultCode == .success, "canary search", sourceLocation: sourceLocation)
        #expect(found.entries.count == 1, "canary search", sourceLocation: sourceLocation)
    } catch {
        Issue.record("canary: \(error)", sourceLocation: sourceLocation)
    }
}

/// The canary with a real client: `ldapsearch` binds and searches.
func expectLDAPSearchServed(_ port: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try run(
        "ldapsearch",
        [
            "-x", "-H", "ldap://127.0.0.1:\(port)", "-D", "cn=admin,dc=example,dc=com", "-w", "secret", "-LLL", "-b",
            "dc=example,dc=com",
            "(uid=w0001)", "1.1",
        ])
    #expect(r.status == 0, "\(r.err)", sourceLocation: sourceLocation)
    #expect(decodeLDIF(r.out).contains("dn: uid=w0001,"), "\(r.out)", sourceLocation: sourceLocation)
}

/// A search whose filter of `items` equality items with values of `valueBytes` bytes (and one
/// `(uid=w0001)`) makes a PDU of about items × (valueBytes + 6) bytes.
func wideSearch(_ id: Int32, items: Int, valueBytes: Int) -> LDAPMessage {
    let padding = String(repeating: "x", count: valueBytes)
    let clauses = (0..<items).map { Filter.equalityMatch(AttributeValueAssertion("cn", Array("\($0)\(padding)".utf8))) }
    let filter = Filter.or(clauses + [.equalityMatch(AttributeValueAssertion("uid", Array("w0001".utf8)))])
    return LDAPMessage(
        messageID: id,
        .searchRequest(
            SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: filter, attributes: ["1.1"])))
}

/// Issue 9 item 5 over a live socket: the limits a connection or an address is held to.
@Suite struct LimitsOverLoopbackTests {
    /// Before a bind with a name and password a PDU may be 64 KiB: an anonymous client's
    /// searches work (ldapsearch, and a 40 kB filter), a 70 kB PDU gets a notice naming the
    /// limit; after the bind the same PDU is served.
    @Test func thePDUSizeBeforeBindIsSmallerAndABindRaisesIt() async throws {
        try await withServer(anonymousRead: true) { port in
            let anonymous = try run(
                "ldapsearch",
                ["-x", "-H", "ldap://127.0.0.1:\(port)", "-LLL", "-b", "dc=example,dc=com", "(uid=w0001)", "cn"])
            #expect(anonymous.status == 0, "\(anonymous.err)")
            #expect(decodeLDIF(anonymous.out).contains("dn: uid=w0001,"), "\(anonymous.out)")

            let medium = wideSearch(3, items: 1000, valueBytes: 34)
            let large = wideSearch(4, items: 1000, valueBytes: 64)
            #expect((30_000..<65_536).contains(medium.berEncoded.count))
            #expect(large.berEncoded.count > 65_536)
            let client = try RawClient(port: port)
            client.send(medium)
            #expect(client.result(of: 3)?.resultCode == .success, "an anonymous 40 kB search is served")
            client.send(large)
            let notice = client.readNotice()
            #expect(notice?.resultCode == .protocolError)
            #expect(
                notice?.diagnosticMessage
                    == "malformed PDU: a PDU of \(large.berEncoded.count) bytes; at most 65536 are allowed "
                    + "before a bind with a name and password (max-pdu-size-before-bind)")
            #expect(client.read() == nil, "then the connection is closed")

            let bound = try RawClient(port: port)
            #expect(bound.bindAsAdmin())
            bound.send(large)
            #expect(bound.result(of: 4)?.resultCode == .success, "after the bind the 70 kB PDU is served")
            expectCanaryServed(port)
        }
    }

    /// Once bound, a PDU over the (here lowered) PDU size gets a notice naming that limit.
    @Test func aPDUOverThePDUSizeAfterBindGetsANoticeNamingIt() async throws {
        try await withServer(limits: Limits(maxPDUSize: 128 << 10)) { port in
            let huge = wideSearch(5, items: 1000, valueBytes: 200)
            #expect(huge.berEncoded.count > 128 << 10)
            let bound = try RawClient(port: port)
            #expect(bound.bindAsAdmin())
            bound.send(huge)
            let notice = bound.readNotice()
            #expect(notice?.resultCode == .protocolError)
            #expect(
                notice?.diagnosticMessage
                    == "malformed PDU: a PDU of \(huge.berEncoded.count) bytes; at most 131072 are allowed (max-pdu-size)")
            #expect(bound.read() == nil)
            expectCanaryServed(port)
        }
    }

    /// One address may hold its limit of connections; one more is told why and closed, while
    /// another address is served, and a slot freed is taken again.
    @Test func oneMoreConnectionFromAnAddressAtItsLimitIsToldAndClosed() async throws {
        try await withServer(limits: Limits(maxConnectionsPerAddress: 3)) { port in
            let whoAmI = { (id: Int32) in
                LDAPMessage(messageID: id, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI)))
            }
            let held = try (0..<3).map { _ in try RawClient(port: port) }
            for (i, c) in held.enumerated() {
                c.send(whoAmI(Int32(i + 1)))
                #expect(c.result(of: Int32(i + 1))?.resultCode == .success)
            }
            let fourth = try RawClient(port: port)
            let notice = fourth.readNotice()
            #expect(notice?.resultCode == .adminLimitExceeded)
            #expect(
                notice?.diagnosticMessage
                    == "3 connections are open from 127.0.0.1; at most 3 are allowed (max-connections-per-address)")
            #expect(fourth.read() == nil)
            // Another address is served meanwhile.
            expectCanaryServed(port, from: "127.0.0.2")
            // A slot freed is taken again (the server counts the close once it sees it).
            held[0].send(LDAPMessage(messageID: 9, .unbindRequest))
            #expect(held[0].read() == nil)
            var served = false
            for _ in 0..<40 where !served {
                let again = try RawClient(port: port)
                again.send(whoAmI(1))
                served = again.result(of: 1)?.resultCode == .success
                if !served { usleep(50_000) }
            }
            #expect(served, "a connection from 127.0.0.1 is served once one of the three closed")
        }
    }
}

/// The idle timeouts, measured: run one at a time after the parallel pass (`TimingTests`).
@Suite(.serialized) struct IdleTimeoutTimingTests {
    /// A connection not bound with a name and password is closed after the shorter idle timeout;
    /// a bound one only after the longer one. Each is told which.
    @Test func theIdleTimeoutIsShorterBeforeBind() async throws {
        try await withServer(limits: Limits(idleTimeoutSeconds: 3, idleTimeoutBeforeBindSeconds: 1)) { port in
            let unbound = try RawClient(port: port)
            let bound = try RawClient(port: port)
            let start = Date()
            #expect(bound.bindAsAdmin())
            let notice = unbound.readNotice()
            let took = Date().timeIntervalSince(start)
            #expect(notice?.resultCode == .adminLimitExceeded)
            #expect(
                notice?.diagnosticMessage
                    == "idle for 1 s before a bind with a name and password (idle-timeout-before-bind)")
            #expect(took > 0.8 && took < 2.5, "closed after about 1 s (\(took) s)")
            // The bound connection outlives the shorter timeout.
            Thread.sleep(forTimeInterval: max(0, 1.6 - Date().timeIntervalSince(start)))
            bound.send(LDAPMessage(messageID: 2, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI))))
            #expect(bound.result(of: 2)?.resultCode == .success)
            let asked = Date()
            let later = bound.readNotice()
            let idle = Date().timeIntervalSince(asked)
            #expect(later?.diagnosticMessage == "idle for 3 s (idle-timeout)")
            #expect(idle > 2.5 && idle < 4.5, "closed about 3 s after its last request (\(idle) s)")
        }
    }

    /// The idle clock is not rescheduled on every request (its task looks again when it fires):
    /// requests every half second keep a connection open well past the first time the clock was
    /// due, and the close comes one timeout after the last of them.
    @Test func requestsKeepAConnectionOpenAndTheCloseFollowsTheLastOne() async throws {
        try await withServer(limits: Limits(idleTimeoutSeconds: 2, idleTimeoutBeforeBindSeconds: 2)) { port in
            let client = try RawClient(port: port)
            #expect(client.bindAsAdmin())
            for id: Int32 in 2...8 {
                Thread.sleep(forTimeInterval: 0.5)
                client.send(LDAPMessage(messageID: id, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI))))
                #expect(client.result(of: id)?.resultCode == .success, "request \(id) answered, not closed as idle")
            }
            let last = Date()
            let notice = client.readNotice()
            let idle = Date().timeIntervalSince(last)
            #expect(notice?.diagnosticMessage == "idle for 2 s (idle-timeout)")
            #expect(idle > 1.7 && idle < 3.2, "closed about 2 s after its last request (\(idle) s)")
        }
    }
}

@Suite struct ServeLimitFlagsTests {
    @Test func theLimitFlagsSetTheLimitsInForce() async throws {
        let binary = try rosterExecutable()
        try await onOwnThread {
            let (p, port) = try startRoster(
                binary,
                [
                    "serve", "--demo", "--anonymous-read", "--max-pdu-size-before-bind", "2K", "--max-attributes", "2",
                    "--max-controls", "1",
                ])
            defer { if p.isRunning { p.terminate() } }
            let client = try RawClient(port: port)
            let rootDSE = SearchRequest(
                baseObject: "", scope: .baseObject, filter: .present("objectClass"), attributes: ["a", "b", "c"])
            client.send(LDAPMessage(messageID: 1, .searchRequest(rootDSE)))
            #expect(
                client.result(of: 1)?.diagnosticMessage
                    == "attributes: 3 names asked for; at most 2 are allowed (max-attributes)")
            client.send(
                LDAPMessage(
                    messageID: 2, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI)),
                    controls: [Control(oid: "1.2.3"), Control(oid: "1.2.4")]))
            #expect(client.result(of: 2)?.resultCode == .adminLimitExceeded)
            client.send(wideSearch(3, items: 100, valueBytes: 30))
            #expect(
                client.readNotice()?.diagnosticMessage.hasSuffix(
                    "at most 2048 are allowed before a bind with a name and password (max-pdu-size-before-bind)")
                    == true)
        }
    }

    @Test func limitsThatCannotWorkTogetherStopTheServerFromStarting() async throws {
        let binary = try rosterExecutable()
        let r = try await onOwnThread {
            try run(binary, ["serve", "--demo", "--max-filter-depth", "100", "--listen", "127.0.0.1:0"])
        }
        #expect(r.status != 0)
        #expect(r.err.contains("--max-filter-depth: 100 needs --max-ber-depth of at least 106"), "\(r.err)")
        let bad = try await onOwnThread { try run(binary, ["serve", "--demo", "--max-pdu-size", "4X"]) }
        #expect(bad.status != 0)
        #expect(bad.err.contains("max-pdu-size"), "\(bad.err)")
    }
}

/// Found by review: connections left idle before a bind, from many addresses, filled
/// `--max-connections` until their idle timeout and kept every new client out. Now the oldest
/// unbound connection is closed for each new client; bound connections are never closed for room.
@Suite struct UnboundConnectionsMakeRoomTests {
    @Test func aNewClientIsServedWhenUnboundConnectionsFillTheLimit() async throws {
        try await withServer(maxConnections: 12) { port in
            let bound = try RawClient(port: port)
            #expect(bound.bindAsAdmin(), "a bound connection, opened first")
            var idle: [RawClient] = []
            for i in 0..<11 {
                idle.append(try RawClient(port: port, from: "127.0.0.\(2 + i % 5)"))
                Thread.sleep(forTimeInterval: 0.01)
            }
            Thread.sleep(forTimeInterval: 0.3)
            // The limit is reached: a new client still gets in, at once.
            let t = Date()
            let who = try run("ldapwhoami", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-D", "t2001", "-w", "Pw-t2001"], timeout: 10)
            #expect(who.status == 0, "\(who.out) \(who.err)")
            #expect(Date().timeIntervalSince(t) < 3, "served without waiting for the idle timeout")
            // Unbound connections were told why and closed (the oldest first; which one is oldest
            // depends on the order the server's event loops accepted them in).
            Thread.sleep(forTimeInterval: 1)
            let closed = idle.filter { client in
                var p = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
                return poll(&p, 1, 0) > 0
            }
            #expect(!closed.isEmpty && closed.count <= 3, "\(closed.count) closed for room")
            for client in closed {
                let notice = client.readNotice()
                #expect(notice?.resultCode == .adminLimitExceeded)
                #expect(notice?.diagnosticMessage.contains("max-connections") == true)
            }
            // The bound connection, the oldest of all, is still served.
            let found = try bound.search(2, base: "dc=example,dc=com", filter: "(uid=t2001)")
            #expect(found.entries.count == 1)
            #expect(found.result?.resultCode == .success)
        }
    }
}
