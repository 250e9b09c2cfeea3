import Foundation
import LDAPProtocol
import Testing

/// Nothing from the network stops the server (issue 8, items 5 and 7): each input that trapped,
/// or that closed the connection when it should have been answered, gets its result code, and the
/// server (and, where the protocol allows, the connection) keeps serving.
@Suite struct CrashInputTests {
    static let admin = ["-D", "cn=admin,dc=example,dc=com", "-w", "secret"]
    static let subAdmin = ["-D", "cn=物流管理员,cn=admins,dc=example,dc=com", "-w", "Admin-logistics"]

    func tool(_ port: Int, _ name: String, _ args: [String], _ stdin: String? = nil) throws -> (status: Int32, text: String) {
        let wrap = name == "ldapsearch" ? ["-o", "ldif-wrap=no"] : []
        let r = try run(name, ["-x", "-H", "ldap://127.0.0.1:\(port)"] + wrap + args, stdin: stdin)
        return (r.status, decodeLDIF(r.out) + r.err)
    }

    /// The server still answers: a bind and a search on a new connection.
    func expectServing(_ port: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try tool(port, "ldapsearch", Self.admin + ["-LLL", "-b", "dc=example,dc=com", "(uid=w0001)", "1.1"])
        #expect(r.status == 0, "\(r.text)", sourceLocation: sourceLocation)
        #expect(r.text.contains("dn: uid=w0001,"), "\(r.text)", sourceLocation: sourceLocation)
    }

    // MARK: - Item 5: traps

    @Test(arguments: [false, true])
    func modifyDNOfTheRootDSEIsRefused(asSubAdmin: Bool) async throws {
        try await withWritableServer { port, _ in
            let r = try tool(port, "ldapmodrdn", (asSubAdmin ? Self.subAdmin : Self.admin) + ["", "cn=x"])
            #expect(r.status == 53, "\(r.text)")
            try expectServing(port)
        }
    }

    @Test func incrementBeyondTheIntegerRangeIsAConstraintViolation() async throws {
        try await withWritableServer { port, _ in
            let department = "ou=管理层,ou=顺达物流,dc=example,dc=com"
            let r = try tool(port, "ldapmodify", Self.admin, """
                dn: \(department)
                changetype: modify
                increment: rosterSortOrder
                rosterSortOrder: 9223372036854775807
                -

                """)
            #expect(r.status == 19, "\(r.text)")
            #expect(r.text.contains("rosterSortOrder"), "\(r.text)")
            try expectServing(port)
            let order = try tool(port, "ldapsearch", Self.admin + ["-LLL", "-b", department, "-s", "base", "(objectClass=*)", "rosterSortOrder"])
            #expect(order.text.contains("rosterSortOrder: 1"), "nothing applied: \(order.text)")
            // An increment in range still works.
            let ok = try tool(port, "ldapmodify", Self.admin, "dn: \(department)\nchangetype: modify\nincrement: rosterSortOrder\nrosterSortOrder: 2\n-\n")
            #expect(ok.status == 0, "\(ok.text)")
        }
    }

    // MARK: - Item 7: names that are not UTF-8 or hold NUL

    /// A DN whose one byte 0x7F is replaced by `byte` once the message is encoded: 0xFF is never
    /// UTF-8.
    static let marked = "cn=a\u{7F}b,dc=example,dc=com"

    func encoded(_ message: LDAPMessage, replacingMarkerWith byte: UInt8) -> [UInt8] {
        message.berEncoded.map { $0 == 0x7F ? byte : $0 }
    }

    @Test func namesThatAreNotUTF8OrHoldNULGetInvalidDNSyntaxAndTheConnectionStaysOpen() async throws {
        try await withWritableServer { port, _ in
            let client = try RawClient(port: port)
            var id: Int32 = 0
            func exchange(_ op: LDAPMessage.ProtocolOp, _ byte: UInt8?) -> LDAPMessage? {
                id += 1
                let message = LDAPMessage(messageID: id, op)
                client.write(byte.map { encoded(message, replacingMarkerWith: $0) } ?? message.berEncoded)
                return client.read()
            }
            func code(_ response: LDAPMessage?) -> ResultCode? {
                switch response?.protocolOp {
                case .bindResponse(let r)?: return r.result.resultCode
                case .searchResultDone(let r)?, .addResponse(let r)?, .modifyResponse(let r)?, .deleteResponse(let r)?,
                    .modifyDNResponse(let r)?, .compareResponse(let r)?:
                    return r.resultCode
                default: return nil
                }
            }
            let nul = "cn=a\u{0}b,dc=example,dc=com"
            // Names: not UTF-8 (the marker becomes 0xFF), a NUL byte, an escaped NUL.
            let names: [(String, UInt8?)] = [(Self.marked, 0xFF), (nul, nil), ("cn=a\\00b,dc=example,dc=com", nil)]
            for (name, byte) in names {
                // Before bind: bind names (a DN, and a bare account with NUL) and a search base.
                #expect(code(exchange(.bindRequest(BindRequest(name: name, authentication: .simple(Array("secret".utf8)))), byte)) == .invalidDNSyntax, "bind \(name)")
                #expect(code(exchange(.searchRequest(SearchRequest(baseObject: name, scope: .baseObject, filter: .present("objectClass"))), byte)) == .invalidDNSyntax, "search \(name)")
            }
            #expect(code(exchange(.bindRequest(BindRequest(name: "w0001\u{0}", authentication: .simple(Array("Pw-w0001".utf8)))), nil)) == .invalidDNSyntax)
            // After bind, every operation that names an entry.
            #expect(code(exchange(.bindRequest(BindRequest(name: "cn=admin,dc=example,dc=com", authentication: .simple(Array("secret".utf8)))), nil)) == .success)
            let good = "ou=管理层,ou=顺达物流,dc=example,dc=com"
            for (name, byte) in names {
                let ops: [(String, LDAPMessage.ProtocolOp)] = [
                    ("search", .searchRequest(SearchRequest(baseObject: name, scope: .wholeSubtree, filter: .present("objectClass")))),
                    ("add", .addRequest(AddRequest(entry: name, attributes: [PartialAttribute("objectClass", [Array("organizationalUnit".utf8)])]))),
                    ("modify", .modifyRequest(ModifyRequest(object: name, changes: [ModifyRequest.Change(.replace, PartialAttribute("description", [Array("x".utf8)]))]))),
                    ("delete", .deleteRequest(name)),
                    ("modrdn entry", .modifyDNRequest(ModifyDNRequest(entry: name, newRDN: "ou=x", deleteOldRDN: true))),
                    ("modrdn newrdn", .modifyDNRequest(ModifyDNRequest(entry: good, newRDN: name.components(separatedBy: ",")[0], deleteOldRDN: true))),
                    ("modrdn newSuperior", .modifyDNRequest(ModifyDNRequest(entry: good, newRDN: "ou=管理层", deleteOldRDN: true, newSuperior: name))),
                    ("compare", .compareRequest(CompareRequest(entry: name, assertion: AttributeValueAssertion("cn", Array("a".utf8))))),
                ]
                for (label, op) in ops {
                    #expect(code(exchange(op, byte)) == .invalidDNSyntax, "\(label) \(name.debugDescription)")
                }
            }
            // The same connection still answers.
            let after = try client.search(100, base: "dc=example,dc=com", filter: "(uid=w0001)")
            #expect(after.result?.resultCode == .success)
            #expect(after.entries.count == 1)
            try expectServing(port)
        }
    }

