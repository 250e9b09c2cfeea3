import Directory
import Foundation
import PasswordHashing
import Testing

/// The demo organisation plus what the visibility holes of issue 8 need:
/// - 保密项目组, a hidden department of 顺达物流, is the primary department of 秦守密 (h001), who is
///   also in 管理层 (visible to everyone in 管理层), leads 管理层 and is in the group 年会筹备组;
/// - 周海涛 (w0002, primary 管理层) is in 保密项目组 too;
/// - a service account `mailer` limited to uid, cn and mail;
/// - a departed teacher (t1002), outside the logistics sub-admin's scope, next to the departed
///   courier w1003 inside it.
let holeModel: DirectoryModel = {
    var m = demoModel
    let hasher = StandardPasswordHasher(rounds: 1000)
    let context = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "test")
    func run(_ command: DirectoryCommand) {
        let result = Result { () throws(DirectoryError) in try m.apply(command, by: context) }
        if case .failure(let error) = result { fatalError("setting up the model: \(command): \(error)") }
    }
    func account(_ s: String) -> Account {
        guard let a = try? Account(parsing: s) else { fatalError("bad account \(s)") }
        return a
    }
    guard let company = m.department(atPath: ["顺达物流"])?.id, let management = m.department(atPath: ["顺达物流", "管理层"])?.id
    else { fatalError("the demo organisation changed") }
    run(.createDepartment(DepartmentDraft(name: "保密项目组", parent: company, order: 9, hidden: true)))
    guard let secret = m.department(atPath: ["顺达物流", "保密项目组"])?.id else { fatalError("no hidden department") }
    run(.createMember(
        account: "h001", fields: [.name: "秦守密", .email: "h001@shunda.example.com"], departments: [secret, management],
        passwordHash: hasher.hash("Pw-h001")))
    run(.setDepartments(account("w0002"), [management, secret]))
    run(.updateDepartment(management, DepartmentChanges(leaders: [account("h001"), account("w0002")])))
    if let party = m.groups.values.first(where: { $0.name == "年会筹备组" }) { run(.addGroupMembers(party.key, [account("h001")])) }
    run(.putAdministrator(Administrator(
        name: "mailer", role: .service(scopes: [], attributes: ["uid", "cn", "mail"]), passwordHash: hasher.hash("Svc-mailer"))))
    run(.depart(account("t1002")))
    return m
}()

/// Visibility holes (issue 8, item 4), each over loopback with OpenLDAP's tools or python-ldap.
/// Expected values come from DESIGN §2–§5: an entry the requester may not see does not exist for
/// them, by every path, with the matchedDN of a DN that never existed.
@Suite struct VisibilityHoleTests {
    static let base = "dc=example,dc=com"
    static let admin = ["-D", "cn=admin,dc=example,dc=com", "-w", "secret"]
    static let w0001 = ["-D", "uid=w0001,ou=管理层,ou=顺达物流,dc=example,dc=com", "-w", "Pw-w0001"]
    static let t2001 = ["-D", "uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", "-w", "Pw-t2001"]
    static let subAdmin = ["-D", "cn=物流管理员,cn=admins,dc=example,dc=com", "-w", "Admin-logistics"]
    static let gitlab = ["-D", "cn=gitlab,cn=services,dc=example,dc=com", "-w", "Svc-gitlab"]
    static let mailer = ["-D", "cn=mailer,cn=services,dc=example,dc=com", "-w", "Svc-mailer"]
    static let h001 = "uid=h001,ou=保密项目组,ou=顺达物流,dc=example,dc=com"
    static let w0002 = "uid=w0002,ou=管理层,ou=顺达物流,dc=example,dc=com"
    static let management = "ou=管理层,ou=顺达物流,dc=example,dc=com"
    static let secret = "ou=保密项目组,ou=顺达物流,dc=example,dc=com"
    static let inChain = "memberOf:1.2.840.113556.1.4.1941:="

