import Foundation
import LDAPFrontend
import LDAPProtocol
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 9's bad-input battery (the lines that are not about TLS), each over a live socket: the
/// attack gets its documented answer, the server survives, and a canary connection — a bind and
/// a search — is served while the attacker's connection is open and after it.
@Suite struct BadInputBatteryTests {
    @Test(arguments: [2, 4])
    func aBindWithAnotherVersionIsAProtocolErrorAndTheConnectionGoesOn(version: Int) async throws {
        try await withServer { port in
            let attacker = try RawClient(port: port)
            attacker.send(
                LDAPMessage(
                    messageID: 1,
                    .bindRequest(
                        BindRequest(version: version, name: adminBind.name, authentication: adminBind.authentication))))
            expectCanaryServed(port)
            let r = attacker.result(of: 1)
            #expect(r?.resultCode == .protocolError)
            #expect(r?.diagnosticMessage == "only LDAP version 3 is supported")
            #expect(attacker.bindAsAdmin(2), "a version 3 bind on the same connection works")
            try expectLDAPSearchServed(port)
        }
    }

    @Test func anUnknownSASLMechanismIsNotSupported() async throws {
        try await withServer { port in
            let attacker = try RawClient(port: port)
            let sasl = BindRequest(
                name: "",
                authentication: .sasl(mechanism: "X-UNKNOWN-MECH", credentials: Array(repeating: 0x41, count: 1000)))
            attacker.send(LDAPMessage(messageID: 1, .bindRequest(sasl)))
            expectCanaryServed(port)
            let r = attacker.result(of: 1)
            #expect(r?.resultCode == .authMethodNotSupported)
            #expect(r?.diagnosticMessage == "SASL mechanism X-UNKNOWN-MECH is not supported")
            #expect(attacker.bindAsAdmin(2), "the connection goes on")
            try expectLDAPSearchServed(port)
        }
    }

    /// 100 000 attribute names make an 800 kB PDU: before a bind it is over the PDU limit (a
    /// notice, the connection closed); after one it is within it, and the attribute limit
    /// refuses the search (adminLimitExceeded) on a connection that goes on.
    @Test func aSearchFor100000AttributeNames() async throws {
        try await withServer { port in
            let names = (0..<100_000).map { "a\($0)" }
            let search = { (id: Int32) in
                LDAPMessage(
                    messageID: id,
                    .searchRequest(
                        SearchRequest(
                            baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: .present("uid"),
                            attributes: names)))
            }
            let anonymous = try RawClient(port: port)
            anonymous.send(search(1))
            expectCanaryServed(port)
            let notice = anonymous.readNotice()
            #expect(notice?.resultCode == .protocolError)
            #expect(
                notice?.diagnosticMessage.hasSuffix("(max-pdu-size-before-bind)") == true,
                "\(notice?.diagnosticMessage ?? "no notice")")

            let bound = try RawClient(port: port)
            #expect(bound.bindAsAdmin())
            bound.send(search(2))
            expectCanaryServed(port)
            let r = bound.result(of: 2)
            #expect(r?.resultCode == .adminLimitExceeded)
            #expect(
                r?.diagnosticMessage == "attributes: 100000 names asked for; at most 1024 are allowed (max-attributes)")
            #expect(
                try bound.search(3, base: "dc=example,dc=com", filter: "(uid=w0001)").entries.count == 1,
                "the connection goes on")
            try expectLDAPSearchServed(port)
        }
    }

    /// A 1 MB value: over the PDU limit before a bind; after one, the field's own rule refuses it
    /// and nothing is stored.
    @Test func anAddWithA1MBValue() async throws {
        try await withWritableServer { port, _ in
            let value = Array(String(repeating: "长", count: 350_000).utf8)  // 1 050 000 bytes
            let add = { (id: Int32, dn: String, attributes: [PartialAttribute]) in
                LDAPMessage(messageID: id, .addRequest(AddRequest(entry: dn, attributes: attributes)))
            }
            let member = "uid=big001,ou=管理层,ou=顺达物流,dc=example,dc=com"
            let memberAttributes = [
                PartialAttribute("objectClass", [Array("inetOrgPerson".utf8)]),
                PartialAttribute("cn", [Array("大值".utf8)]),
                PartialAttribute("sn", [Array("大".utf8)]), PartialAttribute("mail", [Array("big001@example.com".utf8)]),
                PartialAttribute("description", [value]),
            ]
            let anonymous = try RawClient(port: port)
            anonymous.send(add(1, member, memberAttributes))
            expectCanaryServed(port)
            #expect(anonymous.readNotice()?.diagnosticMessage.hasSuffix("(max-pdu-size-before-bind)") == true)

            let admin = try RawClient(port: port)
            #expect(admin.bindAsAdmin())
            admin.send(add(2, member, memberAttributes))
            expectCanaryServed(port)
            let r = admin.result(of: 2)
            #expect(r?.resultCode == .invalidAttributeSyntax, "\(String(describing: r))")
            #expect(
                r?.diagnosticMessage.contains("remarks") == true
                    || r?.diagnosticMessage.contains("description") == true, "\(String(describing: r))")
            let after = try admin.search(3, base: "dc=example,dc=com", filter: "(uid=big001)")
            #expect(after.result?.resultCode == .success)
            #expect(after.entries.isEmpty, "nothing was stored")
            // A department's description is bounded too (found by this battery: 1 MB was stored).
            let department = "ou=大部门,ou=顺达物流,dc=example,dc=com"
            admin.send(
                add(
                    4, department,
                    [
                        PartialAttribute("objectClass", [Array("organizationalUnit".utf8)]),
                        PartialAttribute("description", [value]),
                    ]))
            let d = admin.result(of: 4)
            #expect(d?.resultCode == .invalidAttributeSyntax, "a department description of 1 MB: \(d?.resultCode.description ?? "no answer")")
            #expect(d?.diagnosticMessage.contains("at most 500") == true, "\(d?.diagnosticMessage ?? "")")
            let none = try admin.search(5, base: "ou=顺达物流,dc=example,dc=com", filter: "(ou=大部门)")
            #expect(none.entries.isEmpty, "nothing was stored")
            try expectLDAPSearchServed(port)
        }
    }

    @Test func aThousandControlsOnOneRequest() async throws {
        try await withServer { port in
            let attacker = try RawClient(port: port)
            let controls = (0..<1000).map {
                Control(oid: "1.3.6.1.4.1.99999.\($0)", criticality: $0 % 2 == 0, value: [0x04, 0x00])
            }
            let rootDSE = SearchRequest(baseObject: "", scope: .baseObject, filter: .present("objectClass"))
            attacker.send(LDAPMessage(messageID: 1, .searchRequest(rootDSE), controls: controls))
            expectCanaryServed(port)
            let r = attacker.result(of: 1)
            #expect(r?.resultCode == .adminLimitExceeded)
            #expect(r?.diagnosticMessage == "controls: 1000 on one request; at most 64 are allowed (max-controls)")
            attacker.send(LDAPMessage(messageID: 2, .searchRequest(rootDSE)))
            #expect(attacker.result(of: 2)?.resultCode == .success, "the connection goes on")
            try expectLDAPSearchServed(port)
        }
    }
}

