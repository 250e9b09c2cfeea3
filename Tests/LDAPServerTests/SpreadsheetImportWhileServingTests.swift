import Directory
import Foundation
import Storage
import Testing

/// `roster import` on the database a running server serves: the server follows the change log,
/// so ldapsearch finds the imported people and their new departments.
@Suite struct SpreadsheetImportWhileServingTests {
    @Test func importWhileTheServerRunsIsServed() async throws {
        try await withWritableServer(followCLI: true, authenticator: nil) { port, path, _ in
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
            let csv = dir.appendingPathComponent("roster.csv")
            try """
                姓名,账号,手机,部门,职位
                张三丰,zsf001,13700137001,营销中心->大客户部->工业制造;市场部,顾问
                李四海,lshai,13700137002,营销中心,

                """.write(to: csv, atomically: true, encoding: .utf8)
            let r = try run(try rosterExecutable(), ["import", "--database", path, csv.path])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("created 2, updated 0, unchanged 0, failed 0, departments created 4"))
            let search = { () throws -> String in
                decodeLDIF(try run("ldapsearch", ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", "ldap://127.0.0.1:\(port)",
                                                  "-D", "cn=admin,dc=example,dc=com", "-w", "secret", "-b", "dc=example,dc=com",
                                                  "(uid=zsf001)", "ou", "title", "mobile"]).out)
            }
            let deadline = Date().addingTimeInterval(10)
            var found = try search()
            while !found.contains("uid=zsf001") && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
                found = try search()
            }
            #expect(found.contains("dn: uid=zsf001,ou=工业制造,ou=大客户部,ou=营销中心,dc=example,dc=com"))
            #expect(found.contains("title: 顾问"))
            #expect(found.contains("mobile: 13700137001"))
            #expect(found.contains("ou: 市场部"))
        }
    }

    /// Found by review: an import's group commits held the database past the server's busy
    /// timeout, and an LDAP add during the import was refused (busy). Every add made while a
    /// 3 000-row import runs on the same database is applied, and so is every row.
    @Test func ldapWritesDuringAnImportAreApplied() async throws {
        try await withWritableServer(followCLI: true, authenticator: nil) { port, path, _ in
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
            let csv = dir.appendingPathComponent("big.csv")
            var text = "姓名,账号,手机,部门\n"
            for i in 0..<3000 { text += "成员\(i),imp\(i),139\(String(format: "%08d", i)),部门\(i % 30)\n" }
            try text.write(to: csv, atomically: true, encoding: .utf8)
            let importer = Process()
            importer.executableURL = URL(fileURLWithPath: try rosterExecutable())
            importer.arguments = ["import", "--database", path, csv.path]
            importer.standardOutput = FileHandle.nullDevice
            try importer.run()
            var refused: [String] = []
            var added = 0
            // Adds until the import is done (at least 20).
            while importer.isRunning || added < 20 {
                let ldif = "dn: uid=ld\(added),dc=example,dc=com\nchangetype: add\nobjectClass: inetOrgPerson\nuid: ld\(added)\ncn: L\nsn: L\nmail: ld\(added)@example.com\n"
                let r = try run("ldapmodify", ["-x", "-H", "ldap://127.0.0.1:\(port)", "-D", "cn=admin,dc=example,dc=com", "-w", "secret"], stdin: ldif)
                if r.status != 0 { refused.append(r.err) }
                added += 1
            }
            importer.waitUntilExit()
            #expect(importer.terminationStatus == 0)
            #expect(refused.isEmpty, "\(refused)")
            let model = try DirectoryService(store: try SQLiteStore(path: path)).live.snapshot()
            for i in 0..<added { #expect(model.member("ld\(i)") != nil) }
            #expect((0..<3000).allSatisfy { model.member("imp\($0)") != nil })
        }
    }

    /// The CLI end to end: template, import with an error report and generated passwords (a
    /// private file), export, reconcile's plan.
    @Test func templateImportExportReconcileFromTheCommandLine() throws {
        let cli = try CLI()
        try cli.call("init", "--admin-password-file", cli.passwordFile)
        let file = { (name: String) in cli.dir.appendingPathComponent(name).path }
        let template = try run(cli.binary, ["template", file("t.xlsx")])
        #expect(template.status == 0 && template.out.contains("template written to"), "\(template.err)")
        try """
            姓名,账号,手机,部门
            张三,zhangsan001,13800138000,营销中心->大客户部->工业制造;市场部
            李四,lisi,13800138000,营销中心

            """.write(toFile: file("in.csv"), atomically: true, encoding: .utf8)
        let r = try cli.callAny(["import", file("in.csv"), "--errors", file("errors.xlsx"), "--generate-passwords", file("pw.csv")])
        #expect(r.status == 1, "a failed row: exit status 1")
        #expect(r.out.contains("row 3 lisi: 手机 13800138000已被 zhangsan001 使用；手机不能与他人重复"))
        #expect(r.out.hasSuffix("created 1, updated 0, unchanged 0, failed 1, departments created 4\n"))
        let attributes = try FileManager.default.attributesOfItem(atPath: file("pw.csv"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let passwords = try String(contentsOfFile: file("pw.csv"), encoding: .utf8).components(separatedBy: "\r\n")
        #expect(passwords[0].hasSuffix("账号,姓名,密码"))
        #expect(passwords[1].hasPrefix("zhangsan001,张三,"))
        #expect(FileManager.default.fileExists(atPath: file("errors.xlsx")))
        #expect((try FileManager.default.attributesOfItem(atPath: file("errors.xlsx"))[.posixPermissions] as? Int) == 0o600)
        // Found by review: an error report that cannot be written failed after the rows were in.
        try "姓名,账号,手机\n王五,wangwu,13600136000\n".write(toFile: file("more.csv"), atomically: true, encoding: .utf8)
        let refused = try cli.callAny(["import", file("more.csv"), "--errors", file("no-such-dir/errors.csv")])
        #expect(refused.status != 0 && refused.err.contains("--errors: cannot create"), "\(refused.err)")
        #expect(!(try cli.call("member", "list")).contains("wangwu"), "nothing applied")
        #expect(try cli.call("export", file("out.csv")) == "exported 1 members to \(file("out.csv"))\n")
        let plan = try cli.call("reconcile", file("in.csv"))
        #expect(plan.contains("error    row 3 lisi:"))
        #expect(plan.hasSuffix("plan (not applied; --apply carries it out): hires 0, changes 0, transfers 0, leavers 0, departments to create 0, errors 1 (directory: 1 active members)\n"))
        // Found by review: --apply with an error row exited 0; like import, it is a failure.
        let applied = try cli.callAny(["reconcile", file("in.csv"), "--apply"])
        #expect(applied.status == 1, "\(applied.out)\(applied.err)")
        #expect(applied.out.contains("error    row 3 lisi:"))
    }
}
