import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import WebConsole

/// Findings of the hostile review of the admin console, each a test.
@Suite struct AdminReviewTests {
    /// The fields form of a member's page as a browser would send it unchanged: each field with
    /// the value it was opened with (`was_FIELD`), the flags ticked when they were.
    static func unchangedForm(_ html: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var rest = Substring(html)
        while let r = rest.range(of: "name=\"was_") {
            rest = rest[r.upperBound...]
            let field = String(rest.prefix { $0 != "\"" })
            guard let v = rest.range(of: "value=\"") else { break }
            let raw = String(rest[v.upperBound...].prefix { $0 != "\"" })
            let value = raw.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
            out.append(("was_" + field, value))
            if field == "pinned" || field == "hidden" {
                if value == "TRUE" { out.append((field, "on")) }
            } else {
                out.append((field, value))
            }
        }
        return out
    }

    @Test func twoAdministratorsEditingOneMemberLoseNeitherChange() async throws {
        let f = try WebFixture()
        try await f.test { a in
            try await a.signIn("admin", "secret")
            var b = Browser(client: a.client)
            try await b.signIn("admin", "secret")
            let pageA = try await a.html("/admin/member/w2001")
            let pageB = try await b.html("/admin/member/w2001")
            let oldTitle = try #require(f.service.live.snapshot().member("w2001")?.title)
            // B changes the title; then A saves its form, opened before, changing the nickname.
            var formB = Self.unchangedForm(pageB).filter { $0.0 != "title" }
            formB.append(("title", "B改的职位"))
            #expect(try await b.submit("/admin/member/w2001", to: "/admin/member/w2001", formB).status == .seeOther)
            var formA = Self.unchangedForm(pageA).filter { $0.0 != "nickname" }
            formA.append(("nickname", "A改的昵称"))
            #expect(formA.contains { $0 == ("title", oldTitle) })
            #expect(try await a.submit("/admin/member/w2001", to: "/admin/member/w2001", formA).status == .seeOther)
            let m = try #require(f.service.live.snapshot().member("w2001"))
            #expect(m.title == "B改的职位")
            #expect(m.nickname == "A改的昵称")
        }
    }

    @Test func aSubAdminCannotMakeAMemberItDoesNotSeeALeader() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let depot = f.department("北京朝阳网点")
            let page = "/admin/departments/\(depot.rawValue)"
            let before = try #require(f.service.live.snapshot().department(depot))
            let outside = try await b.submit(page, to: page, [("name", before.name), ("order", String(before.order)), ("scope", before.scope.rawValue), ("leader", "t2001")])
            #expect(outside.status == .unprocessableContent)
            let missing = try await b.submit(page, to: page, [("name", before.name), ("order", String(before.order)), ("scope", before.scope.rawValue), ("leaders_extra", "nosuchx")])
            #expect(missing.status == .unprocessableContent)
            // One answer for a member it does not see and for none.
            #expect(fieldError(outside.text, "leaders")?.replacingOccurrences(of: "t2001", with: "X")
                == fieldError(missing.text, "leaders")?.replacingOccurrences(of: "nosuchx", with: "X"))
            #expect(f.service.live.snapshot().department(depot)?.leaders == before.leaders)
        }
    }

    @Test func aSubAdminSeesOnlyTheGroupMembersItSees() async throws {
        let f = try WebFixture()
        let model = f.service.live.snapshot()
        let group = try #require(model.groups.values.first { g in g.members.contains { $0.value == "t2001" } })
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let page = "/admin/groups/edit?name=" + (group.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let html = try await b.html(page)
            #expect(!accounts(in: html).contains("t2001"))
            #expect(!html.contains("张三"))
            let outside = try await b.submit(page, to: "/admin/groups/add-members", [("group", group.name), ("accounts", "t1001")])
            let missing = try await b.submit(page, to: "/admin/groups/add-members", [("group", group.name), ("accounts", "nosuchzz")])
            #expect(fieldError(outside.text, "accounts")?.replacingOccurrences(of: "t1001", with: "X")
                == fieldError(missing.text, "accounts")?.replacingOccurrences(of: "nosuchzz", with: "X"))
        }
    }

    /// The import summary and report name the member holding a mobile number only to the
    /// super admin.
    @Test func aSubAdminsImportDoesNotNameMembersItDoesNotSee() async throws {
        let f = try WebFixture()
        let principal = try #require(f.service.live.snapshot().member("t1001")?.mobile)
        let xlsx = try templateXLSX([["撞号", "w9201", principal, "", "顺达物流->网点->上海浦东网点"]])
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let token = try await b.token("/admin/interchange")
            let html = try await b.upload("/admin/interchange/import", fields: [("_csrf", token), ("dryRun", "1")], file: ("file", "a.xlsx", xlsx)).text
            #expect(html.contains("data-count=\"errors\">1<"))
            #expect(!html.contains("t1001"))
        }
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/interchange")
            let html = try await b.upload("/admin/interchange/import", fields: [("_csrf", token), ("dryRun", "1")], file: ("file", "a.xlsx", xlsx)).text
            #expect(html.contains("t1001"))
        }
    }

    /// Found by review: the Chinese pages showed the domain's and the console's refusals in
    /// English.
    @Test func refusalsSpeakThePagesLanguage() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let depot = f.department("北京朝阳网点").rawValue
            let page = "/admin/departments/\(depot)"
            let zh = try await b.submit(page, to: page, [("name", "北京朝阳网点"), ("order", "x"), ("scope", "inherit")])
            #expect(fieldErrorParts(zh.text, "order")?.shown == "排序 x 不是整数")
            let en = try await b.submit(page + "?lang=en", to: page + "?lang=en", [("name", "北京朝阳网点"), ("order", "x"), ("scope", "inherit")])
            #expect(fieldErrorParts(en.text, "order")?.shown == "order: x is not a whole number")
            #expect(fieldErrorParts(en.text, "order")?.english == nil)
            // A domain rule: a mobile number already used, in Chinese first.
            let teacher = try #require(f.service.live.snapshot().member("t2001")?.mobile)
            // (?lang=en above was remembered in a cookie: back to Chinese.)
            let r = try await b.submit("/admin/member/w2001?lang=zh", to: "/admin/member/w2001", [("mobile", teacher)])
            let parts = try #require(fieldErrorParts(r.text, "mobile"), "\(r.status) \(r.text.prefix(3000))")
            #expect(parts.shown.contains("已被") && parts.shown.contains("手机"), "\(parts)")
            #expect(parts.english?.contains("already used") == true)
        }
    }

    @Test func anEmptyDepartmentsFormDoesNotMoveAMemberToTheRoot() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let before = try #require(f.service.live.snapshot().member("w2001")?.departments)
            let r = try await b.submit("/admin/member/w2001", to: "/admin/member/w2001/departments", [])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "department") != nil)
            #expect(f.service.live.snapshot().member("w2001")?.departments == before)
        }
    }
}
