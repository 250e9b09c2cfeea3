import BER
import Foundation
import LDAPProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

let base = "dc=example,dc=com"

/// Expects a Notice of Disconnection with protocolError, then the server closing the connection.
func expectNoticeThenClose(_ client: RawClient, _ name: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let notice = client.read()
    guard case .extendedResponse(let r) = notice?.protocolOp else {
        Issue.record("\(name): expected a Notice of Disconnection, got \(String(describing: notice)) (errno \(errno))", sourceLocation: sourceLocation)
        return
    }
    #expect(notice?.messageID == 0, sourceLocation: sourceLocation)
    #expect(r.name == ExtendedResponse.noticeOfDisconnection, sourceLocation: sourceLocation)
    #expect(r.result.resultCode == .protocolError, sourceLocation: sourceLocation)
    #expect(client.isClosedByServer(), sourceLocation: sourceLocation)
}

/// The minimal BER length octets of `n`, written by the codec itself.
func lengthOf(_ n: Int) -> [UInt8] {
    var s = BERSerializer()
    s.appendLength(n)
    return s.bytes
}

/// The wire issue's bad-input list, each over a real socket, with a second connection served throughout.
@Suite(.serialized) struct BadInputOverLoopbackTests {
    static let cases: [(String, [UInt8])] = {
        var nestedSequences: [UInt8] = []
        for _ in 0..<10_000 { nestedSequences = [0x30] + lengthOf(nestedSequences.count) + nestedSequences }
        var filter: [UInt8] = [0x87, 0x02, 0x63, 0x6E]
        for _ in 0..<10_000 { filter = [0xA2] + lengthOf(filter.count) + filter }
        let searchBody: [UInt8] = [0x04, 0x00, 0x0A, 0x01, 0x00, 0x0A, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00] + filter + [0x30, 0x00]
        let search = [0x63] + lengthOf(searchBody.count) + searchBody
        return [
            ("indefinite length", [0x30, 0x80, 0x02, 0x01, 0x01, 0x42, 0x00, 0x00, 0x00]),
            ("inner length longer than what follows", [0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x05]),
            ("length above the PDU limit", [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF]),
            ("five-byte length form", [0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x05]),
            ("sequences nested 10 000 deep", [0x30] + lengthOf(nestedSequences.count + 3) + [0x02, 0x01, 0x01] + nestedSequences),
            ("filter nested 10 000 deep", [0x30] + lengthOf(search.count + 3) + [0x02, 0x01, 0x01] + search),
            ("overflowing long-form tag", [0x30, 0x0A, 0x02, 0x01, 0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00]),
            ("nine-byte message ID", [0x30, 0x0D, 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x00]),
            ("negative message ID", [0x30, 0x05, 0x02, 0x01, 0xFF, 0x42, 0x00]),
            ("BOOLEAN of length 0", [0x30, 0x0D, 0x02, 0x01, 0x01, 0x6C, 0x08, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x01, 0x00]),
            ("BOOLEAN of length 2", [0x30, 0x0F, 0x02, 0x01, 0x01, 0x6C, 0x0A, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x01, 0x02, 0xFF, 0xFF]),
            ("unknown application tag", [0x30, 0x05, 0x02, 0x01, 0x01, 0x7E, 0x00]),
            ("extra bytes inside the PDU", [0x30, 0x07, 0x02, 0x01, 0x01, 0x42, 0x00, 0x05, 0x00]),
            ("not a SEQUENCE", [0x04, 0x01, 0x41]),
        ]
    }()

    @Test func eachBadPDUGetsANoticeAndCloses_whileAnotherConnectionIsServed() async throws {
        try await withServer { port in
            let bystander = try RawClient(port: port)
            var id: Int32 = 1
            for (name, bytes) in Self.cases {
                let attacker = try RawClient(port: port)
                attacker.write(bytes)
                expectNoticeThenClose(attacker, name)
                let (entries, result) = try bystander.search(id, base: base, filter: "(uid=t2001)")
                #expect(result?.resultCode == .success, "bystander after \(name)")
                #expect(entries.count == 1, "bystander after \(name)")
                id += 1
            }
        }
    }

