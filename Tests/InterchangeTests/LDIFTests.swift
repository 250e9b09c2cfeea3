import Directory
import Foundation
import PasswordHashing
import Testing

@testable import Interchange

/// LDIF (RFC 2849): the syntax, the export against a hand-written file, the round trip through
/// an empty Roster, change records, and per-record errors with their line numbers.
@Suite struct LDIFTests {
    static let ctx = CommandContext(actor: "test", source: "test")
    static let hasher = StandardPasswordHasher(rounds: 1000)

    static func empty(_ organization: String = "Empty") throws -> DirectoryService {
        try DirectoryService(store: InMemoryStore(DirectoryModel(organization: organization)))
    }

    /// 示例公司: 营销中心 (2) > 大客户部 (4, hidden), 技术部 (3, scope department); 李四 leads
    /// 营销中心 and 大客户部; 张三 in 大客户部 and 技术部 with every field; 王五 departed from 技术部;
    /// groups all-hands (李四) and 项目组A (张三, 李四).
    static func sample() throws -> DirectoryService {
        let s = try empty("示例公司")
        try s.execute(.createDepartment(DepartmentDraft(name: "营销中心", parent: .root, order: 1)), by: ctx)
        try s.execute(
            .createDepartment(DepartmentDraft(name: "技术部", parent: .root, order: 2, scope: .department, description: "研发, 测试")),
            by: ctx)
        try s.execute(.createDepartment(DepartmentDraft(name: "大客户部", parent: DepartmentID(2), hidden: true)), by: ctx)
        try s.execute(
            .createMember(account: "lisi", fields: [.name: "李四", .email: "lisi@example.com"], departments: [DepartmentID(2)], passwordHash: nil),
            by: ctx)
        try s.execute(
            .createMember(
                account: "zhangsan",
                fields: [
                    .name: "张三", .mobile: "13800000000", .email: "zhangsan@example.com", .phone: "010-1234", .phone2: "010-5678",
                    .title: "经理", .address: "Room 1, Building 2, 100 Example Road, Haidian District, Beijing 100000, China",
                    .remarks: ":-) 第一行\n第二行", .nickname: "小张", .gender: "男", .wechat: "zs_wechat", .qq: "123456",
                    .birthday: "1990-01-15", .lunarBirthday: "12-01", .birthdayReminder: "lunar", .hireDate: "2020-03-01",
                ],
                departments: [DepartmentID(4), DepartmentID(3)], passwordHash: hasher.hash("Pw-zhangsan-1")), by: ctx)
        try s.execute(
            .createMember(account: "wangwu", fields: [.name: "王五", .mobile: "13900000000"], departments: [DepartmentID(3)], passwordHash: nil),
            by: ctx)
        try s.execute(.depart(Account(parsing: "wangwu")), by: ctx)
        try s.execute(.updateDepartment(DepartmentID(2), DepartmentChanges(leaders: [Account(parsing: "lisi")])), by: ctx)
        try s.execute(.updateDepartment(DepartmentID(4), DepartmentChanges(leaders: [Account(parsing: "lisi")])), by: ctx)
        try s.execute(.createGroup(name: "项目组A", description: "项目, 一期", members: [Account(parsing: "zhangsan"), Account(parsing: "lisi")]), by: ctx)
        try s.execute(.createGroup(name: "all-hands", description: nil, members: [Account(parsing: "lisi")]), by: ctx)
        return s
    }