/// Raises this process's soft limit on open files to its hard limit; returns the limit in force.
func raiseOpenFileLimitToHard() -> Int {
    var limit = rlimit()
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(resource, &limit) == 0 else { return 1024 }
    if limit.rlim_cur < limit.rlim_max {
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(resource, &raised) == 0 { limit = raised }
    }
    return Int(clamping: limit.rlim_cur)
}

/// Part of the flood tests, which scripts/test.sh runs on their own after the rest of the suite:
/// this one keeps the server busy accepting 10 000 connections.
extension FloodTests {
    /// 10 000 connections from one address, opened and left idle: the per-address limit refuses
    /// all but 512 of them at once (a notice saying so), the idle timeout before bind closes the
    /// rest (a notice too); a canary from another address is served during and after, and once
    /// they are gone the address is served again (nothing leaked).
    @Test func tenThousandIdleConnectionsAreReclaimed() async throws {
        let files = raiseOpenFileLimitToHard()
        // The test process holds both ends: the clients' sockets and the server's 512.
        let count = min(10_000, files - 2_000)
        try #require(count >= 2_000, "only \(files) open files allowed; raise the hard limit (ulimit -Hn)")
        let limits = Limits(idleTimeoutBeforeBindSeconds: 2)
        try await withServer(limits: limits) { port in
            var clients: [RawClient] = []
            clients.reserveCapacity(count)
            let start = Date()
            for i in 0..<count {
                clients.append(try RawClient(port: port))
                if i == count / 2 { expectCanaryServed(port, from: "127.0.0.2") }
            }
            let opened = Date().timeIntervalSince(start)
            expectCanaryServed(port, from: "127.0.0.2")
            let perAddress =
                "512 connections are open from 127.0.0.1; at most 512 are allowed (max-connections-per-address)"
            let idle = "idle for 2 s before a bind with a name and password (idle-timeout-before-bind)"
            var refused = 0, timedOut = 0, other: [String] = []
            for c in clients {
                let notice = c.readNotice()
                switch notice?.diagnosticMessage {
                case perAddress?: refused += 1
                case idle?: timedOut += 1
                default: other.append(notice.map { "\($0.resultCode): \($0.diagnosticMessage)" } ?? "no notice")
                }
                if notice?.resultCode != .adminLimitExceeded || c.read() != nil {
                    other.append("not closed after its notice")
                }
            }
            print(
                "\(count) connections opened in \(opened) s: \(refused) refused at the per-address limit, \(timedOut) closed idle"
            )
            #expect(other.isEmpty, "\(other.count) connections without their notice: \(other.prefix(3))")
            #expect(refused + timedOut == count)
            #expect(timedOut >= limits.maxConnectionsPerAddress, "the first 512 were accepted and left idle")
            // The idle ones closed after 2 s each, so at most 512 per 2 s were ever served.
            #expect(timedOut <= limits.maxConnectionsPerAddress * (Int(opened / 2) + 2))
            clients = []
            expectCanaryServed(port, from: "127.0.0.2")
            try expectLDAPSearchServed(port)
        }
    }
}
