import Foundation
import LDAPProtocol
import Testing

#if canImport(Glibc)
import Glibc
import TestSupport
#endif

/// A scratch directory with a `roster` runner bound to one database file.
struct CLI {
    let dir: URL
    let binary: String
    var database: String { dir.appendingPathComponent("roster.sqlite").path }

    init() throws {
        binary = try rosterExecutable()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "Admin-pass-1\n".write(to: dir.appendingPathComponent("pw"), atomically: true, encoding: .utf8)
    }

    var passwordFile: String { dir.appendingPathComponent("pw").path }

    /// Runs `roster ARGS --database DB`; returns status, stdout, stderr.
    @discardableResult
    func callAny(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try run(binary, args + ["--database", database])
    }

    /// Runs a command that must succeed.
    @discardableResult
    func call(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try callAny(args)
        #expect(r.status == 0, "roster \(args.joined(separator: " ")): \(r.err)", sourceLocation: sourceLocation)
        return r.out
    }

    /// Runs a command that must fail with exactly this message.
    func refuse(_ args: String..., message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try callAny(args)
        #expect(r.status != 0, "roster \(args.joined(separator: " ")) succeeded", sourceLocation: sourceLocation)
        #expect(r.err.trimmingCharacters(in: .whitespacesAndNewlines) == "Error: \(message)", sourceLocation: sourceLocation)
    }
}

@Suite struct CLITests {
    /// The seed's school, built from scratch with the CLI.
    func buildSchool(_ cli: CLI) throws {
        try cli.call("init", "--base", "dc=school,dc=example", "--organization", "邛崃南小", "--admin-password-file", cli.passwordFile)
        try cli.call("department", "add", "教师组", "--scope", "department", "--order", "1")
        for (i, g) in ["行政组", "语文组", "数学组", "体艺组", "其他组"].enumerated() {
            try cli.call("department", "add", "教师组->\(g)", "--order", "\(i + 1)")
        }
        try cli.call("department", "add", "班级组->一年级->一班", "--parents")
        try cli.call("department", "set", "班级组", "--scope", "subdepartment", "--order", "2")
        try cli.call("department", "add", "班级组->一年级->二班")
        try cli.call("department", "add", "校友录->2019级->一班", "--parents")
        try cli.call("department", "add", "校友录->旧档案", "--hidden")
        #expect(try cli.call("department", "list").contains("旧档案 [0/0] (hidden)"))
        try cli.call("department", "set", "校友录->旧档案", "--no-hidden")
        try cli.call("department", "rm", "校友录->旧档案")
        try cli.call("department", "set", "校友录", "--scope", "subdepartment")
        try cli.call("member", "add", "t001", "--name", "王建国", "--mobile", "13800000001", "--email", "wjg@school.example",
                     "--department", "教师组->行政组", "--title", "校长", "--password-file", cli.passwordFile)
        try cli.call("member", "add", "t002", "--name", "张三", "--wechat", "zhangsan_t", "--department", "教师组->语文组",
                     "--department", "班级组->一年级->一班")
        try cli.call("member", "add", "s001", "--name", "陈思远", "--mobile", "13900000001", "--department", "班级组->一年级->一班")
        try cli.call("member", "add", "s002", "--name", "黄子涵", "--mobile", "13900000002", "--department", "班级组->一年级->二班")
        try cli.call("department", "set", "教师组->行政组", "--leader", "t001")
        try cli.call("group", "add", "语文教研组", "--member", "t002", "--description", "教研")
        try cli.call("policy", "field", "mobile", "--shown", "no")
    }

