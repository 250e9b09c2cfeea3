import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import WebConsole

@Suite struct ProfileTests {
    @Test func aMemberEditsTheSelfEditableFieldsOnly() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            let page = try await b.get("/me")
            let html = page.text
            // phone is self-editable by default; mobile is not (shown read-only).
            #expect(html.contains("<input name=\"phone\""))
            #expect(!html.contains("<input name=\"mobile\""))
            #expect(html.contains("13800002001"))
            let token = try #require(Browser.csrf(page))
            let r = try await b.post("/me", [("_csrf", token), ("phone", "010-6255 1234"), ("mobile", "13999999999")])
            #expect(r.status == .seeOther)
            let m = try #require(f.service.live.snapshot().member("t2001"))
            #expect(m.phone == "010-6255 1234")
            #expect(m.mobile == "13800002001")  // not self-editable: ignored
            #expect(try await b.html("/me?saved=1").contains("已保存") == true)
        }
    }

    @Test func aRefusedValueIsShownNextToItsField() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            let token = try #require(Browser.csrf(try await b.get("/me")))
            let r = try await b.post("/me", [("_csrf", token), ("qq", "0123"), ("nickname", "小张")])
            #expect(r.status == .unprocessableContent)
            let html = r.text
            let error = try #require(html.range(of: "id=\"error-qq\">"))
            // In the page's language: Chinese by default, the domain's English with ?lang=en.
            #expect(html[error.upperBound...].hasPrefix("QQ号码不正确：QQ 号码为 5–12 位数字，不以 0 开头"))
            let english = try await b.post("/me?lang=en", [("_csrf", token), ("qq", "0123"), ("nickname", "小张")]).text
            let e = try #require(english.range(of: "id=\"error-qq\">"))
            #expect(english[e.upperBound...].hasPrefix("qq: 0123 is not a QQ number"))
            // The value typed stays in the form; nothing was applied.
            #expect(html.contains("value=\"0123\""))
            #expect(f.service.live.snapshot().member("t2001")?.nickname == nil)
        }
    }

    @Test func aPasswordChangeNeedsTheOldPasswordAndMeetsTheRules() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            let before = f.service.live.snapshot().member("t2001")?.passwordHash
            var token = try #require(Browser.csrf(try await b.get("/me")))
            var r = try await b.post("/me/password", [("_csrf", token), ("old", "wrong"), ("new", "New-pass-42"), ("repeat", "New-pass-42")])
            #expect(r.status == .unprocessableContent)
            #expect(r.text.contains("当前密码不正确"))
            r = try await b.post("/me/password", [("_csrf", token), ("old", "Pw-t2001"), ("new", "short"), ("repeat", "short")])
            #expect(r.text.contains("id=\"error-password\""))
            r = try await b.post("/me/password", [("_csrf", token), ("old", "Pw-t2001"), ("new", "New-pass-42"), ("repeat", "New-pass-43")])
            #expect(r.text.contains("两次输入的新密码不一致"))
            #expect(f.service.live.snapshot().member("t2001")?.passwordHash == before)
            token = try #require(Browser.csrf(try await b.get("/me")))
            r = try await b.post("/me/password", [("_csrf", token), ("old", "Pw-t2001"), ("new", "New-pass-42"), ("repeat", "New-pass-42")])
            #expect(r.status == .seeOther)
            let hash = try #require(f.service.live.snapshot().member("t2001")?.passwordHash)
            #expect(f.authenticator.hasher.verify(Array("New-pass-42".utf8), against: hash))
            // The page never shows a password or a hash.
            #expect((try await b.html("/me")).contains(hash) == false)
            _ = try await b.get("/logout")
            #expect(try await b.signIn("t2001", "Pw-t2001").status == .unauthorized)
            #expect(try await b.signIn("t2001", "New-pass-42").status == .seeOther)
        }
    }
}