    @Test func aPDUCutOffAndTheSocketClosedLeavesTheServerServing() async throws {
        try await withServer { port in
            let bystander = try RawClient(port: port)
            for cut in [1, 2, 5, 20] {
                let victim = try RawClient(port: port)
                let bytes = LDAPMessage(messageID: 1, .searchRequest(SearchRequest(baseObject: base, scope: .wholeSubtree, filter: .present("cn")))).berEncoded
                victim.write(Array(bytes.prefix(cut)))
                victim.shutdownWrite()
                #expect(victim.read() == nil, "nothing is answered for a PDU that never completed")
            }
            let (_, result) = try bystander.search(2, base: base, filter: "(uid=t2001)")
            #expect(result?.resultCode == .success)
        }
    }

    @Test func aLengthLongerThanWhatFollowsThenCloseIsDropped() async throws {
        try await withServer { port in
            let victim = try RawClient(port: port)
            victim.write([0x30, 0x7F, 0x02, 0x01, 0x01])
            victim.shutdownWrite()
            #expect(victim.read() == nil)
            let other = try RawClient(port: port)
            #expect(try other.search(1, base: base, filter: "(uid=t2001)").result?.resultCode == .success)
        }
    }

    @Test func aHundredThousandTinyWritesOfOnePDU() async throws {
        try await withServer { port in
            let client = try RawClient(port: port)
            // Bound: a PDU of 100 kB is over the limit before a bind with a name and password.
            client.send(LDAPMessage(messageID: 1, .bindRequest(BindRequest(name: "cn=admin,dc=example,dc=com", authentication: .simple(Array("secret".utf8))))))
            guard case .bindResponse(let bound)? = client.read()?.protocolOp, bound.result.resultCode == .success else {
                throw TestFailure("bind failed")
            }
            // Within the 1 024-item filter limit: fewer items, longer values.
            let names = (0..<1000).map { Filter.equalityMatch(AttributeValueAssertion("cn", Array(("n\($0)" + String(repeating: "x", count: 100)).utf8))) }
            let filter = Filter.or(names + [.equalityMatch(AttributeValueAssertion("uid", Array("t2001".utf8)))])
            let bytes = LDAPMessage(messageID: 5, .searchRequest(SearchRequest(baseObject: base, scope: .wholeSubtree, filter: filter, attributes: ["uid"]))).berEncoded
            #expect(bytes.count >= 100_000)
            for b in bytes { client.write([b]) }
            var entries = 0
            var done: LDAPResult?
            while let m = client.read() {
                if case .searchResultEntry = m.protocolOp { entries += 1 }
                if case .searchResultDone(let r) = m.protocolOp { done = r; break }
            }
            #expect(done?.resultCode == .success)
            #expect(entries == 1)
        }
    }

    @Test func manyOutstandingRequestsAreAnsweredWithTheirOwnIDs() async throws {
        try await withServer { port in
            let client = try RawClient(port: port)
            var bytes: [UInt8] = []
            for id in Int32(1)...50 {
                let filter = try Filter(parsing: id % 2 == 0 ? "(uid=t2001)" : "(objectClass=organizationalUnit)")
                bytes += LDAPMessage(messageID: id, .searchRequest(SearchRequest(baseObject: base, scope: .wholeSubtree, filter: filter, attributes: ["1.1"]))).berEncoded
            }
            bytes += LDAPMessage(messageID: 51, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI))).berEncoded
            client.write(bytes)
            var done = Set<Int32>()
            var entriesPerID: [Int32: Int] = [:]
            while done.count < 51, let m = client.read() {
                switch m.protocolOp {
                case .searchResultEntry: entriesPerID[m.messageID, default: 0] += 1
                case .searchResultDone(let r):
                    #expect(r.resultCode == .success)
                    done.insert(m.messageID)
                case .extendedResponse(let r):
                    #expect(r.result.resultCode == .success)
                    done.insert(m.messageID)
                default: Issue.record("unexpected \(m.protocolOp)")
                }
            }
            #expect(done == Set(1...51))
            #expect(entriesPerID[2] == 1)
            #expect((entriesPerID[1] ?? 0) > 10)
        }
    }
}