    @Test func buildsTheSeedsOrganisationsFromScratch() throws {
        let school = try CLI()
        try buildSchool(school)
        let tree = try school.call("department", "list")
        #expect(tree.contains("邛崃南小 [0/4]"))
        #expect(tree.contains("  教师组 [0/2] (department)"))
        #expect(tree.contains("    一班 [2/2]"))
        #expect(try school.call("member", "show", "t002").contains("department: 教师组->语文组;班级组->一年级->一班"))
        #expect(try school.call("policy", "show").contains("mobile\tno\tno"))

        let logistics = try CLI()
        try logistics.call("init", "--organization", "顺达物流", "--admin-password-file", logistics.passwordFile)
        try logistics.call("department", "add", "管理层", "--scope", "all")
        try logistics.call("department", "add", "网点", "--scope", "subdepartment")
        for depot in ["北京朝阳网点", "上海浦东网点"] { try logistics.call("department", "add", "网点->\(depot)") }
        try logistics.call("member", "add", "w0001", "--name", "李专成", "--email", "lzc@shunda.example", "--department", "管理层")
        try logistics.call("member", "add", "w1001", "--name", "孙立", "--mobile", "13700001001", "--department", "网点->北京朝阳网点")
        try logistics.call("admin", "add", "物流管理员", "--password-file", logistics.passwordFile, "--scope", "网点", "--member", "w0001")
        try logistics.call("service", "add", "gitlab", "--password-file", logistics.passwordFile, "--attributes", "uid,mail,cn")
        let admins = try logistics.call("admin", "list")
        #expect(admins.contains("物流管理员\tsub-admin\t网点"))
        #expect(admins.contains("gitlab\tservice\t/\tuid,mail,cn"))

        // Departure and reinstatement.
        try logistics.call("member", "depart", "w1001")
        #expect(try logistics.call("member", "list", "--departed").contains("w1001\t孙立\tdeparted"))
        #expect(!(try logistics.call("member", "list").contains("w1001")))
        try logistics.call("member", "reinstate", "w1001")
        #expect(try logistics.call("member", "show", "w1001").contains("department: 网点->北京朝阳网点"))
        let audit = try logistics.call("audit")
        #expect(audit.contains("member.depart\tw1001"))
        #expect(audit.contains("member.reinstate\tw1001"))
        #expect(!audit.contains("Admin-pass-1"), "passwords never reach the audit log")
    }

    @Test func everyRuleBrokenOnceFromTheCLI() throws {
        let cli = try CLI()
        try buildSchool(cli)
        try cli.refuse("member", "add", "T001", "--name", "x", "--email", "x@y.cn",
                       message: "account: T001 already exists as t001 (accounts ignore case)")
        try cli.refuse("member", "add", "a b", "--name", "x", "--email", "x@y.cn", message: "account: a b may contain only letters, digits and _ - . @")
        try cli.refuse("member", "add", "_ab", "--name", "x", "--email", "x@y.cn", message: "account: _ab must start with a letter or digit")
        try cli.refuse("member", "set", "t001", "--account", "t009", message: "account: accounts are immutable (t001 cannot become t009)")
        try cli.refuse("member", "add", "x1", "--name", "x", "--wechat", "13800138000",
                       message: "wechat: 13800138000 is all digits; a WeChat id starts with a letter — this looks like a mobile number, put it in the mobile field")
        try cli.refuse("member", "add", "x1", "--name", "x", message: "contact: x1 needs at least one of wechat, mobile and email")
        try cli.refuse("member", "add", "x1", "--name", "x", "--mobile", "13800000001", message: "mobile: 13800000001 is already used by t001")
        let wide = String(repeating: "部", count: 25) + "x"
        try cli.refuse("department", "add", "教师组->\(wide)",
                       message: "department: \(wide) is 51 columns wide; at most 50 are allowed (a CJK character counts as two)")
        var deep = "L1"
        try cli.call("department", "add", deep)
        for level in 2...15 {
            deep += "->L\(level)"
            try cli.call("department", "add", deep)
        }
        try cli.refuse("department", "add", deep + "->L16", message: "department: \(deep)->L16 would be level 16; at most 15 levels are allowed")
        try cli.refuse("department", "rm", "班级组->一年级->一班", message: "department: 班级组->一年级->一班 has 2 members; only an empty department can be deleted")
        try cli.refuse("department", "rm", "班级组", message: "department: 班级组 has 1 sub-department; only an empty department can be deleted")
        try cli.refuse("member", "erase", "s001", message: "account: s001 is active; only a departed member can be erased (depart them first)")
        try cli.call("member", "depart", "s002")
        try cli.call("department", "rm", "班级组->一年级->二班")
        try cli.refuse("member", "reinstate", "s002",
                       message: "department: none of s002's previous departments exists any more; reinstate into a given department")
        try cli.refuse("member", "reinstate", "s002", "--department", "班级组->一年级->二班", message: "department: 班级组->一年级->二班 does not exist")
        try cli.refuse("department", "move", "班级组", "--to", "班级组->一年级", message: "department: cannot move 班级组 under its own sub-department 班级组->一年级")
        // Nothing of the refused commands was applied.
        #expect(!(try cli.call("member", "list").contains("x1")))
        try cli.call("member", "erase", "s002")
        try cli.refuse("member", "show", "s002", message: "account: s002 does not exist")
    }