    /// ldapsearch: exit status (the result code), LDIF with base64 decoded, and stderr.
    func search(_ port: Int, _ bind: [String], _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try run("ldapsearch", ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", "ldap://127.0.0.1:\(port)"] + bind + args)
        return (r.status, decodeLDIF(r.out), r.err)
    }

    func dns(_ ldif: String) -> [String] {
        ldif.split(separator: "\n").filter { $0.hasPrefix("dn: ") }.map { String($0.dropFirst(4)) }
    }

    func values(_ ldif: String, _ attribute: String) -> [String] {
        ldif.split(separator: "\n").filter { $0.hasPrefix("\(attribute): ") }.map { String($0.dropFirst(attribute.count + 2)) }
    }

    // MARK: - A hidden primary department

    @Test func memberWhosePrimaryDepartmentIsHiddenIsInvisibleByEveryPath() async throws {
        try await withServer(anonymousRead: false, model: holeModel) { port in
            // The administrator sees 秦守密, so what follows is about visibility, not existence.
            #expect(try dns(search(port, Self.admin, ["-b", Self.h001, "-s", "base", "(objectClass=*)", "1.1"]).out) == [Self.h001])

            // Base search at the DN: the answer for a DN that never existed, Matched DN included.
            let hidden = try search(port, Self.w0001, ["-b", Self.h001, "-s", "base", "(objectClass=*)"])
            let missing = try search(port, Self.w0001, ["-b", "uid=nobody,\(Self.secret)", "-s", "base", "(objectClass=*)"])
            #expect(hidden.status == 32, "\(hidden.out)")
            #expect(missing.status == 32)
            #expect(hidden.out.isEmpty)
            #expect(hidden.err.contains("Matched DN: ou=顺达物流,dc=example,dc=com"), "\(hidden.err)")
            #expect(hidden.err == missing.err)
            #expect(try dns(search(port, Self.w0001, ["-b", Self.base, "(uid=h001)", "1.1"]).out).isEmpty)

            // Group members, manager, leaders.
            let group = try search(port, Self.w0001, ["-b", "cn=groups,dc=example,dc=com", "(cn=年会筹备组)", "member"])
            #expect(values(group.out, "member").contains(Self.w0002))
            #expect(!group.out.contains("h001"), "\(group.out)")
            let me = try search(port, Self.w0001, ["-b", Self.base, "(uid=w0001)", "manager"])
            #expect(dns(me.out).count == 1)
            #expect(!me.out.contains("h001"), "\(me.out)")
            let department = try search(port, Self.w0001, ["-b", Self.management, "-s", "base", "(objectClass=*)", "rosterLeader", "rosterMemberCount"])
            #expect(values(department.out, "rosterLeader") == [Self.w0002])
            // 管理层 as w0001 sees it: w0001 and w0002.
            #expect(values(department.out, "rosterMemberCount") == ["2"])
            // 顺达物流's subtree: w0001, w0002 and the six depot members (w1003 has departed).
            let company = try search(port, Self.w0001, ["-b", "ou=顺达物流,dc=example,dc=com", "-s", "base", "(objectClass=*)", "rosterSubtreeMemberCount", "numSubordinates"])
            #expect(values(company.out, "rosterSubtreeMemberCount") == ["8"])
            #expect(values(company.out, "numSubordinates") == ["2"], "管理层 and 网点; not 保密项目组")
            // The group as the administrator still lists 秦守密: the filter above is visibility.
            let adminGroup = try search(port, Self.admin, ["-b", "cn=groups,dc=example,dc=com", "(cn=年会筹备组)", "member"])
            #expect(values(adminGroup.out, "member").contains(Self.h001))
        }
    }

    // MARK: - In-chain memberOf

    @Test func inChainMemberOfMatchesOnlyThroughDepartmentsTheViewerSees() async throws {
        try await withServer(anonymousRead: false, model: holeModel) { port in
            let throughHidden = "(\(Self.inChain)\(Self.secret))"
            // The administrator: both members of the hidden department.
            #expect(Set(try dns(search(port, Self.admin, ["-b", Self.base, throughHidden, "1.1"]).out)) == [Self.h001, Self.w0002])
            // w0001 sees w0002, but not that w0002 is in a department hidden from them.
            #expect(try dns(search(port, Self.w0001, ["-b", Self.base, throughHidden, "1.1"]).out).isEmpty)
            // Nor by memberOf, ou or departmentNumber values.
            #expect(try dns(search(port, Self.w0001, ["-b", Self.base, "(|(memberOf=\(Self.secret))(ou=保密项目组))", "1.1"]).out).isEmpty)
            let w0002 = try search(port, Self.w0001, ["-b", Self.w0002, "-s", "base", "(objectClass=*)", "memberOf", "ou"])
            #expect(!w0002.out.contains("保密项目组"), "\(w0002.out)")
            // Through a visible department: the visible members only.
            let visible = try dns(search(port, Self.w0001, ["-b", Self.base, "(\(Self.inChain)\(Self.management))", "1.1"]).out)
            #expect(Set(visible) == ["uid=w0001,\(Self.management)", Self.w0002])
        }
    }

    @Test func inChainMemberOfIsUndefinedForAServiceWithoutMemberOf() async throws {
        try await withServer(anonymousRead: false, model: holeModel) { port in
            let filter = "(\(Self.inChain)\(Self.management))"
            // A service that reads memberOf gets the members; one whose list lacks it, nothing.
            let full = try search(port, Self.gitlab, ["-b", Self.base, filter, "1.1"])
            #expect(Set(dns(full.out)) == ["uid=w0001,\(Self.management)", Self.w0002])
            let limited = try search(port, Self.mailer, ["-b", Self.base, filter, "1.1"])
            #expect(limited.status == 0)
            #expect(dns(limited.out).isEmpty, "\(limited.out)")
            // Undefined, not false: its negation matches nothing either.
            #expect(try dns(search(port, Self.mailer, ["-b", Self.base, "(&(uid=w0001)(!\(filter)))", "1.1"]).out).isEmpty)
            // The service still finds the member by what it may read.
            #expect(try dns(search(port, Self.mailer, ["-b", Self.base, "(uid=w0001)", "1.1"]).out) == ["uid=w0001,\(Self.management)"])
        }
    }

    // MARK: - Counts

    @Test func departedContainerCountsOnlyTheSubAdminsScope() async throws {
        try await withServer(anonymousRead: false, model: holeModel) { port in
            let args = ["-b", "cn=departed,dc=example,dc=com", "-s", "base", "(objectClass=*)", "numSubordinates", "hasSubordinates"]
            // The super admin: w1003 and t1002.
            #expect(values(try search(port, Self.admin, args).out, "numSubordinates") == ["2"])
            // The logistics sub-admin: only w1003, the courier of their scope.
            let sub = try search(port, Self.subAdmin, args)
            #expect(values(sub.out, "numSubordinates") == ["1"], "\(sub.out)")
            #expect(values(sub.out, "hasSubordinates") == ["TRUE"])
            #expect(try dns(search(port, Self.subAdmin, ["-b", "cn=departed,dc=example,dc=com", "-s", "one", "(objectClass=*)", "1.1"]).out)
                == ["uid=w1003,cn=departed,dc=example,dc=com"])
        }
    }

