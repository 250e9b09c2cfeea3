import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import WebConsole

@Suite struct AdminShellTests {
    @Test func onlyAdministratorsEnterTheConsole() async throws {
        let f = try WebFixture()
        try await f.test { b in
            let anonymous = try await b.get("/admin")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location]?.hasPrefix("/login") == true)
            try await b.signIn("t1001", "Pw-t1001")  // the principal, a member: no admin rights
            #expect(try await b.get("/admin").status == .forbidden)
            #expect(!(try await b.html("/")).contains("href=\"/admin\""))
        }
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let r = try await b.get("/admin")
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/admin/departments")
            #expect(try await b.html("/").contains("href=\"/admin\""))
        }
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            #expect(try await b.get("/admin").status == .seeOther)
        }
    }
}