    /// `department add … --parents` is all or nothing; a department that is a scope is not
    /// deleted until the scope is removed explicitly; passwords follow the domain's rules
    /// (issue 8, items 3, 5 and 7).
    @Test func wholeCommandsScopesAndPasswordsFromTheCLI() throws {
        let cli = try CLI()
        try cli.call("init", "--organization", "示例", "--admin-password-file", cli.passwordFile)
        try cli.refuse("department", "add", "华东区->上海->浦东*", "--parents",
                       message: "department: 浦东* contains *; a name may not contain \\ / : * ? \" < > |")
        #expect(try cli.call("department", "list") == "示例 [0/0] (all)\n", "no level of the refused path is left")
        #expect(try cli.call("department", "add", "华东区->上海->浦东", "--parents").contains("created department 华东区->上海->浦东"))
        try cli.call("department", "add", "营销中心")
        try cli.call("admin", "add", "营销管理员", "--password-file", cli.passwordFile, "--scope", "营销中心", "--scope", "华东区->上海->浦东")
        try cli.refuse("department", "rm", "营销中心",
                       message: "department: 营销中心 is the scope of sub-admin 营销管理员; remove it from the scope first")
        #expect(try cli.call("admin", "remove-scope", "营销管理员", "营销中心").contains("administers 华东区->上海->浦东"))
        try cli.call("department", "rm", "营销中心")
        try cli.refuse("admin", "remove-scope", "营销管理员", "华东区->上海->浦东",
                       message: "admin: 华东区->上海->浦东 is the only scope of 营销管理员; remove the admin instead (roster admin rm 营销管理员)")
        // The next department does not get the deleted one's id, so the old scope covers nothing new.
        try cli.call("department", "add", "营销中心")
        #expect(try cli.call("admin", "list").contains("营销管理员\tsub-admin\t华东区->上海->浦东\n"))
        #expect(try cli.call("admin", "set", "营销管理员", "--scope", "营销中心").contains("administers 营销中心"))
        try cli.call("service", "add", "gitlab", "--password-file", cli.passwordFile, "--scope", "营销中心", "--scope", "华东区")
        try cli.call("service", "remove-scope", "gitlab", "华东区")
        try cli.refuse("service", "remove-scope", "gitlab", "营销中心",
                       message: "service: without a scope gitlab would read the whole directory; give it another scope first or remove it")

        // Passwords: the rules, and pre-hashed values within the hasher's limits.
        let short = cli.dir.appendingPathComponent("short").path
        try "12345\n".write(toFile: short, atomically: true, encoding: .utf8)
        try cli.refuse("member", "add", "a1", "--name", "甲", "--email", "a1@x.cn", "--password-file", short,
                       message: "password: at least 8 characters are required")
        let absurd = cli.dir.appendingPathComponent("absurd").path
        try "{PBKDF2-SHA512}50000000$QUFBQUFBQUFBQUFBQUFBQQ$QUFBQUFBQUFBQUFBQUFBQQ\n".write(toFile: absurd, atomically: true, encoding: .utf8)
        try cli.refuse("member", "add", "a1", "--name", "甲", "--email", "a1@x.cn", "--password-file", absurd,
                       message: "password: {PBKDF2-SHA512} with 50000000 iterations is refused; at most 1000000 are allowed")
        let unknown = cli.dir.appendingPathComponent("unknown").path
        try "{PBKDF2-SHA512}1000$QUFBQUFBQUFBQUFBQUFBQQ$QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQ\n"
            .write(toFile: unknown, atomically: true, encoding: .utf8)
        try cli.call("member", "add", "a1", "--name", "甲", "--email", "a1@x.cn", "--password-file", unknown)
        #expect(try cli.call("member", "show", "a1").contains("password: set"))
    }