    // MARK: - Pinyin on name parts

    @Test func pinyinOnSurnameAndGivenNameMatchesThatPartOnly() async throws {
        try await withServer(anonymousRead: false) { port in
            func found(_ filter: String) -> Set<String> {
                let out = (try? search(port, Self.admin, ["-b", Self.base, filter, "uid"]).out) ?? ""
                return Set(dns(out).compactMap { dn in dn.split(separator: ",").first.map { String($0.dropFirst(4)) } })
            }
            // 张三: surname 张 zhang, given name 三 san.
            #expect(found("(sn=zhang)").contains("t2001"))
            #expect(!found("(givenName=zhang*)").contains("t2001"))
            #expect(!found("(givenName=zhang)").contains("t2001"))
            #expect(found("(givenName=san)").contains("t2001"))
            #expect(!found("(sn=san)").contains("t2001"))
            // 欧阳娜娜: compound surname.
            #expect(found("(sn=ouyang)").contains("t2002"))
            #expect(found("(sn=ou yang)").contains("t2002"))
            #expect(found("(givenName=nana)").contains("t2002"))
            #expect(!found("(givenName=ou*)").contains("t2002"))
            // 曾小贤: the surname's own reading (zeng).
            #expect(found("(sn=zeng)").contains("t3001"))
            #expect(found("(givenName=xiao*)").contains("t3001"))
            #expect(!found("(sn=xiao*)").contains("t3001"))
            // The whole name still matches on cn.
            #expect(found("(cn=zhangsan)").contains("t2001"))
            #expect(found("(cn=zs*)").contains("t2001"))
        }
    }

