import Foundation
import Testing
import TestSupport

/// The CLI as a thin caller: `roster export`/`roster import` with LDIF, vCard and WeCom files,
/// run as a user would (the built `roster` binary, a SQLite database).
@Suite struct LDIFCLITests {
    let dir: URL
    let binary: String

    init() throws {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("roster").path
        binary = try #require(FileManager.default.isExecutableFile(atPath: path) ? path : nil, "roster is not built at \(path)")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-ldif-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "Admin-pass-1\n".write(to: dir.appendingPathComponent("admin.pw"), atomically: true, encoding: .utf8)
        try "Member-pass-1\n".write(to: dir.appendingPathComponent("member.pw"), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @discardableResult
    func roster(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        var env = ProcessInfo.processInfo.environment
        env["ROSTER_PASSWORD_ROUNDS"] = "1000"
        return try runProgram(binary, args, environment: env)
    }

    func initDatabase(_ name: String, organization: String) throws {
        let r = try roster(["init", "--database", path(name), "--base", "dc=example,dc=com", "--organization", organization, "--admin-password-file", path("admin.pw")])
        try #require(r.status == 0, "init: \(r.err)")
    }

    @Test func exportImportExportThroughTheCLIGivesTheSameFile() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try initDatabase("a.sqlite", organization: "示例集团")
        #expect(try roster(["department", "add", "营销中心", "--database", path("a.sqlite")]).status == 0)
        let add = try roster([
            "member", "add", "zhangsan001", "--name", "张三", "--mobile", "13800138000", "--department", "营销中心",
            "--password-file", path("member.pw"), "--database", path("a.sqlite"),
        ])
        try #require(add.status == 0, "member add: \(add.err)")

        let plain = try roster(["export", "--database", path("a.sqlite"), path("plain.ldif")])
        #expect(plain.status == 0, "\(plain.err)")
        let plainText = try String(contentsOfFile: path("plain.ldif"), encoding: .utf8)
        #expect(plainText.hasPrefix("dn: dc=example,dc=com\n"))
        #expect(!plainText.contains("userPassword"))

        let secret = try roster(["export", "--database", path("a.sqlite"), path("secret.ldif"), "--with-password-hashes"])
        #expect(secret.status == 0, "\(secret.err)")
        let mode = try FileManager.default.attributesOfItem(atPath: path("secret.ldif"))[.posixPermissions] as? Int
        #expect(mode == 0o600, "a file with hashes is its owner's only")
        let first = try String(contentsOfFile: path("secret.ldif"), encoding: .utf8)
        #expect(first.contains("userPassword: {PBKDF2-SHA512}1000$"))

        try initDatabase("b.sqlite", organization: "Other")
        let imported = try roster(["import", "--database", path("b.sqlite"), path("secret.ldif")])
        #expect(imported.status == 0, "\(imported.out) \(imported.err)")
        #expect(imported.out.contains("members created: 1, departments created: 1"), "\(imported.out)")
        #expect(try roster(["export", "--database", path("b.sqlite"), path("again.ldif"), "--with-password-hashes"]).status == 0)
        #expect(try String(contentsOfFile: path("again.ldif"), encoding: .utf8) == first)

        let card = try roster(["export", "--database", path("b.sqlite"), path("card.vcf"), "--member", "zhangsan001"])
        #expect(card.status == 0, "\(card.err)")
        let vcf = try String(contentsOfFile: path("card.vcf"), encoding: .utf8)
        #expect(vcf.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:张三\r\n"))
        #expect(vcf.contains("\r\nTEL;TYPE=cell:13800138000\r\n"))
        #expect(vcf.contains("\r\nORG:示例集团;营销中心\r\n"))
    }

    /// The export and the LDAP view agree: every exported entry, read back from `roster serve` by
    /// the super admin with python-ldap, has the same attributes and values (python-ldap's own
    /// LDIF parser reads the export).
    @Test func theExportHoldsWhatTheLDAPViewShows() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try initDatabase("a.sqlite", organization: "示例集团")
        let db = ["--database", path("a.sqlite")]
        for args in [
            ["department", "add", "营销中心", "--order", "1"], ["department", "add", "营销中心->大客户部", "--hidden"],
            ["department", "add", "技术部", "--scope", "department"],
            ["member", "add", "zhangsan001", "--name", "欧阳娜娜", "--mobile", "13800138000", "--email", "zs@example.com",
             "--department", "营销中心->大客户部", "--department", "技术部", "--title", "经理, 大客户", "--phone", "010-1234",
             "--phone2", "010-5678", "--address", "北京市 海淀区", "--remarks", "备注", "--nickname", "娜娜", "--gender", "女",
             "--wechat", "nana_ouyang", "--qq", "12345678", "--birthday", "1990-01-15", "--hire-date", "2020-02-29"],
            ["member", "add", "lisi", "--name", "李四", "--email", "lisi@example.com", "--department", "营销中心"],
            ["member", "add", "wangwu", "--name", "Wang Wu", "--email", "ww@example.com", "--department", "技术部"],
            ["member", "depart", "wangwu"],
            ["department", "set", "营销中心->大客户部", "--leader", "lisi"],
            ["group", "add", "项目组", "--member", "zhangsan001"], ["group", "add-member", "项目组", "lisi"],
        ] {
            let r = try roster(args + db)
            try #require(r.status == 0, "\(args): \(r.err)")
        }
        #expect(try roster(["export"] + db + [path("dir.ldif")]).status == 0)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["serve"] + db + ["--listen", "127.0.0.1:0"]
        var env = ProcessInfo.processInfo.environment
        env["ROSTER_PASSWORD_ROUNDS"] = "1000"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        defer { p.terminate() }
        var log = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, port == nil {
            let data = readSome(pipe.fileHandleForReading)
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
            if let r = log.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = log[r].split(separator: ":").last.flatMap { Int($0) }
            }
        }
        let handle = pipe.fileHandleForReading
        Thread { while !readSome(handle).isEmpty {} }.start()
        let serverPort = try #require(port, "roster serve did not report its port: \(log)")
        let script = #"""
        import sys, ldap, ldif
        path, url = sys.argv[1], sys.argv[2]
        records = ldif.LDIFRecordList(open(path, 'rb'))
        records.parse()
        c = ldap.initialize(url)
        c.simple_bind_s('cn=admin,dc=example,dc=com', 'Admin-pass-1')
        problems = []
        for dn, attrs in records.all_records:
            names = list(attrs.keys())
            try:
                res = c.search_s(dn, ldap.SCOPE_BASE, '(objectClass=*)', names)
            except ldap.LDAPError as e:
                problems.append('%s: %s' % (dn, e)); continue
            served = {k.lower(): v for k, v in res[0][1].items()}
            for k, v in attrs.items():
                if served.get(k.lower()) != v:
                    problems.append('%s %s: export %r, LDAP %r' % (dn, k, v, served.get(k.lower())))
        print('entries %d' % len(records.all_records))
        print(chr(10).join(problems) if problems else 'same')
        """#
        let r = try runProgram("/usr/bin/python3", ["-c", script, path("dir.ldif"), "ldap://127.0.0.1:\(serverPort)"])
        #expect(r.status == 0, "\(r.err)")
        // The organisation, 3 departments, 2 members, cn=groups, 1 group, cn=departed, 1 departed.
        #expect(r.out == "entries 10\nsame\n", "\(r.out)")

        // An import while the server runs on the same database: the server serves it.
        let more = "dn: uid=zhaoliu,ou=技术部,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: 赵六\nsn: 赵\nmail: zl@example.com\n"
        try more.write(toFile: path("more.ldif"), atomically: true, encoding: .utf8)
        let imported = try roster(["import"] + db + [path("more.ldif")])
        #expect(imported.status == 0, "\(imported.err)")
        let poll = #"""
        import sys, time, ldap
        c = ldap.initialize(sys.argv[1])
        c.simple_bind_s('cn=admin,dc=example,dc=com', 'Admin-pass-1')
        for _ in range(100):
            r = c.search_s('dc=example,dc=com', ldap.SCOPE_SUBTREE, '(uid=zhaoliu)', ['mail'])
            if r:
                print(r[0][0].encode('utf-8').decode('utf-8'), r[0][1]['mail'][0].decode()); sys.exit(0)
            time.sleep(0.05)
        print('not served'); sys.exit(1)
        """#
        let served = try runProgram("/usr/bin/python3", ["-c", poll, "ldap://127.0.0.1:\(serverPort)"])
        #expect(served.out == "uid=zhaoliu,ou=技术部,dc=example,dc=com zl@example.com\n", "\(served.out) \(served.err)")
    }

    @Test func aFailedRecordIsNamedWithItsLineAndTheExitStatusIsOne() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try initDatabase("a.sqlite", organization: "示例集团")
        let ldif = "version: 1\n\ndn: uid=ok,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Ok\nsn: Ok\nmail: ok@example.com\n\ndn: uid=bad,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Bad\nsn: Bad\nmobile: abc\n"
        try ldif.write(toFile: path("in.ldif"), atomically: true, encoding: .utf8)
        let r = try roster(["import", "--database", path("a.sqlite"), path("in.ldif")])
        #expect(r.status == 1)
        #expect(r.err.contains("error: line 9: bad: mobile: abc"), "\(r.err)")
        #expect(r.out.contains("members created: 1"), "\(r.out)")
    }

    @Test func wecomJSONImportsThroughTheCLI() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try initDatabase("a.sqlite", organization: "Empty")
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/wecom")
        let r = try roster([
            "import", "--database", path("a.sqlite"), "--format", "wecom", fixtures.appendingPathComponent("departments.json").path,
            fixtures.appendingPathComponent("users.json").path,
        ])
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(r.out.contains("members created: 5, departments created: 4"), "\(r.out)")
        let one = try roster(["import", "--database", path("a.sqlite"), "--format", "wecom", fixtures.appendingPathComponent("departments.json").path])
        #expect(one.status != 0)
        #expect(one.err.contains("give two files"), "\(one.err)")
    }
}
