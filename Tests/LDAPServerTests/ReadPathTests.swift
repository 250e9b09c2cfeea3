import Directory
import Foundation
import Testing

/// What real clients send, replayed over loopback against the demo organisation.
@Suite struct ReadPathClientTests {
    static func url(_ port: Int) -> String { "ldap://127.0.0.1:\(port)" }
    static let admin = ["-D", "cn=admin,dc=example,dc=com", "-w", "secret"]

    func ldapsearch(_ port: Int, _ args: [String]) throws -> (status: Int32, out: String) {
        let r = try run("ldapsearch", ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", Self.url(port)] + args)
        return (r.status, decodeLDIF(r.out))
    }

    func dns(_ ldif: String) -> [String] {
        ldif.split(separator: "\n").filter { $0.hasPrefix("dn: ") }.map { String($0.dropFirst(4)) }
    }

    @Test func mailClientAutocomplete() async throws {
        try await withServer(anonymousRead: false) { port in
            // Thunderbird-style: unknown attribute names in the list, a size limit of 100.
            let r = try ldapsearch(port, Self.admin + ["-z", "100", "-b", "dc=example,dc=com",
                "(|(cn=*张*)(mail=*张*)(givenName=*张*)(sn=*张*))", "cn", "mail", "xmozillanickname", "nsAIMid", "jpegPhoto;binary"])
            #expect(r.status == 0)
            #expect(dns(r.out) == ["uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"])
            #expect(!r.out.contains("xmozillanickname"))
            let pinyin = try ldapsearch(port, Self.admin + ["-z", "100", "-b", "dc=example,dc=com",
                "(|(cn=*zhang*)(mail=*zhang*)(givenName=*zhang*)(sn=*zhang*))", "cn"])
            #expect(dns(pinyin.out).contains("uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"))
        }
    }

    @Test func addressBookLookup() async throws {
        try await withServer(anonymousRead: false) { port in
            // Apple Contacts / Evolution style.
            let r = try ldapsearch(port, Self.admin + ["-b", "dc=example,dc=com", "(&(mail=*)(|(mail=zh*)(cn=zh*)(sn=zh*)(givenName=zh*)))", "cn", "mail"])
            #expect(r.status == 0)
            let found = dns(r.out)
            #expect(found.contains("uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"))
            #expect(found.contains("uid=w0002,ou=管理层,ou=顺达物流,dc=example,dc=com"))
            #expect(!found.contains { $0.hasPrefix("uid=t3001,") }, "曾小贤 has a mail but no name or mail starting zh")
        }
    }

    @Test func emptyBaseSubtreeSearch() async throws {
        try await withServer(anonymousRead: false) { port in
            let r = try ldapsearch(port, Self.admin + ["-b", "", "-s", "sub", "(uid=w0001)", "1.1"])
            #expect(r.status == 0)
            #expect(dns(r.out) == ["uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com"])
        }
    }

    @Test func sssdReadsTheRootDSEThenPagesThroughAllUsers() async throws {
        try await withServer(anonymousRead: false) { port in
            let root = try ldapsearch(port, ["-b", "", "-s", "base", "(objectClass=*)", "*", "+", "altServer", "namingContexts", "supportedControl", "supportedExtension", "supportedFeatures", "supportedLDAPVersion", "supportedSASLMechanisms", "defaultNamingContext", "lastUSN", "highestCommittedUSN"])
            #expect(root.status == 0)
            #expect(root.out.contains("supportedControl: 1.2.840.113556.1.4.319"))
            #expect(root.out.contains("supportedControl: 1.2.840.113556.1.4.473"))
            let script = """
                import ldap
                from ldap.controls import SimplePagedResultsControl
                l = ldap.initialize("\(Self.url(port))")
                l.simple_bind_s("cn=gitlab,cn=services,dc=example,dc=com", "Svc-gitlab")
                page = SimplePagedResultsControl(True, size=4, cookie=b"")
                users, pages = [], 0
                while True:
                    msgid = l.search_ext("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(&(objectClass=inetOrgPerson)(uid=*))", ["uid", "cn", "memberOf"], serverctrls=[page])
                    rtype, rdata, rmsgid, serverctrls = l.result3(msgid)
                    users += [a["uid"][0].decode() for dn, a in rdata]
                    pages += 1
                    ctrl = [c for c in serverctrls if c.controlType == SimplePagedResultsControl.controlType][0]
                    if not ctrl.cookie: break
                    page.cookie = ctrl.cookie
                print("pages", pages, "users", len(users), len(set(users)))
                """
            let r = try run("/usr/bin/python3", ["-c", script])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("pages 6 users 21 21"))
            // ldapsearch's own paging.
            let paged = try ldapsearch(port, Self.admin + ["-E", "pr=5/noprompt", "-b", "dc=example,dc=com", "(objectClass=inetOrgPerson)", "1.1"])
            #expect(paged.status == 0)
            #expect(dns(paged.out).count == 22, "21 active members and the departed one admins see")
            let sorted = try ldapsearch(port, Self.admin + ["-E", "sss=cn", "-b", "ou=教师组,ou=育才学校,dc=example,dc=com", "(uid=*)", "uid"])
            #expect(sorted.out.split(separator: "\n").filter { $0.hasPrefix("uid: ") }.first == "uid: t4001")
        }
    }