@Suite struct ClientToolTests {
    @Test func ldapsearchReadsTheRootDSE() async throws {
        try await withServer { port in
            let r = try run("ldapsearch", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-b", "", "-s", "base", "+"])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("namingContexts: dc=example,dc=com"))
            #expect(r.out.contains("supportedLDAPVersion: 3"))
            #expect(r.out.contains("vendorName: Roster"))
            #expect(r.out.contains("supportedExtension: 1.3.6.1.4.1.4203.1.11.3"))
        }
    }

    @Test func ldapsearchFindsTheDemoMembers() async throws {
        try await withServer { port in
            let r = try run("ldapsearch", ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", "ldap://127.0.0.1:\(port)", "-b", base, "(objectClass=inetOrgPerson)", "uid"])
            #expect(r.status == 0, "\(r.err)")
            let uids = r.out.split(separator: "\n").filter { $0.hasPrefix("uid: ") }
            #expect(uids.count == 21)
            #expect(uids.contains("uid: t2001"))
            let limited = try run("ldapsearch", ["-x", "-LLL", "-z", "2", "-H", "ldap://127.0.0.1:\(port)", "-b", base, "(objectClass=inetOrgPerson)", "uid"])
            #expect(limited.status == 4, "ldapsearch exits with the result code: sizeLimitExceeded")
            #expect(limited.out.split(separator: "\n").filter { $0.hasPrefix("uid: ") }.count == 2)
            let missing = try run("ldapsearch", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-b", "ou=nowhere,\(base)", "-s", "base"])
            #expect(missing.status == 32)
            #expect(missing.out.contains("matchedDN: dc=example,dc=com"))
        }
    }

    @Test func ldapwhoamiAfterASimpleBind() async throws {
        try await withServer { port in
            let r = try run("ldapwhoami", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-D", "cn=admin,\(base)", "-w", "secret"])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.trimmingCharacters(in: .whitespacesAndNewlines) == "dn:cn=admin,dc=example,dc=com")
            let anon = try run("ldapwhoami", ["-x", "-H", "ldap://127.0.0.1:\(port)"])
            #expect(anon.out.contains("anonymous"))
            let bad = try run("ldapwhoami", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-D", "cn=admin,\(base)", "-w", "wrong"])
            #expect(bad.status == 49)
        }
    }

    @Test func pythonLDAPClient() async throws {
        try await withServer { port in
            let script = """
                import ldap, sys
                l = ldap.initialize("ldap://127.0.0.1:\(port)")
                l.protocol_version = 3
                l.simple_bind_s("t2001", "Pw-t2001")
                print("whoami", l.whoami_s())
                r = l.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(|(cn=zhang*)(mail=zhang*))", ["cn", "mail", "entryUUID"])
                for dn, attrs in r:
                    print("entry", dn, attrs["cn"][0].decode(), sorted(attrs))
                try:
                    l.search_s("ou=nowhere,dc=example,dc=com", ldap.SCOPE_BASE)
                except ldap.NO_SUCH_OBJECT as e:
                    print("nosuch", e.args[0]["matched"])
                msgid = l.search("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(objectClass=*)")
                l.abandon(msgid)
                print("compare", l.compare_s("uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", "mail", b"zhangsan@school.example.com"))
                l.unbind_s()
                """
            let r = try run("/usr/bin/python3", ["-c", script])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("whoami dn:uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"))
            #expect(r.out.contains("entry uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com 张三 ['cn', 'entryUUID', 'mail']"))
            #expect(r.out.contains("nosuch dc=example,dc=com"))
            #expect(r.out.contains("compare True"))
        }
    }
}
