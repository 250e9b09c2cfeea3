import Directory
import Foundation
import Storage
import Testing

/// Writes apply to the directory as it is when the write lock is held: a write from another
/// process (the CLI) that the server has not seen yet is never undone by an LDAP write.
@Suite struct ConcurrentWriteTests {
    static let admin = ["-x", "-D", "cn=admin,dc=example,dc=com", "-w", "secret"]
    static let group = "cn=语文教研组,cn=groups,dc=example,dc=com"

    func ldapmodify(_ port: Int, _ ldif: String) throws -> (status: Int32, text: String) {
        let r = try run("ldapmodify", ["-H", "ldap://127.0.0.1:\(port)"] + Self.admin, stdin: ldif)
        return (r.status, r.out + r.err)
    }

    func roster(_ database: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try run(try rosterExecutable(), args + ["--database", database])
    }

    func stored(_ path: String) throws -> DirectoryModel {
        try DirectoryService(store: try SQLiteStore(path: path)).live.snapshot()
    }

    @Test func anLDAPMemberAddDoesNotUndoACLIMemberAdd() async throws {
        try await withWritableServer { port, path in
            // The CLI adds t3001; the server has not read the change yet when the LDAP write comes.
            let cli = try roster(path, ["group", "add-member", "语文教研组", "t3001"])
            #expect(cli.status == 0, "\(cli.err)")
            let r = try ldapmodify(port, "dn: \(Self.group)\nchangetype: modify\nadd: member\nmember: uid=t3002,ou=数学组,ou=教师组,ou=育才学校,dc=example,dc=com\n")
            #expect(r.status == 0, "\(r.text)")
            let members = Set(try stored(path).group("语文教研组")?.members.map(\.value) ?? [])
            #expect(members == ["t2001", "t2002", "t3001", "t3002"], "both writes survive")
        }
    }

    @Test func anLDAPMemberDeleteDoesNotUndoACLIMemberAdd() async throws {
        try await withWritableServer { port, path in
            #expect(try roster(path, ["group", "add-member", "语文教研组", "t3001"]).status == 0)
            let r = try ldapmodify(port, "dn: \(Self.group)\nchangetype: modify\ndelete: member\nmember: uid=t2002,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com\n")
            #expect(r.status == 0, "\(r.text)")
            let members = Set(try stored(path).group("语文教研组")?.members.map(\.value) ?? [])
            #expect(members == ["t2001", "t3001"])
        }
    }

    @Test func aDeleteOfAValueIsCheckedAgainstTheCurrentEntry() async throws {
        try await withWritableServer { port, path in
            // The CLI changes t3002's title; an LDAP delete of the old value no longer matches.
            #expect(try roster(path, ["member", "set", "t3002", "--title", "教务主任"]).status == 0)
            let dn = "uid=t3002,ou=数学组,ou=教师组,ou=育才学校,dc=example,dc=com"
            let r = try ldapmodify(port, "dn: \(dn)\nchangetype: modify\ndelete: title\ntitle: 数学教师\n")
            #expect(r.status == 16, "noSuchAttribute: the value is gone (\(r.text))")
            #expect(try stored(path).member("t3002")?.title == "教务主任", "the CLI's change is kept")
            // A replace of another field keeps the CLI's title too.
            let ok = try ldapmodify(port, "dn: \(dn)\nchangetype: modify\nreplace: rosterNickname\nrosterNickname: 单老师\n")
            #expect(ok.status == 0, "\(ok.text)")
            let m = try stored(path).member("t3002")
            #expect(m?.title == "教务主任")
            #expect(m?.nickname == "单老师")
        }
    }

    @Test func cliAndLDAPWritersAtTheSameMomentBothSurvive() async throws {
        try await withWritableServer { port, path in
            let accounts = ["t1001", "t1002", "t3001", "t3002", "t4001", "w1001", "w2001", "w3001"]
            let dns = [
                "uid=t1001,ou=行政组,ou=教师组,ou=育才学校", "uid=t1002,ou=行政组,ou=教师组,ou=育才学校",
                "uid=t3001,ou=数学组,ou=教师组,ou=育才学校", "uid=t3002,ou=数学组,ou=教师组,ou=育才学校",
                "uid=t4001,ou=英语组,ou=教师组,ou=育才学校", "uid=w1001,ou=北京朝阳网点,ou=网点,ou=顺达物流",
                "uid=w2001,ou=上海浦东网点,ou=网点,ou=顺达物流", "uid=w3001,ou=广州天河网点,ou=网点,ou=顺达物流",
            ]
            let failures = LockedCounter()
            let group = DispatchGroup()
            // Even-numbered members through the CLI, odd-numbered ones over LDAP, all at once.
            for (i, account) in accounts.enumerated() {
                DispatchQueue.global().async(group: group) {
                    if i % 2 == 0 {
                        let r = try? self.roster(path, ["group", "add-member", "语文教研组", account])
                        if r?.status != 0 { failures.add() }
                    } else {
                        let ldif = "dn: \(Self.group)\nchangetype: modify\nadd: member\nmember: \(dns[i]),dc=example,dc=com\n"
                        let r = try? self.ldapmodify(port, ldif)
                        if r?.status != 0 { failures.add() }
                    }
                }
            }
            group.wait()
            #expect(failures.value == 0)
            let members = Set(try stored(path).group("语文教研组")?.members.map(\.value) ?? [])
            #expect(members == Set(["t2001", "t2002"] + accounts))
        }
    }
}