    @Test func gitlabServiceBindSearchThenUserBind() async throws {
        try await withServer(anonymousRead: false) { port in
            let script = """
                import ldap
                svc = ldap.initialize("\(Self.url(port))")
                svc.simple_bind_s("cn=gitlab,cn=services,dc=example,dc=com", "Svc-gitlab")
                r = svc.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(&(objectClass=inetOrgPerson)(uid=w2001))", ["uid", "mail", "cn", "dn"])
                dn = r[0][0]
                print("found", dn, r[0][1]["mail"][0].decode())
                user = ldap.initialize("\(Self.url(port))")
                user.simple_bind_s(dn, "Pw-w2001")
                print("bound", user.whoami_s())
                try:
                    ldap.initialize("\(Self.url(port))").simple_bind_s(dn, "wrong")
                except ldap.INVALID_CREDENTIALS:
                    print("wrong password refused")
                r = svc.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(memberOf=cn=年会筹备组,cn=groups,dc=example,dc=com)", ["uid"])
                print("group", sorted(a["uid"][0].decode() for dn, a in r))
                r = svc.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(memberOf:1.2.840.113556.1.4.1941:=ou=网点,ou=顺达物流,dc=example,dc=com)", ["uid"])
                print("depots", sorted(a["uid"][0].decode() for dn, a in r))
                """
            let r = try run("/usr/bin/python3", ["-c", script])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("found uid=w2001,ou=上海浦东网点,ou=网点,ou=顺达物流,dc=example,dc=com wumin@shunda.example.com"))
            #expect(r.out.contains("bound dn:uid=w2001,ou=上海浦东网点,ou=网点,ou=顺达物流,dc=example,dc=com"))
            #expect(r.out.contains("wrong password refused"))
            #expect(r.out.contains("group ['w0002', 'w2001', 'w3001']"))
            #expect(r.out.contains("depots ['w1001', 'w1002', 'w2001', 'w2002', 'w3001', 'w3002']"))
        }
    }

    @Test func theSeedsVisibilityExamplesOverLDAP() async throws {
        try await withServer(anonymousRead: false) { port in
            func visible(_ bindAs: String, _ password: String) throws -> Set<String> {
                let r = try ldapsearch(port, ["-D", bindAs, "-w", password, "-b", "dc=example,dc=com", "(objectClass=inetOrgPerson)", "uid"])
                #expect(r.status == 0)
                return Set(r.out.split(separator: "\n").filter { $0.hasPrefix("uid: ") }.map { String($0.dropFirst(5)) })
            }
            let teachers: Set = ["t1001", "t1002", "t2001", "t2002", "t3001", "t3002", "t4001", "t5001"]
            #expect(try visible("t4001", "Pw-t4001") == teachers, "a teacher sees every teacher")
            #expect(try visible("s110101", "Pw-s110101") == ["s110101", "s110102", "t2001"], "a family sees only its class")
            #expect(try visible("w1002", "Pw-w1002") == ["w1001", "w1002"], "a depot sees only itself")
            #expect(try visible("w0001", "Pw-w0001").count == 21, "management sees everyone")
            // An invisible entry does not exist: the same answer as for a DN that never existed.
            let hidden = try ldapsearch(port, ["-D", "w1002", "-w", "Pw-w1002", "-b", "uid=w2001,ou=上海浦东网点,ou=网点,ou=顺达物流,dc=example,dc=com", "-s", "base"])
            let never = try ldapsearch(port, ["-D", "w1002", "-w", "Pw-w1002", "-b", "uid=nobody,ou=上海浦东网点,ou=网点,ou=顺达物流,dc=example,dc=com", "-s", "base"])
            #expect(hidden.status == 32)
            #expect(hidden.status == never.status)
            #expect(hidden.out == never.out)
        }
    }

    @Test func aViewerWhoMayNotSeeMobilesGetsNothingForAMobileFilter() async throws {
        var model = demoModel
        _ = try model.apply(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: false)), by: CommandContext(actor: "t", source: "t"))
        try await withServer(anonymousRead: false, model: model) { port in
            let member = try ldapsearch(port, ["-D", "t4001", "-w", "Pw-t4001", "-b", "dc=example,dc=com", "(mobile=138*)", "uid"])
            #expect(member.out.split(separator: "\n").filter { $0.hasPrefix("uid: ") } == ["uid: t4001"], "only their own")
            let admin = try ldapsearch(port, Self.admin + ["-b", "dc=example,dc=com", "(mobile=138*)", "uid"])
            #expect(admin.out.split(separator: "\n").filter { $0.hasPrefix("uid: ") }.count == 8)
        }
    }

    @Test func anonymousSeesOnlyTheRootDSEAndTheSubschemaByDefault() async throws {
        try await withServer(anonymousRead: false) { port in
            #expect(try ldapsearch(port, ["-b", "", "-s", "base", "+"]).status == 0)
            #expect(try ldapsearch(port, ["-b", "cn=Subschema", "-s", "base", "attributeTypes"]).out.contains("rosterNickname"))
            let r = try ldapsearch(port, ["-b", "dc=example,dc=com", "(uid=t2001)"])
            #expect(r.status == 32)
        }
    }

    @Test func pythonClientsParseTheSubschemaStrictly() async throws {
        try await withServer(anonymousRead: false) { port in
            let script = """
                import ldap, ldap.schema
                l = ldap.initialize("\(Self.url(port))")
                dn, entry = l.search_s(l.search_subschemasubentry_s(), ldap.SCOPE_BASE, "(objectClass=subschema)", ["*", "+"])[0]
                ss = ldap.schema.SubSchema(entry, check_uniqueness=2)
                print("python-ldap", ss.get_obj(ldap.schema.AttributeType, "rosterWeChatID").oid, ss.get_obj(ldap.schema.ObjectClass, "rosterMember").kind)
                must, may = ss.attribute_types(["inetOrgPerson", "rosterMember"])
                print("may", "rosterNickname" in [a.names[0] for a in may.values()])
                """
            let r = try run("/usr/bin/python3", ["-c", script])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("python-ldap 2.25.121712965254274650008542573729291927098.1.3 2"))
            #expect(r.out.contains("may True"))
            let ldap3 = """
                from ldap3 import Server, Connection, ALL
                s = Server("127.0.0.1", port=\(port), get_info=ALL)
                c = Connection(s, "cn=admin,dc=example,dc=com", "secret", auto_bind=True)
                print("ldap3", s.schema.attribute_types["rosterPinyin"].oid, s.schema.object_classes["rosterDepartment"].oid)
                """
            let r3 = try run(pythonWithLDAP3(), ["-c", ldap3])
            #expect(r3.status == 0, "\(r3.err)")
            #expect(r3.out.contains("ldap3 2.25.121712965254274650008542573729291927098.1.17 2.25.121712965254274650008542573729291927098.2.2"))
        }
    }

    @Test func slapdLoadsTheGeneratedSchemaFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-slaptest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("db"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cfg"), withIntermediateDirectories: true)
        let conf = """
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            include \(root.path)/schema/roster.schema
            """
        try conf.write(to: dir.appendingPathComponent("slapd.conf"), atomically: true, encoding: .utf8)
        let r = try run("slaptest", ["-f", dir.appendingPathComponent("slapd.conf").path, "-u"])
        #expect(r.status == 0, "slaptest roster.schema: \(r.err)")
        var ldif = "dn: cn=config\nobjectClass: olcGlobal\ncn: config\n\ndn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n\n"
        for name in ["core", "cosine", "inetorgperson"] {
            ldif += try String(contentsOfFile: "/etc/ldap/schema/\(name).ldif", encoding: .utf8) + "\n"
        }
        ldif += try String(contentsOf: root.appendingPathComponent("schema/roster.ldif"), encoding: .utf8)
        try ldif.write(to: dir.appendingPathComponent("config.ldif"), atomically: true, encoding: .utf8)
        let add = try run("slapadd", ["-n0", "-F", dir.appendingPathComponent("cfg").path, "-l", dir.appendingPathComponent("config.ldif").path])
        #expect(add.status == 0, "slapadd roster.ldif: \(add.err)")
        let test = try run("slaptest", ["-F", dir.appendingPathComponent("cfg").path, "-u"])
        #expect(test.status == 0, "slaptest cn=config: \(test.err)")
    }
}

/// The Python interpreter with python-ldap and ldap3 (Debian's packages; the README's test
/// command installs them).
func pythonWithLDAP3() -> String { "/usr/bin/python3" }
