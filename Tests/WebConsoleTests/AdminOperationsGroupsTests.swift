import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import WebConsole

@Suite struct AdminOperationsGroupsTests {
    static func members(_ f: WebFixture, _ group: String) -> [String] {
        f.service.live.snapshot().group(group)?.members.map(\.value) ?? []
    }

    @Test func theSuperAdminCreatesRenamesChangesAndDeletesAGroup() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let list = try await b.html("/admin/groups")
            #expect(list.contains("data-group=\"语文教研组\"") && list.contains("data-group=\"安全委员会\""))
            var token = try #require(Browser.csrf(try await b.get("/admin/groups")))
            let created = try await b.post(
                "/admin/groups/create", [("name", "数学教研组"), ("description", "数学"), ("members", "t3001, t3002"), ("_csrf", token)])
            #expect(created.status == .seeOther)
            #expect(Self.members(f, "数学教研组") == ["t3001", "t3002"])
            token = try await b.token("/admin/groups/edit?name=%E6%95%B0%E5%AD%A6%E6%95%99%E7%A0%94%E7%BB%84")
            let renamed = try await b.post(
                "/admin/groups/update", [("group", "数学教研组"), ("newName", "理科教研组"), ("description", "数学与科学"), ("_csrf", token)])
            #expect(renamed.status == .seeOther)
            let model = f.service.live.snapshot()
            #expect(model.group("数学教研组") == nil)
            #expect(model.group("理科教研组")?.description == "数学与科学")
            #expect(try await b.post("/admin/groups/add-members", [("group", "理科教研组"), ("accounts", "t4001"), ("_csrf", token)]).status == .seeOther)
            #expect(Self.members(f, "理科教研组") == ["t3001", "t3002", "t4001"])
            #expect(try await b.post("/admin/groups/remove-member", [("group", "理科教研组"), ("account", "t3002"), ("_csrf", token)]).status == .seeOther)
            #expect(Self.members(f, "理科教研组") == ["t3001", "t4001"])
            let page = try await b.html("/admin/groups/edit?name=%E7%90%86%E7%A7%91%E6%95%99%E7%A0%94%E7%BB%84")
            #expect(accounts(in: page) == ["t3001", "t4001"])
            // The domain's refusal, next to the field: a departed member cannot join.
            let refused = try await b.post("/admin/groups/add-members", [("group", "理科教研组"), ("accounts", "w1003"), ("_csrf", token)])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("id=\"error-accounts\"") && refused.text.contains("w1003 has departed"))
            let duplicate = try await b.post("/admin/groups/create", [("name", "安全委员会"), ("_csrf", token)])
            #expect(duplicate.status == .unprocessableContent)
            #expect(duplicate.text.contains("id=\"error-name\"") && duplicate.text.contains("already exists"))
            #expect(try await b.post("/admin/groups/delete", [("group", "理科教研组"), ("_csrf", token)]).status == .seeOther)
            #expect(f.service.live.snapshot().group("理科教研组") == nil)
        }
    }

    @Test func aSubAdminChangesMembersInItsScopeOnly() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let token = try await b.token("/admin/groups")
            // In its subtree: allowed by the domain.
            #expect(try await b.post("/admin/groups/add-members", [("group", "安全委员会"), ("accounts", "w1002"), ("_csrf", token)]).status == .seeOther)
            // A teacher is outside its subtrees: the domain's message.
            let outside = try await b.post("/admin/groups/add-members", [("group", "安全委员会"), ("accounts", "t2001"), ("_csrf", token)])
            #expect(outside.status == .unprocessableContent)
            // (Refused like an account that does not exist: it does not see teachers.)
            #expect(outside.text.contains("account: t2001 does not exist"))
            let remove = try await b.post("/admin/groups/remove-member", [("group", "安全委员会"), ("account", "t1001"), ("_csrf", token)])
            #expect(remove.status == .unprocessableContent)
            // Creating, renaming and deleting are the super admin's.
            let create = try await b.post("/admin/groups/create", [("name", "物流群"), ("_csrf", token)])
            #expect(create.status == .unprocessableContent)
            #expect(create.text.contains("only the super admin may create a group"))
            #expect(try await b.post("/admin/groups/delete", [("group", "安全委员会"), ("_csrf", token)]).status == .unprocessableContent)
            // The page offers removal only for members it administers.
            let page = try await b.html("/admin/groups/edit?name=%E5%AE%89%E5%85%A8%E5%A7%94%E5%91%98%E4%BC%9A")
            #expect(page.components(separatedBy: "name=\"account\" value=\"").count - 1 == 3)  // w0001, w1001, w1002; not t1001
        }
        let model = f.service.live.snapshot()
        #expect(model.group("安全委员会")?.members.map(\.value) == ["t1001", "w0001", "w1001", "w1002"])
        #expect(model.group("物流群") == nil)
    }

    @Test func aMemberAndForgedPostsAreRefused() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t1001", "Pw-t1001")
            #expect(try await b.get("/admin/groups").status == .forbidden)
            let token = try await b.token("/me")
            #expect(try await b.post("/admin/groups/create", [("name", "g"), ("_csrf", token)]).status == .forbidden)
        }
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/groups")
            #expect(try await b.post("/admin/groups/create", [("name", "g1")]).status == .forbidden)
            #expect(try await b.post("/admin/groups/create", [("name", "g2"), ("_csrf", token)], origin: "http://evil.example").status == .forbidden)
            #expect(try await b.post("/admin/groups/delete", [("group", "安全委员会")]).status == .forbidden)
        }
        let model = f.service.live.snapshot()
        #expect(model.group("g") == nil && model.group("g1") == nil && model.group("g2") == nil && model.group("安全委员会") != nil)
    }

    @Test func aGroupNamedLikeAScriptIsText() async throws {
        let f = try WebFixture()
        let evil = "<script>alert(1)</script>"
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/groups")
            #expect(try await b.post("/admin/groups/create", [("name", evil), ("description", evil), ("_csrf", token)]).status == .seeOther)
            let list = try await b.html("/admin/groups")
            #expect(!list.contains(evil))
            #expect(list.contains("data-group=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
            let page = try await b.html("/admin/groups/edit?name=" + WebApp.queryEncode(evil))
            #expect(!page.contains(evil) && page.contains("&lt;script&gt;"))
        }
        #expect(f.service.live.snapshot().group(evil) != nil)
    }
}