    // MARK: - Uniqueness conflicts

    @Test func uniquenessConflictNamesTheOtherMemberOnlyWhenTheRequesterSeesThemAndTheField() async throws {
        var model = holeModel
        let context = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "test")
        // Members may change their own mobile and e-mail; mobile numbers are not shown to others.
        _ = try model.apply(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: true)), by: context)
        _ = try model.apply(.setFieldPolicy(.email, FieldPolicy.Rule(shown: true, selfEditable: true)), by: context)
        try await withWritableServer(model: model) { port, _ in
            func modify(_ bind: [String], _ ldif: String) throws -> (status: Int32, text: String) {
                let r = try run("ldapmodify", ["-x", "-H", "ldap://127.0.0.1:\(port)"] + bind, stdin: ldif)
                return (r.status, r.out + r.err)
            }
            let t2002 = ["-D", "uid=t2002,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", "-w", "Pw-t2002"]
            let me = "dn: uid=t2002,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com\nchangetype: modify\n"
            // t2002 sees t2001 (teachers see teachers) but not t2001's mobile: not named.
            let mobile = try modify(t2002, me + "replace: mobile\nmobile: 13800002001\n")
            #expect(mobile.status == 19, "\(mobile.text)")
            #expect(mobile.text.contains("mobile: 13800002001 is already used"), "\(mobile.text)")
            #expect(!mobile.text.contains("t2001"), "\(mobile.text)")
            // The e-mail address is shown: named.
            let email = try modify(t2002, me + "replace: mail\nmail: zhangsan@school.example.com\n")
            #expect(email.status == 19, "\(email.text)")
            #expect(email.text.contains("t2001"), "\(email.text)")
            // A courier does not see t2001 at all: not named, whatever the field.
            let w1002 = ["-D", "uid=w1002,ou=北京朝阳网点,ou=网点,ou=顺达物流,dc=example,dc=com", "-w", "Pw-w1002"]
            let courier = try modify(w1002, "dn: uid=w1002,ou=北京朝阳网点,ou=网点,ou=顺达物流,dc=example,dc=com\nchangetype: modify\nreplace: mail\nmail: zhangsan@school.example.com\n")
            #expect(courier.status == 19, "\(courier.text)")
            #expect(courier.text.contains("is already used"), "\(courier.text)")
            #expect(!courier.text.contains("t2001"), "\(courier.text)")
        }
    }

    // MARK: - Writes and compares of invisible entries

    /// Runs write operations with python-ldap as `who` and returns, per operation, the exception's
    /// class name (or `ok`) and the matchedDN the server sent.
    func pythonWrites(_ port: Int, _ who: (dn: String, password: String), _ operations: [(op: String, dn: String)]) throws -> [String] {
        var lines: [String] = []
        for (op, dn) in operations {
            let call: String
            switch op {
            case "modify": call = "l.modify_s(dn, [(ldap.MOD_REPLACE, 'title', [b'x'])])"
            case "delete": call = "l.delete_s(dn)"
            case "modrdn": call = "l.rename_s(dn, dn.split(',')[0])"
            case "compare": call = "l.compare_s(dn, 'cn', b'x')"
            default: call = "raise Exception('unknown op')"
            }
            lines.append("""
                dn = \(pythonString(dn))
                try:
                    \(call)
                    print('ok', '')
                except ldap.LDAPError as e:
                    print(type(e).__name__, e.args[0].get('matched', ''))
                """)
        }
        let script = """
            import ldap
            l = ldap.initialize("ldap://127.0.0.1:\(port)")
            l.simple_bind_s(\(pythonString(who.dn)), \(pythonString(who.password)))

            """ + lines.joined(separator: "\n")
        let r = try run("/usr/bin/python3", ["-c", script])
        #expect(r.status == 0, "\(r.err)")
        return r.out.split(separator: "\n").map(String.init)
    }

    func pythonString(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    @Test func writesToAnEntryTheRequesterCannotSeeAnswerNoSuchObjectLikeAMissingOne() async throws {
        try await withWritableServer(model: holeModel) { port, _ in
            let courier = "uid=w1002,ou=北京朝阳网点,ou=网点,ou=顺达物流,dc=example,dc=com"
            let nobodyThere = "uid=nobody,ou=北京朝阳网点,ou=网点,ou=顺达物流,dc=example,dc=com"
            let colleague = "uid=t2002,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"
            var operations: [(op: String, dn: String)] = []
            for op in ["modify", "delete", "modrdn", "compare"] {
                operations += [(op, courier), (op, nobodyThere)]
            }
            // A teacher (member): the courier is invisible, the colleague visible but not theirs.
            let teacher = try pythonWrites(port, ("uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", "Pw-t2001"),
                operations + [("modify", colleague), ("delete", colleague), ("modrdn", colleague)])
            #expect(teacher.count == 11, "\(teacher)")
            for pair in stride(from: 0, to: 8, by: 2) where pair + 1 < teacher.count {
                #expect(teacher[pair] == "NO_SUCH_OBJECT dc=example,dc=com", "\(operations[pair])")
                #expect(teacher[pair] == teacher[pair + 1], "\(operations[pair]): hidden and missing differ")
            }
            #expect(Array(teacher.suffix(3)) == ["INSUFFICIENT_ACCESS ", "INSUFFICIENT_ACCESS ", "INSUFFICIENT_ACCESS "])

            // The logistics sub-admin: a teacher is outside their scope.
            let teacherDN = "uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"
            let noTeacher = "uid=nobody,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"
            var subOperations: [(op: String, dn: String)] = []
            for op in ["modify", "delete", "modrdn", "compare"] { subOperations += [(op, teacherDN), (op, noTeacher)] }
            let sub = try pythonWrites(port, ("cn=物流管理员,cn=admins,dc=example,dc=com", "Admin-logistics"), subOperations)
            #expect(sub.count == 8, "\(sub)")
            for pair in stride(from: 0, to: 8, by: 2) where pair + 1 < sub.count {
                #expect(sub[pair] == "NO_SUCH_OBJECT dc=example,dc=com", "\(subOperations[pair])")
                #expect(sub[pair] == sub[pair + 1], "\(subOperations[pair]): hidden and missing differ")
            }

            // A service account reads everything not hidden: 秦守密 does not exist for it, the
            // courier exists but may not be changed.
            let service = try pythonWrites(port, ("cn=gitlab,cn=services,dc=example,dc=com", "Svc-gitlab"),
                [("modify", Self.h001), ("modify", "uid=nobody,\(Self.secret)"), ("modify", courier)])
            #expect(service == ["NO_SUCH_OBJECT ou=顺达物流,dc=example,dc=com", "NO_SUCH_OBJECT ou=顺达物流,dc=example,dc=com", "INSUFFICIENT_ACCESS "])

            // Nothing was changed, and ldapmodify prints the same matched DN for both.
            let hidden = try run("ldapmodify", ["-x", "-H", "ldap://127.0.0.1:\(port)"] + Self.t2001,
                stdin: "dn: \(courier)\nchangetype: modify\nreplace: title\ntitle: x\n")
            let missing = try run("ldapmodify", ["-x", "-H", "ldap://127.0.0.1:\(port)"] + Self.t2001,
                stdin: "dn: \(nobodyThere)\nchangetype: modify\nreplace: title\ntitle: x\n")
            #expect(hidden.status == 32)
            #expect(hidden.err.contains("matched DN: dc=example,dc=com"), "\(hidden.err)")
            #expect(hidden.err.replacingOccurrences(of: "w1002", with: "X") == missing.err.replacingOccurrences(of: "nobody", with: "X"))
            let title = try search(port, Self.admin, ["-b", courier, "-s", "base", "(objectClass=*)", "title"])
            #expect(values(title.out, "title") == ["快递员"])
        }
    }
}