    @Test func departmentAndGroupValuesThatAreNotUTF8AreRefusedNotStored() async throws {
        try await withWritableServer { port, _ in
            let client = try RawClient(port: port)
            client.send(LDAPMessage(messageID: 1, .bindRequest(BindRequest(name: "cn=admin,dc=example,dc=com", authentication: .simple(Array("secret".utf8))))))
            _ = client.read()
            let adds: [(Int32, AddRequest)] = [
                (2, AddRequest(entry: "ou=新部门,ou=顺达物流,dc=example,dc=com", attributes: [
                    PartialAttribute("objectClass", [Array("organizationalUnit".utf8)]), PartialAttribute("description", [Array("a\u{7F}".utf8)]),
                ])),
                (3, AddRequest(entry: "cn=新群组,cn=groups,dc=example,dc=com", attributes: [
                    PartialAttribute("objectClass", [Array("groupOfNames".utf8)]), PartialAttribute("description", [Array("a\u{7F}".utf8)]),
                ])),
            ]
            for (id, add) in adds {
                client.write(encoded(LDAPMessage(messageID: id, .addRequest(add)), replacingMarkerWith: 0xFF))
                guard case .addResponse(let r)? = client.read()?.protocolOp else {
                    Issue.record("no add response for \(add.entry)")
                    continue
                }
                #expect(r.resultCode == .invalidAttributeSyntax, "\(add.entry): \(r)")
            }
            let after = try client.search(4, base: "dc=example,dc=com", filter: "(|(ou=新部门)(cn=新群组))")
            #expect(after.result?.resultCode == .success)
            #expect(after.entries.isEmpty, "nothing was created")
        }
    }

    // MARK: - Item 7: filter nesting

    /// `depth` levels of and/or/not around `(uid=w0001)`, cycling through `operators`; an even
    /// number of NOTs keeps the meaning.
    static func nested(_ depth: Int, _ operators: [String]) -> String {
        var prefix = ""
        for level in 0..<depth { prefix += "(" + operators[level % operators.count] }
        return prefix + "(uid=w0001)" + String(repeating: ")", count: depth)
    }

    @Test(arguments: [["!"], ["&"], ["|"], ["&", "|", "!", "!"]])
    func filtersNested32DeepWorkBeforeAndAfterBind(operators: [String]) async throws {
        try await withServer(anonymousRead: true) { port in
            let filter = Self.nested(32, operators)
            for bind in [[], Self.admin] {
                let r = try tool(port, "ldapsearch", bind + ["-LLL", "-b", "dc=example,dc=com", filter, "1.1"])
                #expect(r.status == 0, "\(operators) \(bind.isEmpty ? "anonymous" : "admin"): \(r.text)")
                #expect(r.text.contains("dn: uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com"), "\(operators): \(r.text)")
            }
            // The stated limit itself (64) works too.
            let limit = try tool(port, "ldapsearch", Self.admin + ["-LLL", "-b", "dc=example,dc=com", Self.nested(64, ["!"]), "1.1"])
            #expect(limit.text.contains("dn: uid=w0001,"), "\(limit.text)")
        }
    }

    @Test(arguments: [65, 500])
    func aFilterDeeperThanTheLimitGetsANoticeThatStatesIt(depth: Int) async throws {
        try await withServer { port in
            var filter = Filter.equalityMatch(AttributeValueAssertion("uid", Array("w0001".utf8)))
            for _ in 0..<depth { filter = .not(filter) }
            let client = try RawClient(port: port)
            client.send(LDAPMessage(messageID: 1, .searchRequest(SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: filter))))
            let notice = client.read()
            guard case .extendedResponse(let response)? = notice?.protocolOp else {
                Issue.record("expected a Notice of Disconnection, got \(String(describing: notice))")
                return
            }
            #expect(notice?.messageID == 0)
            #expect(response.result.resultCode == .protocolError)
            #expect(response.result.diagnosticMessage.contains("64"), "\(response.result.diagnosticMessage)")
            try expectServing(port)
        }
    }
}