    /// The export of ``sample()``, base64 decoded and unfolded (by Python, below), written by hand.
    static let expectedDecoded = """
        dn: dc=example,dc=com
        objectClass: top
        objectClass: dcObject
        objectClass: organization
        objectClass: rosterDepartment
        dc: example
        o: 示例公司
        rosterDepartmentID: 1
        rosterSortOrder: 0
        rosterVisibility: all
        rosterHidden: FALSE

        dn: ou=营销中心,dc=example,dc=com
        objectClass: top
        objectClass: organizationalUnit
        objectClass: rosterDepartment
        ou: 营销中心
        rosterDepartmentID: 2
        rosterSortOrder: 1
        rosterVisibility: inherit
        rosterLeader: uid=lisi,ou=营销中心,dc=example,dc=com
        rosterHidden: FALSE

        dn: uid=lisi,ou=营销中心,dc=example,dc=com
        objectClass: top
        objectClass: person
        objectClass: organizationalPerson
        objectClass: inetOrgPerson
        objectClass: rosterMember
        uid: lisi
        cn: 李四
        displayName: 李四
        sn: 李
        givenName: 四
        mail: lisi@example.com
        ou: 营销中心
        departmentNumber: 2
        rosterFollowStatus: 未关注
        rosterPinned: FALSE
        rosterHidden: FALSE
        rosterStatus: active

        dn: ou=大客户部,ou=营销中心,dc=example,dc=com
        objectClass: top
        objectClass: organizationalUnit
        objectClass: rosterDepartment
        ou: 大客户部
        rosterDepartmentID: 4
        rosterSortOrder: 0
        rosterVisibility: inherit
        rosterLeader: uid=lisi,ou=营销中心,dc=example,dc=com
        rosterHidden: TRUE

        dn: uid=zhangsan,ou=大客户部,ou=营销中心,dc=example,dc=com
        objectClass: top
        objectClass: person
        objectClass: organizationalPerson
        objectClass: inetOrgPerson
        objectClass: rosterMember
        uid: zhangsan
        cn: 张三
        displayName: 张三
        sn: 张
        givenName: 三
        mail: zhangsan@example.com
        mobile: 13800000000
        telephoneNumber: 010-1234
        telephoneNumber: 010-5678
        title: 经理
        ou: 大客户部
        ou: 技术部
        departmentNumber: 4
        departmentNumber: 3
        postalAddress: Room 1, Building 2, 100 Example Road, Haidian District, Beijing 100000, China
        description: :-) 第一行\\n第二行
        manager: uid=lisi,ou=营销中心,dc=example,dc=com
        rosterNickname: 小张
        rosterGender: 男
        rosterWeChatID: zs_wechat
        rosterQQ: 123456
        rosterBirthday: 1990-01-15
        rosterLunarBirthday: 12-01
        rosterBirthdayReminder: lunar
        rosterHireDate: 2020-03-01
        rosterFollowStatus: 未关注
        rosterPinned: FALSE
        rosterHidden: FALSE
        rosterStatus: active

        dn: ou=技术部,dc=example,dc=com
        objectClass: top
        objectClass: organizationalUnit
        objectClass: rosterDepartment
        ou: 技术部
        description: 研发, 测试
        rosterDepartmentID: 3
        rosterSortOrder: 2
        rosterVisibility: department
        rosterHidden: FALSE

        dn: cn=groups,dc=example,dc=com
        objectClass: top
        objectClass: applicationProcess
        cn: groups

        dn: cn=all-hands,cn=groups,dc=example,dc=com
        objectClass: top
        objectClass: groupOfNames
        cn: all-hands
        member: uid=lisi,ou=营销中心,dc=example,dc=com

        dn: cn=项目组A,cn=groups,dc=example,dc=com
        objectClass: top
        objectClass: groupOfNames
        cn: 项目组A
        description: 项目, 一期
        member: uid=zhangsan,ou=大客户部,ou=营销中心,dc=example,dc=com
        member: uid=lisi,ou=营销中心,dc=example,dc=com

        dn: cn=departed,dc=example,dc=com
        objectClass: top
        objectClass: applicationProcess
        cn: departed

        dn: uid=wangwu,cn=departed,dc=example,dc=com
        objectClass: top
        objectClass: person
        objectClass: organizationalPerson
        objectClass: inetOrgPerson
        objectClass: rosterMember
        uid: wangwu
        cn: 王五
        displayName: 王五
        sn: 王
        givenName: 五
        mobile: 13900000000
        ou: 技术部
        departmentNumber: 3
        rosterFollowStatus: 未关注
        rosterPinned: FALSE
        rosterHidden: FALSE
        rosterStatus: departed

        """

