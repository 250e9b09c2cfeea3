import Directory
import Foundation
import PasswordHashing
import Testing

@testable import Interchange

/// A directory moves from OpenLDAP to Roster and back: the shared bench's generated organisation
/// loaded into a real slapd, `slapcat`-ed and imported; Roster's export `slapadd`-ed (with Roster's
/// schema) and searched with `ldapsearch`. Expectations are written by hand from the generator's
/// output (`gen_org.py --members 30`: 30 members, 7 departments, 5 groups).
@Suite(.serialized) struct LDIFOpenLDAPTests {
    static let ctx = CommandContext(actor: "test", source: "test")
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func tool(_ name: String) throws -> String {
        for dir in ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        throw TestSkip("\(name) is not installed; the README's test command installs slapd and ldap-utils")
    }

    struct TestSkip: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// A scratch slapd configuration (back-mdb, the schemas given) in a temporary directory.
    static func slapdDirectory(schemas: [String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-ldif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("db"), withIntermediateDirectories: true)
        let conf = (["core", "cosine", "inetorgperson"].map { "include /etc/ldap/schema/\($0).schema" } + schemas.map { "include \($0)" } + [
            "modulepath /usr/lib/ldap", "moduleload back_mdb", "moduleload pw-pbkdf2",
            "pidfile \(dir.path)/slapd.pid", "database mdb", "suffix \"dc=example,dc=com\"",
            "rootdn \"cn=admin,dc=example,dc=com\"", "directory \(dir.path)/db",
        ]).joined(separator: "\n") + "\n"
        try conf.write(to: dir.appendingPathComponent("slapd.conf"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func importsWhatSlapcatWrites() throws {
        let slapadd = try Self.tool("slapadd"), slapcat = try Self.tool("slapcat")
        let dir = try Self.slapdDirectory(schemas: [])
        defer { try? FileManager.default.removeItem(at: dir) }
        let org = dir.appendingPathComponent("org.ldif").path
        let gen = try runProgram("/usr/bin/python3", ["/work/shared/bench/gen_org.py", "--members", "30", "--ldif", org])
        try #require(gen.status == 0, "gen_org.py: \(gen.err)")
        let conf = dir.appendingPathComponent("slapd.conf").path
        let add = try runProgram(slapadd, ["-q", "-f", conf, "-l", org])
        try #require(add.status == 0, "slapadd: \(add.err)")
        let dump = dir.appendingPathComponent("slapcat.ldif").path
        let cat = try runProgram(slapcat, ["-f", conf, "-l", dump])
        try #require(cat.status == 0, "slapcat: \(cat.err)")
        let exported = Array(try Data(contentsOf: URL(fileURLWithPath: dump)))
        // slapcat writes operational attributes and folds long base64 lines: the reader must cope.
        #expect(String(decoding: exported, as: UTF8.self).contains("entryUUID: "))

        let roster = try DirectoryService(store: InMemoryStore(DirectoryModel(organization: "Empty")))
        let hasher = StandardPasswordHasher(rounds: 1000)
        let report = try LDIF.importLDIF(exported, into: roster, by: Self.ctx, options: .init(hasher: hasher))
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.count("member.create") == 30)
        #expect(report.count("department.create") == 7)
        #expect(report.count("group.create") == 5)
        #expect(report.notes.contains { $0.hasPrefix("employeeNumber: not kept (30 entries)") }, "\(report.notes)")
        let model = roster.live.snapshot()
        #expect(model.organization == "Example Corp")
        #expect(model.memberCount == 30)
        let w = try #require(model.member("wangxueyi"))
        #expect(w.name == "王雪怡")
        #expect(w.email == "wangxueyi@example.com")
        #expect(w.mobile == "18045165624")
        #expect(w.phone == "0571-69640745")
        #expect(w.title == "项目经理")
        #expect(model.pathNames(of: w.primaryDepartment) == ["华中中心"])
        // The {SSHA} hash came along: gen_org's password is Pw-<account>.
        #expect(w.passwordHash == "{SSHA}84zo02rs5XFPg9SnFUFuTEGGrDwT4OCnpl5CCw==")
        #expect(hasher.verify(Array("Pw-wangxueyi".utf8), against: w.passwordHash ?? ""))
        let wu = try #require(model.member("wujianlan"))
        #expect(model.pathNames(of: wu.primaryDepartment) == ["华北中心", "华东部", "海外组", "搜索小组"])
        #expect(model.department(atPath: ["华北中心", "华东部", "行政组"])?.description == "D00005")
        #expect(model.group("dept-D00003")?.members.map(\.value) == ["xuxueguang"])
        #expect(model.group("dept-D00003")?.description == "华中中心/品牌部")
        #expect(model.group("proj-00001")?.members.count == 30)
        #expect(model.group("dept-D00002")?.members.map(\.value) == ["wangxueyi", "xuxueguang"])
    }

    @Test func slapdServesWhatRosterExports() throws {
        let slapadd = try Self.tool("slapadd"), slapd = try Self.tool("slapd"), ldapsearch = try Self.tool("ldapsearch")
        let whoami = try Self.tool("ldapwhoami")
        let schema = Self.repo.appendingPathComponent("schema/roster.schema").path
        let dir = try Self.slapdDirectory(schemas: [schema])
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try LDIFTests.sample()
        let text = try LDIF.export(source.live.snapshot(), baseDN: "dc=example,dc=com", options: .init(withPasswordHashes: true))
        let file = dir.appendingPathComponent("roster.ldif")
        try Data(text.utf8).write(to: file)
        let conf = dir.appendingPathComponent("slapd.conf").path
        let add = try runProgram(slapadd, ["-f", conf, "-l", file.path])
        try #require(add.status == 0, "slapadd refused Roster's export: \(add.err)")
        // And back: what slapd holds, slapcat-ed and imported into an empty Roster, exports the same.
        let dump = dir.appendingPathComponent("back.ldif").path
        let cat = try runProgram(try Self.tool("slapcat"), ["-f", conf, "-l", dump])
        try #require(cat.status == 0, "slapcat: \(cat.err)")
        let back = try DirectoryService(store: InMemoryStore(DirectoryModel(organization: "Empty")))
        let report = try LDIF.importLDIF(
            Array(try Data(contentsOf: URL(fileURLWithPath: dump))), into: back, by: Self.ctx,
            options: .init(hasher: StandardPasswordHasher(rounds: 1000)))
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(try LDIF.export(back.live.snapshot(), baseDN: "dc=example,dc=com", options: .init(withPasswordHashes: true)) == text)

        let port = try Self.freePort()
        // slapd forks a daemon: it must not inherit the pipes the test reads to their end.
        let daemon = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True).returncode)"
        let start = try runProgram("/usr/bin/python3", ["-c", daemon, slapd, "-f", conf, "-h", "ldap://127.0.0.1:\(port)/"])
        try #require(start.status == 0, "slapd: \(start.err)")
        defer {
            if let pid = try? String(contentsOfFile: dir.path + "/slapd.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                let n = Int32(pid)
            {
                kill(n, SIGKILL)
            }
        }
        let url = "ldap://127.0.0.1:\(port)"
        var found: (status: Int32, out: String, err: String) = (1, "", "")
        for _ in 0..<100 {
            found = try runProgram(ldapsearch, ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", url, "-b", "dc=example,dc=com", "(objectClass=inetOrgPerson)", "uid"])
            if found.status == 0 { break }
            usleep(50_000)
        }
        try #require(found.status == 0, "ldapsearch: \(found.err)")
        let uids = found.out.split(separator: "\n").filter { $0.hasPrefix("uid: ") }.map { String($0.dropFirst(5)) }.sorted()
        #expect(uids == ["lisi", "wangwu", "zhangsan"])
        // A search by mail finds the member where Roster put it and its attributes.
        let byMail = try runProgram(ldapsearch, ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", url, "-b", "dc=example,dc=com", "(mail=zhangsan@example.com)", "mobile", "telephoneNumber", "rosterWeChatID"])
        #expect(byMail.status == 0)
        let dnLine = try #require(byMail.out.split(separator: "\n").first)
        let dn = dnLine.hasPrefix("dn:: ") ? String(decoding: Data(base64Encoded: String(dnLine.dropFirst(5))) ?? Data(), as: UTF8.self) : String(dnLine.dropFirst(4))
        #expect(dn == "uid=zhangsan,ou=大客户部,ou=营销中心,dc=example,dc=com")
        #expect(byMail.out.contains("mobile: 13800000000"))
        #expect(byMail.out.contains("telephoneNumber: 010-1234\ntelephoneNumber: 010-5678"))
        #expect(byMail.out.contains("rosterWeChatID: zs_wechat"))
        // The exported {PBKDF2-SHA512} hash binds in slapd.
        let who = try runProgram(whoami, ["-x", "-H", url, "-D", dn, "-w", "Pw-zhangsan-1"])
        #expect(who.status == 0, "slapd refused the exported hash: \(who.err)")
        let groups = try runProgram(ldapsearch, ["-x", "-LLL", "-H", url, "-b", "cn=groups,dc=example,dc=com", "(cn=all-hands)", "member"])
        #expect(groups.out.contains("member:"), "\(groups.out)")
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0 else { throw TestSkip("no free port") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
