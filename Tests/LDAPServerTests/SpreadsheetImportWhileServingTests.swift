import Foundation
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
}