    /// Decodes an LDIF file with Python (unfold, base64), independently of the code under test;
    /// line breaks inside values come back as `\\n`.
    static func decodeWithPython(_ text: String) throws -> String {
        let script = #"""
        import sys, base64
        raw = sys.stdin.buffer.read().decode('ascii')
        lines = []
        for l in raw.split('\n'):
            if l.startswith(' '): lines[-1] += l[1:]
            else: lines.append(l)
        out = []
        for l in lines:
            if ':: ' in l:
                k, v = l.split(':: ', 1)
                l = k + ': ' + base64.b64decode(v).decode('utf-8').replace('\n', '\\n')
            out.append(l)
        sys.stdout.write('\n'.join(out))
        """#
        let r = try runProgram("/usr/bin/python3", ["-c", script], input: Data(text.utf8))
        #expect(r.status == 0, "\(r.err)")
        return r.out
    }

    // MARK: - Syntax

    @Test func safeStringsArePlainOthersBase64AndLinesFoldAt76() {
        #expect(LDIF.line("cn", "Zhang San") == "cn: Zhang San\n")
        // Not SAFE-STRING (RFC 2849): non-ASCII, a leading space, colon or '<', a trailing space.
        #expect(LDIF.line("cn", "张三") == "cn:: 5byg5LiJ\n")
        #expect(LDIF.line("description", ":x") == "description:: Ong=\n")
        #expect(LDIF.line("description", "<x") == "description:: PHg=\n")
        #expect(LDIF.line("description", " x") == "description:: IHg=\n")
        #expect(LDIF.line("description", "x ") == "description:: eCA=\n")
        #expect(LDIF.line("description", "a\nb") == "description:: YQpi\n")
        let long = LDIF.line("description", String(repeating: "x", count: 100))
        let lines = long.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.map(\.count) == [76, 38])
        #expect(lines[0] == "description: " + String(repeating: "x", count: 63))
        #expect(lines[1] == " " + String(repeating: "x", count: 37))
    }

    @Test func readsFoldedLinesBase64CommentsAndVersion() {
        let text = """
            version: 1
            # a comment
             that continues

            dn:: dWlkPXpoYW5nc2FuLGRjPWV4YW1wbGUsZGM9Y29t
            objectClass: inetOrgPerson
            cn:: 5byg5LiJ
            description: first part
             , second part
            mail:   spaced@example.com

            dn: ou=x,dc=example,dc=com
            changetype: modify
            replace: description
            description: new
            -
            delete: seeAlso
            -

            """
        let (records, errors) = LDIF.parse(Array(text.utf8))
        #expect(errors.isEmpty)
        #expect(records.count == 2)
        #expect(records[0].dn == "uid=zhangsan,dc=example,dc=com")
        #expect(records[0].line == 5)
        guard case .add(let values) = records[0].change else {
            Issue.record("not a content record")
            return
        }
        #expect(values.map(\.type) == ["objectclass", "cn", "description", "mail"])
        #expect(values[1].text == "张三")
        #expect(values[2].text == "first part, second part")
        #expect(values[3].text == "spaced@example.com")
        #expect(records[1].line == 12)
        guard case .modify(let mods) = records[1].change else {
            Issue.record("not a modify record")
            return
        }
        #expect(mods.map(\.kind) == [.replace, .delete])
        #expect(mods.map(\.type) == ["description", "seealso"])
        #expect(mods[0].values.map(\.text) == ["new"])
    }

    @Test func refusesURLValuesByNameWithTheirLine() {
        let text = "dn: uid=a,dc=example,dc=com\ncn: A\njpegPhoto:< file:///etc/passwd\n\ndn: uid=b,dc=example,dc=com\ncn: B\n"
        let (records, errors) = LDIF.parse(Array(text.utf8))
        #expect(records.count == 1)
        #expect(errors.count == 1)
        #expect(errors.first?.line == 3)
        #expect(errors.first?.message.contains("jpegPhoto:< file:///etc/passwd") == true)
        #expect(errors.first?.message.contains("refused") == true)
    }

    // MARK: - Export

    @Test func exportIsTheHandWrittenDirectory() throws {
        let s = try Self.sample()
        let text = try LDIF.export(s.live.snapshot(), baseDN: "dc=example,dc=com")
        for line in text.split(separator: "\n") {
            #expect(line.utf8.count <= 76, "longer than 76: \(line)")
            #expect(line.utf8.allSatisfy { $0 < 0x80 }, "not ASCII: \(line)")
        }
        #expect(!text.contains("userPassword"), "hashes are exported only when asked for")
        #expect(try Self.decodeWithPython(text) == Self.expectedDecoded)
        let withHashes = try LDIF.export(s.live.snapshot(), baseDN: "dc=example,dc=com", options: .init(withPasswordHashes: true))
        let hash = try #require(s.live.snapshot().member("zhangsan")?.passwordHash)
        #expect(hash.hasPrefix("{PBKDF2-SHA512}1000$"))
        #expect(try Self.decodeWithPython(withHashes).contains("rosterStatus: active\nuserPassword: \(hash)\n\ndn: ou=技术部"))
    }

    // MARK: - Import

    @Test func roundTripThroughAnEmptyRosterIsIdentical() throws {
        let source = try Self.sample()
        let first = try LDIF.export(source.live.snapshot(), baseDN: "dc=example,dc=com", options: .init(withPasswordHashes: true))
        let target = try Self.empty()
        let report = try LDIF.importLDIF(Array(first.utf8), into: target, by: Self.ctx, options: .init(hasher: Self.hasher))
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.count("member.create") == 3)
        #expect(report.count("department.create") == 3)
        #expect(report.count("group.create") == 2)
        #expect(report.count("member.depart") == 1)
        #expect(report.count("organization.rename") == 1)
        let second = try LDIF.export(target.live.snapshot(), baseDN: "dc=example,dc=com", options: .init(withPasswordHashes: true))
        #expect(second == first)
        // The hash came along and still verifies the password.
        let m = try #require(target.live.snapshot().member("zhangsan"))
        #expect(Self.hasher.verify(Array("Pw-zhangsan-1".utf8), against: m.passwordHash ?? ""))
    }

    @Test func aMemberOfTheOrganisationAndADepartmentKeepsBoth() throws {
        let source = try Self.empty("示例公司")
        try source.execute(.createDepartment(DepartmentDraft(name: "营销中心", parent: .root)), by: Self.ctx)
        try source.execute(
            .createMember(account: "boss", fields: [.name: "老板", .email: "boss@example.com"], departments: [.root, DepartmentID(2)], passwordHash: nil),
            by: Self.ctx)
        let text = try LDIF.export(source.live.snapshot(), baseDN: "dc=example,dc=com")
        let target = try Self.empty()
        let report = try LDIF.importLDIF(Array(text.utf8), into: target, by: Self.ctx)
        #expect(report.failures.isEmpty, "\(report.failures)")
        let boss = try #require(target.live.snapshot().member("boss"))
        #expect(boss.departments == [.root, DepartmentID(2)])
        #expect(try LDIF.export(target.live.snapshot(), baseDN: "dc=example,dc=com") == text)
    }

    @Test func everyRecordIsAppliedOrReportedWithItsLine() throws {
        let target = try Self.empty()
        let text = """
            version: 1
            # departments first

            dn: ou=研发,dc=example,dc=com
            objectClass: organizationalUnit
            ou: 研发

            dn: uid=ok1,ou=研发,dc=example,dc=com
            objectClass: inetOrgPerson
            uid: ok1
            cn: Ok One
            sn: One
            mail: ok1@exam
             ple.com

            dn: uid=bad1,ou=研发,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Bad
            sn: Bad
            mail: not-an-email

            dn: uid=pic,ou=研发,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Pic
            mail: pic@example.com
            jpegPhoto:< file:///etc/passwd

            dn: uid=lost,ou=无此部门,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Lost
            mail: lost@example.com

            dn:: dWlkPWI2NCxvdT3noJTlj5EsZGM9ZXhhbXBsZSxkYz1jb20=
            objectClass: inetOrgPerson
            cn:: 546L5LqU
            mail: b64@example.com
            employeeNumber: E1

            dn: uid=far,dc=other,dc=org
            objectClass: inetOrgPerson
            cn: Far
            mail: far@example.com

            dn: uid=nocontact,ou=研发,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: No Contact

            """
        let report = try LDIF.importLDIF(Array(text.utf8), into: target, by: Self.ctx)
        let byLine = Dictionary(report.failures.map { ($0.line ?? 0, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(byLine.keys) == [16, 26, 39, 44], "\(report.failures)")
        #expect(byLine[16]?.hasPrefix("email: not-an-email") == true, "\(byLine[16] ?? "")")
        #expect(byLine[26]?.contains("jpegPhoto:< file:///etc/passwd") == true)
        #expect(byLine[39]?.contains("outside the directory's base dc=example,dc=com") == true)
        #expect(byLine[44]?.contains("at least one of wechat, mobile and email") == true, "\(byLine[44] ?? "")")
        let model = target.live.snapshot()
        #expect(model.member("ok1")?.email == "ok1@example.com")
        #expect(model.member("b64")?.name == "王五")
        #expect(model.member("b64").map { model.pathNames(of: $0.primaryDepartment) } == ["研发"])
        // A department the DN names without an ou entry is created from the DN tree.
        #expect(model.member("lost").map { model.pathNames(of: $0.primaryDepartment) } == ["无此部门"])
        #expect(report.notes.contains("line 28: department 无此部门 has no ou entry; created from the DN"), "\(report.notes)")
        #expect(model.memberCount == 3)
        #expect(report.count("member.create") == 3)
        #expect(report.notes.contains { $0.hasPrefix("employeeNumber: not kept (1 entry)") }, "\(report.notes)")
    }

    /// Found by review: a DN 2 000 RDNs deep took 20 s to refuse and 100 000 never finished (the
    /// tree walks were quadratic in the depth). Refused at once, by name, and the rest applies.
    @Test func aDeepDNIsRefusedAtOnceAndTheRestApplies() throws {
        let target = try Self.empty()
        let deep = "dn: uid=x," + String(repeating: "ou=a,", count: 100_000) + "dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: x\ncn: x\nmail: x@example.com\n\n"
        let text = deep + "dn: uid=ok,dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: ok\ncn: Ok\nmail: ok@example.com\n"
        let clock = ContinuousClock()
        let started = clock.now
        let report = try LDIF.importLDIF(Array(text.utf8), into: target, by: Self.ctx)
        #expect(clock.now - started < .seconds(20), "bounded work, not a hang (a generous bound for a loaded debug build)")
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.line == 1)
        #expect(report.failures.first?.message.contains("more than 40 RDNs") == true, "\(report.failures)")
        #expect(target.live.snapshot().member("ok") != nil)
        #expect(target.live.snapshot().member("x") == nil)
    }

    @Test func aPlaceholderEmailStandsInForEntriesWithoutContact() throws {
        let target = try Self.empty()
        let text = "dn: uid=posix,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Posix User\nsn: User\n"
        let report = try LDIF.importLDIF(Array(text.utf8), into: target, by: Self.ctx, options: .init(placeholderEmail: "{account}@mail.example.com"))
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(target.live.snapshot().member("posix")?.email == "posix@mail.example.com")
    }

    @Test func changeRecordsModifyMoveRenameAndDelete() throws {
        let s = try Self.sample()
        let text = """
            dn: uid=zhangsan,ou=大客户部,ou=营销中心,dc=example,dc=com
            changetype: modify
            replace: title
            title: 总监
            -
            delete: mobile
            -
            delete: telephoneNumber
            telephoneNumber: 010-1234
            -

            dn: uid=lisi,ou=营销中心,dc=example,dc=com
            changetype: modrdn
            newrdn: uid=lisi
            deleteoldrdn: 1
            newsuperior: ou=技术部,dc=example,dc=com

            dn: ou=大客户部,ou=营销中心,dc=example,dc=com
            changetype: moddn
            newrdn: ou=重点客户部
            deleteoldrdn: 1

            dn: cn=all-hands,cn=groups,dc=example,dc=com
            changetype: modify
            add: member
            member: uid=zhangsan,ou=重点客户部,ou=营销中心,dc=example,dc=com
            -

            dn: uid=wangwu,cn=departed,dc=example,dc=com
            changetype: delete

            dn: uid=zhangsan,ou=营销中心,dc=example,dc=com
            changetype: delete

            dn: ou=技术部,dc=example,dc=com
            changetype: delete

            """
        let report = try LDIF.importLDIF(Array(text.utf8), into: s, by: Self.ctx)
        let model = s.live.snapshot()
        let zhangsan = try #require(model.member("zhangsan"))
        #expect(zhangsan.title == "总监")
        #expect(zhangsan.mobile == nil)
        #expect(zhangsan.phone == "010-5678" && zhangsan.phone2 == nil)
        let lisi = try #require(model.member("lisi"))
        #expect(model.pathNames(of: lisi.primaryDepartment) == ["技术部"])
        #expect(model.department(atPath: ["营销中心", "重点客户部"]) != nil)
        #expect(model.group("all-hands")?.members.map(\.value) == ["lisi", "zhangsan"])
        #expect(model.member("wangwu") == nil, "a departed member's delete erases it")
        // Failures keep their lines: zhangsan is not directly in 营销中心; 技术部 is not empty.
        #expect(report.failures.map(\.line) == [32, 35], "\(report.failures)")
        #expect(report.failures.first?.message.contains("no member zhangsan in 营销中心") == true)
        #expect(report.count("member.update") == 1)
        #expect(report.count("member.setDepartments") == 1)
        #expect(report.count("department.update") == 1)
        #expect(report.count("member.erase") == 1)
    }

    @Test func aDryRunWritesNothing() throws {
        let source = try Self.sample()
        let text = try LDIF.export(source.live.snapshot(), baseDN: "dc=example,dc=com")
        let target = try Self.empty()
        let report = try LDIF.importLDIF(Array(text.utf8), into: target, by: Self.ctx, options: .init(dryRun: true))
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.count("member.create") == 3)
        #expect(target.live.snapshot().memberCount == 0)
        #expect(target.live.snapshot().organization == "Empty")
    }
}
