import Directory
import Foundation
import LDAPFrontend
import LDAPProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The demo directory with `extra` more members, so that a whole-tree search is megabytes.
func largeDemoModel(extra: Int) -> DirectoryModel {
    var model = demoModel
    var members: [Member] = []
    for i in 0..<extra {
        let account = try! Account(parsing: "bulk\(i)")
        var m = Member(account: account, name: "批量成员\(i)", mobile: "1770000\(String(format: "%04d", i))", email: "bulk\(i)@example.com", title: "职员")
        m.address = "北京市朝阳区某某路\(i)号"
        members.append(m)
    }
    model.bulkLoad(members: members)
    return model
}

/// Resident memory of this process, in bytes.
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kb * 1024
    }
    return 0
}

@Suite(.serialized) struct FloodTests {
    static let admin = BindRequest(name: "cn=admin,dc=example,dc=com", authentication: .simple(Array("secret".utf8)))

    /// One client floods whole-tree `*`/`+` searches and never reads: it costs the server a bounded
    /// amount of memory, and a second client's bind and uid search are answered at once.
    /// With a large directory each search takes many batches; with the small demo each one is
    /// answered in a single batch — both must stop at the channel's buffer.
    @Test(arguments: [3000, 0])
    func aClientThatNeverReadsCostsBoundedMemoryAndDelaysNoOne(extraMembers: Int) async throws {
        let model = extraMembers > 0 ? largeDemoModel(extra: extraMembers) : demoModel
        try await withServer(model: model) { port in
            let flooder = try RawClient(port: port)
            // Sends block while the server does not read (the thread is released at the end).
            var tv = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(flooder.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            // A small receive buffer: the server's output backs up quickly.
            var small: Int32 = 16 << 10
            setsockopt(flooder.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            flooder.send(LDAPMessage(messageID: 1, .bindRequest(Self.admin)))
            guard case .bindResponse(let bound)? = flooder.read()?.protocolOp, bound.result.resultCode == .success else {
                throw TestFailure("flooder bind failed")
            }
            let before = residentBytes()
            // Each request names ~1 KB of (unknown, ignored) attributes, so that 20 000 of them are
            // more than the socket buffers hold: the sends block once the server stops reading.
            let search = SearchRequest(
                baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: try Filter(parsing: "(objectClass=*)"),
                attributes: ["*", "+"] + (0..<100).map { "padding\($0)" })
            // 20 000 searches of ~4 MB of entries each, unread. Sent from a thread of their own: once
            // the server stops reading, the sends block (and time out).
            let sent = LockedCounter()
            let fd = flooder.fd
            let finished = DispatchSemaphore(value: 0)
            let floodThread = Thread {
                defer { finished.signal() }
                for i in 0..<20000 {
                    let bytes = LDAPMessage(messageID: Int32(2 + i), .searchRequest(search)).berEncoded
                    var offset = 0
                    while offset < bytes.count {
                        let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        if n <= 0 { return }
                        offset += n
                    }
                    sent.add()
                }
            }
            floodThread.start()
            Thread.sleep(forTimeInterval: 3)

            // Meanwhile another client is served at once, again and again.
            let other = try RawClient(port: port)
            var worstBind = 0.0
            var worstSearch = 0.0
            for round in 0..<5 {
                var t = Date()
                other.send(LDAPMessage(messageID: Int32(10 + round * 2), .bindRequest(Self.admin)))
                guard case .bindResponse(let r)? = other.read()?.protocolOp else { throw TestFailure("no bind response") }
                worstBind = max(worstBind, Date().timeIntervalSince(t))
                #expect(r.result.resultCode == .success)
                t = Date()
                let (entries, done) = try other.search(Int32(11 + round * 2), base: "dc=example,dc=com", filter: "(uid=t2001)")
                worstSearch = max(worstSearch, Date().timeIntervalSince(t))
                #expect(entries.count == 1)
                #expect(done?.resultCode == .success)
                Thread.sleep(forTimeInterval: 0.1)
            }
            #expect(worstBind < 0.1, "bind took \(worstBind) s while another client flooded")
            #expect(worstSearch < 0.1, "uid search took \(worstSearch) s while another client flooded")
            // The socket buffers hold a few thousand requests; a server that kept reading would
            // have taken many more in the seconds above.
            #expect(sent.value < 6000, "the server stopped reading the flooding connection (\(sent.value) requests taken)")
            let growth = residentBytes() - before
            print("flood: \(sent.value) requests sent, RSS +\(growth >> 20) MB, worst bind \(worstBind) s, worst uid search \(worstSearch) s")
            // Unbounded, 20 000 searches of this size would hold well over a gigabyte.
            #expect(growth < 16 << 20, "the flooding connection grew the server by \(growth >> 20) MB")
            shutdown(flooder.fd, Int32(SHUT_RDWR))
            finished.wait()
        }
    }
}

extension FloodTests {
    /// Costly searches (1 000 in-chain memberOf clauses each) pipelined on many connections keep
    /// the compute pool busy; a bind and a uid search on another connection are still answered
    /// at once, because binds check passwords on a pool of their own (found by review).
    @Test func costlySearchesFromManyConnectionsDelayNoBind() async throws {
        try await withServer { port in
            let clause = Filter.extensibleMatch(
                MatchingRuleAssertion(matchingRule: "1.2.840.113556.1.4.1941", attribute: "memberOf",
                                      value: Array("ou=教师组,ou=育才学校,dc=example,dc=com".utf8)))
            let costly = SearchRequest(
                baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: .or(Array(repeating: clause, count: 1000)), attributes: ["uid"])
            var flooders: [RawClient] = []
            for _ in 0..<8 {
                let c = try RawClient(port: port)
                c.send(LDAPMessage(messageID: 1, .bindRequest(FloodTests.admin)))
                _ = c.read()
                for i in 0..<4 { c.send(LDAPMessage(messageID: Int32(2 + i), .searchRequest(costly))) }
                flooders.append(c)
            }
            Thread.sleep(forTimeInterval: 1)
            let other = try RawClient(port: port)
            var worst = 0.0
            for round in 0..<3 {
                let t = Date()
                other.send(LDAPMessage(messageID: Int32(10 + round * 2), .bindRequest(FloodTests.admin)))
                guard case .bindResponse(let r)? = other.read()?.protocolOp else { throw TestFailure("no bind response") }
                #expect(r.result.resultCode == .success)
                let (entries, _) = try other.search(Int32(11 + round * 2), base: "dc=example,dc=com", filter: "(uid=t2001)")
                #expect(entries.count == 1)
                worst = max(worst, Date().timeIntervalSince(t))
            }
            print("costly: worst bind + uid search \(worst) s")
            #expect(worst < 0.5, "bind and uid search took \(worst) s while others ran costly searches")
            for c in flooders { shutdown(c.fd, Int32(SHUT_RDWR)) }
        }
    }
}

@Suite struct ConnectionLimitTests {
    /// At the connection limit the server stops accepting: a client beyond it waits (it is not
    /// accepted and closed) and is served as soon as another connection closes.
    @Test func aClientBeyondTheLimitWaitsUntilAConnectionCloses() async throws {
        try await withServer(maxConnections: 2) { port in
            let whoAmI = LDAPMessage(messageID: 1, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI)))
            // Bound: never closed to make room (an unbound one would be, for the waiting client).
            let first = try RawClient(port: port)
            let second = try RawClient(port: port)
            #expect(first.bindAsAdmin() && second.bindAsAdmin())
            first.send(whoAmI)
            second.send(whoAmI)
            #expect(first.read() != nil)
            #expect(second.read() != nil)
            let third = try RawClient(port: port)
            var tv = timeval(tv_sec: 0, tv_usec: 500_000)
            setsockopt(third.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            third.send(whoAmI)
            #expect(third.read() == nil, "not served while two connections are open")
            first.send(LDAPMessage(messageID: 2, .unbindRequest))
            tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(third.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            guard case .extendedResponse(let r)? = third.read()?.protocolOp else {
                Issue.record("the waiting client is served once a connection closes")
                return
            }
            #expect(r.result.resultCode == .success)
        }
    }
}

@Suite struct ConnectionTimeoutTests {
    /// Half a PDU and then silence: the connection is closed once the PDU timeout passes, so such
    /// clients cannot hold every connection slot (found by review). It is told why first.
    @Test func aPDUNotFinishedInTimeClosesTheConnection() async throws {
        try await withServer(pduTimeout: 1) { port in
            let client = try RawClient(port: port)
            client.write([0x30, 0x84, 0x00, 0x10, 0x00])  // a header promising more than it sends
            let t = Date()
            let notice = client.read()
            guard case .extendedResponse(let r)? = notice?.protocolOp, notice?.messageID == 0 else {
                Issue.record("expected a Notice of Disconnection, got \(String(describing: notice))")
                return
            }
            #expect(r.result.resultCode == .adminLimitExceeded)
            #expect(r.result.diagnosticMessage == "a PDU was not finished within 1 s (pdu-timeout)")
            #expect(client.read() == nil, "the server closes the connection")
            let took = Date().timeIntervalSince(t)
            #expect(took > 0.8 && took < 5, "closed after the PDU timeout, not at once and not never (\(took) s)")
        }
    }

    /// A connection with nothing to do for the idle timeout is closed; one in use is not.
    @Test func anIdleConnectionIsClosedAndABusyOneKept() async throws {
        try await withServer(limits: Limits(idleTimeoutBeforeBindSeconds: 1)) { port in
            let idle = try RawClient(port: port)
            let busy = try RawClient(port: port)
            let whoAmI = { (id: Int32) in LDAPMessage(messageID: id, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI))) }
            for i in 0..<6 {
                busy.send(whoAmI(Int32(i + 1)))
                #expect(busy.read() != nil, "a connection in use stays open")
                Thread.sleep(forTimeInterval: 0.4)
            }
            guard case .extendedResponse(let r)? = idle.read()?.protocolOp else {
                Issue.record("the idle one is told, then closed")
                return
            }
            #expect(r.result.resultCode == .adminLimitExceeded)
            #expect(idle.read() == nil, "the idle one was closed")
        }
    }
}