    @Test func serveWithoutADatabaseSaysWhichInitCreatesIt() throws {
        let cli = try CLI()
        let r = try run(cli.binary, ["serve", "--database", cli.database])
        #expect(r.status != 0)
        #expect(r.err.contains("does not exist; create it with `roster init --database \(cli.database)"))
        #expect(r.err.contains("roster serve --demo"))
    }

    @Test func serveTheDatabaseAndFollowWhatTheCLIWrites() async throws {
        let cli = try CLI()
        try buildSchool(cli)
        try await onOwnThread {
            let (p, port) = try startRoster(cli.binary, ["serve", "--database", cli.database])
            defer { p.terminate(); p.waitUntilExit() }
            let url = "ldap://127.0.0.1:\(port)"
            let bind = ["-x", "-H", url, "-D", "cn=admin,dc=school,dc=example", "-w", "Admin-pass-1", "-LLL", "-o", "ldif-wrap=no"]
            let first = try run("ldapsearch", bind + ["-b", "dc=school,dc=example", "(uid=t002)", "ou"])
            #expect(first.status == 0, "\(first.err)")
            #expect(decodeLDIF(first.out).contains("dn: uid=t002,ou=语文组,ou=教师组,dc=school,dc=example"))
            // A member binds with the password the CLI set.
            let who = try run("ldapwhoami", ["-x", "-H", url, "-D", "uid=t001,ou=行政组,ou=教师组,dc=school,dc=example", "-w", "Admin-pass-1"])
            #expect(who.out.contains("dn:uid=t001,ou=行政组,ou=教师组,dc=school,dc=example"))
            // A change the CLI commits while the server runs is served within a second.
            try cli.call("member", "add", "t003", "--name", "刘丽", "--email", "liuli@school.example", "--department", "教师组->数学组")
            let start = Date()
            var seen = false
            while !seen && Date().timeIntervalSince(start) < 1.5 {
                seen = decodeLDIF(try run("ldapsearch", bind + ["-b", "dc=school,dc=example", "(uid=t003)", "1.1"]).out).contains("dn: uid=t003,ou=数学组")
                if !seen { usleep(50_000) }
            }
            #expect(seen, "the server applied the CLI's change within a second")
            try cli.call("member", "depart", "t002")
            usleep(1_000_000)
            let gone = try run("ldapsearch", bind + ["-b", "dc=school,dc=example", "(uid=t002)", "1.1"])
            #expect(decodeLDIF(gone.out).contains("dn: uid=t002,cn=departed,dc=school,dc=example"))
            // Anonymous clients see nothing without --anonymous-read.
            let anon = try run("ldapsearch", ["-x", "-H", url, "-b", "dc=school,dc=example", "(uid=t001)"])
            #expect(anon.status == 32)
        }
    }

    @Test func anAcknowledgedWriteSurvivesKillNine() async throws {
        let cli = try CLI()
        try cli.call("init", "--admin-password-file", cli.passwordFile)
        try await onOwnThread {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: cli.binary)
            p.arguments = ["debug", "write-stream", "--database", cli.database]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            var acked = -1
            var buffer = ""
            let handle = out.fileHandleForReading
            while acked < 60 {
                let data = readSome(handle)
                if data.isEmpty { break }
                buffer += String(decoding: data, as: UTF8.self)
                while let nl = buffer.firstIndex(of: "\n") {
                    let line = buffer[..<nl]
                    if line.hasPrefix("ack "), let n = Int(line.dropFirst(4)) { acked = n }
                    buffer = String(buffer[buffer.index(after: nl)...])
                }
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(acked >= 60)
            let members = try cli.call("member", "list")
            let groups = try cli.call("group", "list")
            let groupLine = groups.split(separator: "\n").first { $0.hasPrefix("stream-w\t") } ?? ""
            let grouped = Set(groupLine.split(separator: "\t").last?.split(separator: ",").map(String.init) ?? [])
            for i in 0...acked {
                #expect(members.contains("w\(i)\t流水\(i)"), "acknowledged member w\(i) is present")
                #expect(grouped.contains("w\(i)"), "acknowledged group change for w\(i) is present")
            }
            // No half command: every member that exists was created whole, and the change log and
            // the audit log agree.
            let audit = try cli.call("audit", "--limit", "100000").split(separator: "\n")
            let creates = audit.filter { $0.contains("\tmember.create\t") }.count
            let listed = members.split(separator: "\n").count
            #expect(creates == listed)
        }
    }
}
