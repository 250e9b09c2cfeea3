import Directory
import Foundation
import PasswordHashing
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Password hashes move between OpenLDAP and Roster both ways (issue 9, item 3): what
/// `slappasswd` writes (with OpenLDAP's pw-pbkdf2 and pw-sha2 modules, and crypt(3)) verifies
/// in Roster, and what Roster writes verifies in a real slapd.
@Suite struct HashInteropTests {
    let hasher = StandardPasswordHasher(rounds: 1000)

    func slappasswd(_ scheme: String, _ password: String, extra: [String] = []) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)").path
        try password.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        var args = ["-h", scheme, "-T", file] + extra
        if scheme.hasPrefix("{PBKDF2") { args = ["-o", "module-load=/usr/lib/ldap/pw-pbkdf2.so"] + args }
        if scheme.hasPrefix("{SSHA2") || scheme.hasPrefix("{SSHA5") { args = ["-o", "module-load=/usr/lib/ldap/pw-sha2.so"] + args }
        let r = try run("slappasswd", args)
        #expect(r.status == 0, "slappasswd \(scheme): \(r.err) (the README's test command installs slapd and slapd-contrib)")
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [
        ("{SSHA}", [String]()), ("{SHA}", []), ("{SSHA256}", []), ("{SSHA512}", []),
        ("{PBKDF2}", []), ("{PBKDF2-SHA1}", []), ("{PBKDF2-SHA256}", []), ("{PBKDF2-SHA512}", []),
        ("{CRYPT}", ["-c", "$6$%.16s"]), ("{CRYPT}", ["-c", "$5$%.16s"]), ("{CRYPT}", ["-c", "$1$%.8s"]),
    ])
    func whatOpenLDAPWritesVerifiesHere(scheme: String, extra: [String]) throws {
        let stored = try slappasswd(scheme, "Pass-wörd-1", extra: extra)
        #expect(stored.hasPrefix(scheme), "\(stored)")
        try hasher.validate(storedHash: stored)
        #expect(hasher.verify(Array("Pass-wörd-1".utf8), against: stored), "\(stored)")
        #expect(!hasher.verify(Array("Pass-wörd-2".utf8), against: stored))
        #expect(hasher.needsRehash(stored) || stored.hasPrefix("{PBKDF2-SHA512}"), "imported schemes are upgraded at the next bind")
    }

    @Test func aYescryptHashFromDebiansShadowVerifies() throws {
        // What Debian 12's passwd writes to /etc/shadow by default ($y$, cost j9T), via crypt(3).
        // A value as passwd writes it (salt and hash from crypt(3) with `$y$j9T$F5Jx5fExrKuPp53xLKQ..1`).
        let line = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$Wvoucy8zzaIKQXYiopzzcjqmj/.9c5crf8Nx5b.o1w0"
        let stored = "{CRYPT}" + line
        try hasher.validate(storedHash: stored)
        #expect(hasher.verify(Array("Pass-1".utf8), against: stored))
        #expect(!hasher.verify(Array("Pass-2".utf8), against: stored))
    }

    /// Roster's own `{PBKDF2-SHA512}` hash, loaded into a real slapd with pw-pbkdf2, binds there.
    @Test func whatRosterWritesVerifiesInSlapd() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-slapd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("db"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hash = StandardPasswordHasher(rounds: 10_000).hash("Roster-wrote-1")
        #expect(hash.hasPrefix("{PBKDF2-SHA512}10000$"))
        let conf = """
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            moduleload pw-pbkdf2
            pidfile \(dir.path)/slapd.pid
            database mdb
            suffix "dc=example,dc=com"
            rootdn "cn=admin,dc=example,dc=com"
            directory \(dir.path)/db
            """
        try conf.write(to: dir.appendingPathComponent("slapd.conf"), atomically: true, encoding: .utf8)
        let ldif = """
            dn: dc=example,dc=com
            objectClass: domain
            dc: example

            dn: uid=zhangsan,dc=example,dc=com
            objectClass: inetOrgPerson
            uid: zhangsan
            cn: 张三
            sn: 张
            userPassword: \(hash)

            """
        try ldif.write(to: dir.appendingPathComponent("data.ldif"), atomically: true, encoding: .utf8)
        let add = try run("slapadd", ["-f", dir.appendingPathComponent("slapd.conf").path, "-l", dir.appendingPathComponent("data.ldif").path])
        #expect(add.status == 0, "slapadd: \(add.err)")
        let port = try freePort()
        // slapd forks a daemon: it must not inherit the pipes `run` reads to their end, so Python
        // starts it with every other descriptor closed.
        let slapd = try #require(findTool("slapd"), "slapd is not installed; the README's test command installs it")
        let script = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True).returncode)"
        let start = try run("/usr/bin/python3", ["-c", script, slapd, "-f", dir.appendingPathComponent("slapd.conf").path, "-h", "ldap://127.0.0.1:\(port)/"])
        #expect(start.status == 0, "slapd: \(start.err)")
        defer {
            if let pid = try? String(contentsOfFile: dir.path + "/slapd.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                let n = Int32(pid)
            {
                kill(n, SIGKILL)
            }
        }
        var who: (status: Int32, out: String, err: String) = (1, "", "")
        for _ in 0..<50 {
            who = try run("ldapwhoami", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-D", "uid=zhangsan,dc=example,dc=com", "-w", "Roster-wrote-1"])
            if who.status == 0 || who.status == 49 { break }
            usleep(50_000)
        }
        #expect(who.status == 0, "slapd refused Roster's hash: \(who.out) \(who.err)")
        #expect(who.out.contains("dn:uid=zhangsan,dc=example,dc=com"))
        let wrong = try run("ldapwhoami", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-D", "uid=zhangsan,dc=example,dc=com", "-w", "Roster-wrote-2"])
        #expect(wrong.status == 49)
    }

    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0 else { throw TestFailure("no free port") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
