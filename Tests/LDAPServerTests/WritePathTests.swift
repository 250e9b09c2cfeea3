import Directory
import Foundation
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A scripted admin session with OpenLDAP's tools: every row of DESIGN §5 and every bad input of
/// the write issue, each with its exact result code.
@Suite struct WritePathTests {
    static let admin = ["-D", "cn=admin,dc=example,dc=com", "-w", "secret"]

    /// Runs an LDAP tool against the server; returns (exit status = result code, stdout+stderr).
    func tool(_ port: Int, _ name: String, _ args: [String], _ ldif: String? = nil) throws -> (status: Int32, text: String) {
        let r = try run(name, ["-x", "-H", "ldap://127.0.0.1:\(port)"] + args, stdin: ldif)
        return (r.status, r.out + r.err)
    }

    func modify(_ port: Int, _ ldif: String, as bind: [String] = WritePathTests.admin) throws -> (status: Int32, text: String) {
        try tool(port, "ldapmodify", bind, ldif)
    }

    func search(_ port: Int, _ base: String, _ filter: String, _ attrs: [String] = []) throws -> String {
        decodeLDIF(try run("ldapsearch", ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", "ldap://127.0.0.1:\(port)"] + Self.admin + ["-b", base, filter] + attrs).out)
    }

    static let chinese = "ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"

    @Test func everyRowOfTheWriteTable() async throws {
        try await withWritableServer { port, path in
            // add uid= under a department → create member.
            var r = try modify(port, """
                dn: uid=new001,\(Self.chinese)
                changetype: add
                objectClass: inetOrgPerson
                cn: 新老师
                sn: 新
                mail: new001@school.example.com
                mobile: 13811112222
                telephoneNumber: 010-11111111
                telephoneNumber: 010-22222222
                userPassword: NewPass-123
                """)
            #expect(r.status == 0, "\(r.text)")
            var e = try search(port, "dc=example,dc=com", "(uid=new001)", ["*", "memberOf"])
            #expect(e.contains("dn: uid=new001,\(Self.chinese)"))
            #expect(e.contains("telephoneNumber: 010-22222222"))
            #expect(!e.contains("userPassword"))
            // add ou= → create department; add cn=…,cn=groups → create group.
            r = try modify(port, """
                dn: ou=研发部,ou=顺达物流,dc=example,dc=com
                changetype: add
                objectClass: organizationalUnit
                ou: 研发部
                rosterSortOrder: 3
                rosterVisibility: department

                dn: cn=新项目,cn=groups,dc=example,dc=com
                changetype: add
                objectClass: groupOfNames
                cn: 新项目
                member: uid=new001,\(Self.chinese)
                member: uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com
                """)
            #expect(r.status == 0, "\(r.text)")
            #expect(try search(port, "ou=研发部,ou=顺达物流,dc=example,dc=com", "(objectClass=*)", ["rosterVisibility"]).contains("rosterVisibility: department"))
            // modify a member: several changes, all applied.
            r = try modify(port, """
                dn: uid=new001,\(Self.chinese)
                changetype: modify
                replace: title
                title: 实习教师
                -
                delete: telephoneNumber
                telephoneNumber: 010-11111111
                -
                add: rosterNickname
                rosterNickname: 小新
                """)
            #expect(r.status == 0, "\(r.text)")
            e = try search(port, "dc=example,dc=com", "(uid=new001)")
            #expect(e.contains("title: 实习教师") && e.contains("rosterNickname: 小新") && !e.contains("010-11111111"))
            // modify a department and a group's members.
            r = try modify(port, """
                dn: ou=研发部,ou=顺达物流,dc=example,dc=com
                changetype: modify
                replace: rosterSortOrder
                rosterSortOrder: 9
                -
                add: rosterLeader
                rosterLeader: uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com

                dn: cn=新项目,cn=groups,dc=example,dc=com
                changetype: modify
                delete: member
                member: uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com
                """)
            #expect(r.status == 0, "\(r.text)")
            #expect(!(try search(port, "cn=新项目,cn=groups,dc=example,dc=com", "(objectClass=*)")).contains("w0001"))
            // modifyDN a member to another department → move; group members follow.
            r = try tool(port, "ldapmodrdn", Self.admin + ["-s", "ou=数学组,ou=教师组,ou=育才学校,dc=example,dc=com", "uid=new001,\(Self.chinese)", "uid=new001"])
            #expect(r.status == 0, "\(r.text)")
            #expect(try search(port, "cn=新项目,cn=groups,dc=example,dc=com", "(objectClass=*)").contains("member: uid=new001,ou=数学组,ou=教师组,ou=育才学校,dc=example,dc=com"))
            // delete an active member → departure; the group no longer lists them.
            r = try tool(port, "ldapdelete", Self.admin + ["uid=new001,ou=数学组,ou=教师组,ou=育才学校,dc=example,dc=com"])
            #expect(r.status == 0, "\(r.text)")
            #expect(try search(port, "cn=departed,dc=example,dc=com", "(uid=new001)").contains("dn: uid=new001,cn=departed,dc=example,dc=com"))
            #expect(!(try search(port, "cn=新项目,cn=groups,dc=example,dc=com", "(objectClass=*)")).contains("new001"))
            #expect(try tool(port, "ldapwhoami", ["-D", "new001", "-w", "NewPass-123"]).status == 49, "departed members cannot bind")
            // modifyDN uid=…,cn=departed to a department → reinstate.
            r = try tool(port, "ldapmodrdn", Self.admin + ["-s", "ou=英语组,ou=教师组,ou=育才学校,dc=example,dc=com", "uid=new001,cn=departed,dc=example,dc=com", "uid=new001"])
            #expect(r.status == 0, "\(r.text)")
            #expect(try search(port, "cn=新项目,cn=groups,dc=example,dc=com", "(objectClass=*)").contains("member: uid=new001,ou=英语组"))
            // Password Modify: the member with their old password; an admin without it; a generated one.
            r = try tool(port, "ldappasswd", ["-D", "new001", "-w", "NewPass-123", "-a", "NewPass-123", "-s", "Changed-456"])
            #expect(r.status == 0, "\(r.text)")
            #expect(try tool(port, "ldapwhoami", ["-D", "new001", "-w", "Changed-456"]).text.contains("dn:uid=new001,ou=英语组"))
            r = try tool(port, "ldappasswd", Self.admin + ["-s", "Admin-set-789", "uid=new001,ou=英语组,ou=教师组,ou=育才学校,dc=example,dc=com"])
            #expect(r.status == 0, "\(r.text)")
            r = try tool(port, "ldappasswd", Self.admin + ["uid=new001,ou=英语组,ou=教师组,ou=育才学校,dc=example,dc=com"])
            #expect(r.status == 0, "\(r.text)")
            let generated = r.text.split(separator: "\n").first { $0.hasPrefix("New password: ") }.map { String($0.dropFirst(14)) }
            #expect(generated?.count == 16)
            #expect(try tool(port, "ldapwhoami", ["-D", "new001", "-w", generated ?? "-"]).status == 0)
            // modifyDN a department → rename and move; member DNs follow.
            r = try tool(port, "ldapmodrdn", Self.admin + ["-r", "-s", "ou=顺达物流,dc=example,dc=com", "ou=英语组,ou=教师组,ou=育才学校,dc=example,dc=com", "ou=外语组"])
            #expect(r.status == 0, "\(r.text)")
            #expect(try search(port, "dc=example,dc=com", "(uid=new001)", ["1.1"]).contains("dn: uid=new001,ou=外语组,ou=顺达物流,dc=example,dc=com"))
            // delete uid=…,cn=departed → erase; delete an empty department.
            _ = try tool(port, "ldapdelete", Self.admin + ["uid=new001,ou=外语组,ou=顺达物流,dc=example,dc=com"])
            r = try tool(port, "ldapdelete", Self.admin + ["uid=new001,cn=departed,dc=example,dc=com", "ou=研发部,ou=顺达物流,dc=example,dc=com"])
            #expect(r.status == 0, "\(r.text)")
            #expect(try search(port, "dc=example,dc=com", "(uid=new001)").isEmpty)
            // compare obeys visibility.
            #expect(try tool(port, "ldapcompare", Self.admin + ["uid=t2001,\(Self.chinese)", "mail:zhangsan@school.example.com"]).status == 6)
            #expect(try tool(port, "ldapcompare", ["-D", "w1002", "-w", "Pw-w1002", "uid=t2001,\(Self.chinese)", "mail:zhangsan@school.example.com"]).status == 32)
            // Everything was recorded with the LDAP identity and the client address, and survives a restart.
            let restarted = try DirectoryService(store: try SQLiteStore(path: path)).live.snapshot()
            #expect(restarted.member("new001") == nil)
            #expect(restarted.group("新项目") != nil)
            #expect(restarted.department(atPath: ["顺达物流", "外语组"]) != nil)
            let audit = try SQLiteStore(path: path).audit(since: nil, limit: 1000)
            #expect(audit.contains { $0.action == "member.depart" && $0.actor == "cn=admin,dc=example,dc=com" && $0.source.hasPrefix("ldap ") && $0.source.contains("127.0.0.1") })
            #expect(!audit.contains { $0.after.values.contains { $0.contains("Changed-456") || $0.contains("{PBKDF2") } })
        }
    }

    @Test func badInputsGetTheirResultCodeAndNothingIsApplied() async throws {
        try await withWritableServer { port, path in
            func add(_ ldif: String) throws -> (status: Int32, text: String) { try modify(port, "changetype: add\n" + ldif) }
            func expectCode(_ r: (status: Int32, text: String), _ code: Int32, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(r.status == code, "\(r.text)", sourceLocation: sourceLocation)
                #expect(r.text.contains(message), "\(r.text)", sourceLocation: sourceLocation)
            }
            let before = try search(port, "dc=example,dc=com", "(objectClass=*)", ["*"])
            expectCode(try modify(port, "dn: uid=x1,\(Self.chinese)\nchangetype: add\ncn: 某人\nmail: x1@x.com\n"), 65, "objectClass: required")
            expectCode(try modify(port, "dn: uid=x1,\(Self.chinese)\nchangetype: add\nobjectClass: inetOrgPerson\nsn: 某\nmail: x1@x.com\n"), 65, "cn: the name is required")
            expectCode(try modify(port, "dn: uid=x1,cn=groups,dc=example,dc=com\nchangetype: add\nobjectClass: inetOrgPerson\ncn: 某人\nsn: 某\nmail: x1@x.com\n"), 64, "members are added under a department")
            expectCode(try modify(port, "dn: uid=T2001,\(Self.chinese)\nchangetype: add\nobjectClass: inetOrgPerson\ncn: 某人\nsn: 某\nmail: x1@x.com\n"), 68, "account: T2001 already exists as t2001")
            expectCode(try modify(port, "dn: uid=x1,\(Self.chinese)\nchangetype: add\nobjectClass: inetOrgPerson\ncn: 某人\nsn: 某\nmobile: 13800002001\n"), 19, "mobile: 13800002001 is already used by t2001")
            expectCode(try modify(port, "dn: uid=x1,\(Self.chinese)\nchangetype: add\nobjectClass: inetOrgPerson\ncn: 某人\nsn: 某\nrosterWeChatID: 13800002001\n"), 21, "wechat: 13800002001 is all digits")
            let t2001 = "uid=t2001,\(Self.chinese)"
            expectCode(try modify(port, "dn: \(t2001)\nchangetype: modify\ndelete: mail\n-\ndelete: mobile\n-\ndelete: rosterWeChatID\n"), 19, "contact: t2001 needs at least one of wechat, mobile and email")
            expectCode(try modify(port, "dn: \(t2001)\nchangetype: modify\nreplace: uid\nuid: t2009\n"), 67, "uid: accounts are immutable")
            expectCode(try modify(port, "dn: \(t2001)\nchangetype: modify\nreplace: favouriteColour\nfavouriteColour: blue\n"), 17, "favouriteColour: unknown attribute")
            expectCode(try modify(port, "dn: \(t2001)\nchangetype: modify\nreplace: rosterBirthday\nrosterBirthday: 2001-02-30\n"), 21, "birthday: 2001-02-30 is not a date YYYY-MM-DD")
            expectCode(try modify(port, "dn: \(t2001)\nchangetype: modify\nreplace: title\ntitle: 好标题\n-\nreplace: mobile\nmobile: 13800001001\n"), 19, "mobile: 13800001001 is already used by t1001")
            expectCode(try tool(port, "ldapdelete", Self.admin + ["ou=教师组,ou=育才学校,dc=example,dc=com"]), 66, "only an empty department can be deleted")
            expectCode(try tool(port, "ldapmodrdn", Self.admin + ["-s", "ou=行政组,ou=教师组,ou=育才学校,dc=example,dc=com", "ou=教师组,ou=育才学校,dc=example,dc=com", "ou=教师组"]), 19, "cannot move 育才学校->教师组 under its own sub-department")
            expectCode(try modify(port, "dn: cn=语文教研组,cn=groups,dc=example,dc=com\nchangetype: modify\nadd: member\nmember: uid=ghost,\(Self.chinese)\n"), 19, "member: uid=ghost")
            // A member editing another member, or a field that is not self-editable.
            let zs = ["-D", "t2001", "-w", "Pw-t2001"]
            expectCode(try modify(port, "dn: uid=t2002,\(Self.chinese)\nchangetype: modify\nreplace: rosterNickname\nrosterNickname: 娜\n", as: zs), 50, "insufficient access")
            expectCode(try modify(port, "dn: \(t2001)\nchangetype: modify\nreplace: title\ntitle: 校长\n", as: zs), 50, "title: is not self-editable")
            // Nothing was applied.
            #expect(try search(port, "dc=example,dc=com", "(objectClass=*)", ["*"]) == before)
            // But a member may change a self-editable field of their own entry.
            #expect(try modify(port, "dn: \(t2001)\nchangetype: modify\nreplace: rosterNickname\nrosterNickname: 三哥\n", as: zs).status == 0)
            _ = path
        }
    }

    @Test func subAdminsWriteInsideTheirSubtreesAndRevealNothingOutside() async throws {
        try await withWritableServer { port, _ in
            let sub = ["-D", "cn=物流管理员,cn=admins,dc=example,dc=com", "-w", "Admin-logistics"]
            #expect(try modify(port, "dn: uid=w1002,ou=北京朝阳网点,ou=网点,ou=顺达物流,dc=example,dc=com\nchangetype: modify\nreplace: title\ntitle: 资深快递员\n", as: sub).status == 0)
            #expect(try modify(port, "dn: uid=w9001,ou=北京朝阳网点,ou=网点,ou=顺达物流,dc=example,dc=com\nchangetype: add\nobjectClass: inetOrgPerson\ncn: 新员工\nsn: 新\nmobile: 13799990000\n", as: sub).status == 0)
            // Outside the subtree: the same answer for an entry that exists and one that does not
            // (noSuchObject: an entry the requester cannot see does not exist for them).
            let exists = try modify(port, "dn: uid=t2001,\(Self.chinese)\nchangetype: modify\nreplace: title\ntitle: x\n", as: sub)
            let missing = try modify(port, "dn: uid=nobody,\(Self.chinese)\nchangetype: modify\nreplace: title\ntitle: x\n", as: sub)
            #expect(exists.status == 32)
            #expect(missing.status == 32)
            #expect(exists.text.replacingOccurrences(of: "t2001", with: "X") == missing.text.replacingOccurrences(of: "nobody", with: "X"))
            // Service accounts never write.
            let svc = ["-D", "cn=gitlab,cn=services,dc=example,dc=com", "-w", "Svc-gitlab"]
            #expect(try modify(port, "dn: uid=w1002,ou=北京朝阳网点,ou=网点,ou=顺达物流,dc=example,dc=com\nchangetype: modify\nreplace: title\ntitle: x\n", as: svc).status == 50)
        }
    }

    @Test func eightConcurrentWritersLoseNothing() async throws {
        let targets = [
            "uid=t1001,ou=行政组,ou=教师组,ou=育才学校", "uid=t1002,ou=行政组,ou=教师组,ou=育才学校", "uid=t2002,ou=语文组,ou=教师组,ou=育才学校",
            "uid=t3002,ou=数学组,ou=教师组,ou=育才学校", "uid=t4001,ou=英语组,ou=教师组,ou=育才学校", "uid=w1001,ou=北京朝阳网点,ou=网点,ou=顺达物流",
            "uid=w2001,ou=上海浦东网点,ou=网点,ou=顺达物流", "uid=w3001,ou=广州天河网点,ou=网点,ou=顺达物流",
        ]
        try await withWritableServer { port, path in
            let group = DispatchGroup()
            let failures = LockedCounter()
            for w in 0..<8 {
                DispatchQueue.global().async(group: group) {
                    var ldif = ""
                    for i in 0..<10 {
                        ldif += "dn: \(targets[w]),dc=example,dc=com\nchangetype: modify\nreplace: rosterNickname\nrosterNickname: n\(w)-\(i)\n\n"
                        if i % 2 == 0 {
                            ldif += "dn: uid=c\(w)x\(i),ou=上海浦东网点,ou=网点,ou=顺达物流,dc=example,dc=com\nchangetype: add\nobjectClass: inetOrgPerson\ncn: 并发\(w)\nsn: 并\nmail: c\(w)x\(i)@x.com\n\n"
                        }
                    }
                    let r = try? self.modify(port, ldif)
                    if r?.status != 0 { failures.add() }
                }
            }
            group.wait()
            #expect(failures.value == 0)
            let model = try DirectoryService(store: try SQLiteStore(path: path)).live.snapshot()
            for w in 0..<8 {
                let account = String(targets[w].dropFirst(4).prefix { $0 != "," })
                #expect(model.member(account)?.nickname == "n\(w)-9", "writer \(w)'s last change is stored")
                for i in stride(from: 0, to: 10, by: 2) { #expect(model.member("c\(w)x\(i)") != nil) }
            }
            let audit = try SQLiteStore(path: path).audit(since: nil, limit: 10_000)
            #expect(audit.filter { $0.action == "member.update" }.count == 80)
            #expect(audit.filter { $0.action == "member.create" }.count == 40)
        }
    }
}

final class LockedCounter: @unchecked Sendable {
    // Safe: every access holds the lock.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
