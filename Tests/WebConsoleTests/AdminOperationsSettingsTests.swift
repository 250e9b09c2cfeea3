import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import WebConsole

/// The field policy, administrators and service accounts, and the audit log.
@Suite struct AdminOperationsSettingsTests {
    /// The form of the field policy as it is now, as the page's checkboxes would post it.
    static func policyForm(_ policy: FieldPolicy, _ token: String, change: (inout [MemberField: FieldPolicy.Rule]) -> Void) -> [(String, String)] {
        var rules: [MemberField: FieldPolicy.Rule] = [:]
        for f in MemberField.allCases { rules[f] = policy.rule(f) }
        change(&rules)
        var form: [(String, String)] = [("_csrf", token)]
        for f in MemberField.allCases {
            if rules[f]?.shown == true { form.append(("shown", f.rawValue)) }
            if rules[f]?.selfEditable == true { form.append(("edit", f.rawValue)) }
        }
        return form
    }

    @Test func theSuperAdminSavesTheFieldPolicy() async throws {
        let f = try WebFixture()
        let before = f.service.live.snapshot().fieldPolicy
        #expect(before.rule(.mobile).shown && !before.rule(.title).selfEditable)
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let page = try await b.get("/admin/fields")
            #expect(page.status == .ok)
            #expect(page.text.contains("字段名称") && page.text.contains("移动端显示") && page.text.contains("成员自行修改"))
            #expect(page.text.contains("data-field=\"mobile\"") && page.text.contains("data-field=\"nickname\""))
            let token = try #require(Browser.csrf(page))
            let form = Self.policyForm(before, token) { rules in
                rules[.mobile] = FieldPolicy.Rule(shown: false, selfEditable: false)
                rules[.title] = FieldPolicy.Rule(shown: true, selfEditable: true)
            }
            #expect(try await b.post("/admin/fields", form).status == .seeOther)
        }
        let after = f.service.live.snapshot().fieldPolicy
        #expect(after.rule(.mobile) == FieldPolicy.Rule(shown: false, selfEditable: false))
        #expect(after.rule(.title) == FieldPolicy.Rule(shown: true, selfEditable: true))
        #expect(after.rule(.nickname) == before.rule(.nickname))
    }

    @Test func aRowTheDomainRefusesIsShownNextToItAndNothingIsSaved() async throws {
        let f = try WebFixture()
        let before = f.service.live.snapshot().fieldPolicy
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/fields")
            let form = Self.policyForm(before, token) { rules in
                rules[.title] = FieldPolicy.Rule(shown: true, selfEditable: true)
                rules[.account] = FieldPolicy.Rule(shown: false, selfEditable: false)  // always shown
            }
            let r = try await b.post("/admin/fields", form)
            #expect(r.status == .unprocessableContent)
            #expect(r.text.contains("id=\"error-account\"") && r.text.contains("is always shown"))
        }
        #expect(f.service.live.snapshot().fieldPolicy == before)
    }

    @Test func onlyTheSuperAdminOpensFieldsAndAdministrators() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let token = try await b.token("/admin/groups")
            let nav = try await b.html("/admin/groups")
            #expect(!nav.contains("href=\"/admin/fields\"") && !nav.contains("href=\"/admin/administrators\""))
            for path in ["/admin/fields", "/admin/administrators", "/admin/administrators/edit?name=gitlab"] {
                #expect(try await b.get(path).status == .forbidden, "\(path)")
            }
            #expect(try await b.post("/admin/fields", [("_csrf", token), ("shown", "account")]).status == .forbidden)
            #expect(
                try await b.post(
                    "/admin/administrators/create", [("_csrf", token), ("name", "x"), ("password", "Long-enough-1"), ("role", "service")]
                ).status == .forbidden)
            #expect(try await b.post("/admin/administrators/remove", [("_csrf", token), ("admin", "gitlab")]).status == .forbidden)
            #expect(try await b.post("/admin/administrators/password", [("_csrf", token), ("admin", "物流管理员"), ("password", "Long-enough-1"), ("repeat", "Long-enough-1")]).status == .forbidden)
        }
        try await f.test { b in
            try await b.signIn("t1001", "Pw-t1001")
            #expect(try await b.get("/admin/fields").status == .forbidden)
            #expect(try await b.get("/admin/audit").status == .forbidden)
        }
        let model = f.service.live.snapshot()
        #expect(model.administrator("gitlab") != nil && model.administrator("x") == nil)
        #expect(model.fieldPolicy == FieldPolicy())
    }

    @Test func theSuperAdminManagesSubAdminsAndServiceAccounts() async throws {
        let f = try WebFixture()
        let depots = f.department("网点")
        let school = f.department("育才学校")
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let list = try await b.html("/admin/administrators")
            #expect(list.contains("data-admin=\"物流管理员\"") && list.contains("data-admin=\"gitlab\""))
            let token = try #require(Browser.csrf(try await b.get("/admin/administrators")))
            let created = try await b.post(
                "/admin/administrators/create",
                [("_csrf", token), ("name", "网点管理员"), ("password", "Depots-2024!"), ("role", "sub-admin"), ("scope", "\(depots.rawValue)")])
            #expect(created.status == .seeOther)
            let service = try await b.post(
                "/admin/administrators/create",
                [("_csrf", token), ("name", "wiki"), ("password", "Tz9!kLm-2048"), ("role", "service"), ("attributes", "uid cn mail")])
            #expect(service.status == .seeOther)
            // A password the rules refuse, next to its field.
            let weak = try await b.post(
                "/admin/administrators/create", [("_csrf", token), ("name", "weak"), ("password", "1"), ("role", "sub-admin"), ("scope", "\(depots.rawValue)")])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.text.contains("id=\"error-password\""))
            // A sub-admin needs a scope: the domain's message.
            let noScope = try await b.post(
                "/admin/administrators/create", [("_csrf", token), ("name", "noscope"), ("password", "Tz9!kLm-2049"), ("role", "sub-admin")])
            #expect(noScope.status == .unprocessableContent)
            #expect(noScope.text.contains("id=\"error-scope\"") && noScope.text.contains("at least one"))
            // Change the scopes; reset the password; remove.
            #expect(
                try await b.post("/admin/administrators/update", [("_csrf", token), ("admin", "网点管理员"), ("scope", "\(depots.rawValue)"), ("scope", "\(school.rawValue)")])
                    .status == .seeOther)
            #expect(
                try await b.post("/admin/administrators/password", [("_csrf", token), ("admin", "网点管理员"), ("password", "New-depots-2025"), ("repeat", "New-depots-2025")])
                    .status == .seeOther)
            #expect(try await b.post("/admin/administrators/remove", [("_csrf", token), ("admin", "gitlab")]).status == .seeOther)
            let superRemoval = try await b.post("/admin/administrators/remove", [("_csrf", token), ("admin", "admin")])
            #expect(superRemoval.status == .unprocessableContent && superRemoval.text.contains("cannot be removed"))
        }
        let model = f.service.live.snapshot()
        #expect(model.administrator("网点管理员")?.role == .subAdmin(scopes: [depots, school]))
        #expect(model.administrator("wiki")?.role == .service(scopes: [], attributes: ["uid", "cn", "mail"]))
        #expect(model.administrator("weak") == nil && model.administrator("noscope") == nil)
        #expect(model.administrator("gitlab") == nil && model.administrator("admin") != nil)
        // The new password signs in; the old one no longer does.
        try await f.test { b in
            try await b.signIn("网点管理员", "Depots-2024!")
            #expect(try await b.get("/admin").headers[.location]?.hasPrefix("/login") == true)
        }
        try await f.test { b in
            try await b.signIn("网点管理员", "New-depots-2025")
            #expect(try await b.get("/admin").status == .seeOther)
            #expect(try await b.get("/admin/groups").status == .ok)
        }
    }

    @Test func noPasswordHashAndNoScriptInTheAdminPages() async throws {
        let f = try WebFixture()
        let evil = "<script>alert(1)</script>"
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/administrators")
            #expect(
                try await b.post(
                    "/admin/administrators/create", [("_csrf", token), ("name", evil), ("password", "Evil-name-2024"), ("role", "service")]
                ).status == .seeOther)
            var pages: [String] = []
            for path in [
                "/admin/administrators", "/admin/administrators/edit?name=" + WebApp.queryEncode(evil), "/admin/administrators/edit?name=admin",
                "/admin/administrators/edit?name=gitlab", "/admin/audit", "/admin/groups", "/admin/fields", "/admin/interchange",
            ] {
                let r = try await b.get(path)
                #expect(r.status == .ok, "\(path)")
                pages.append(r.text)
            }
            for html in pages {
                #expect(!html.contains("{PBKDF2") && !html.contains("{SSHA") && !html.contains("$2") && !html.contains("$6$"))
                #expect(!html.contains(evil))
            }
            #expect(pages[0].contains("data-admin=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        }
        #expect(f.service.live.snapshot().administrator(evil)?.passwordHash?.hasPrefix("{PBKDF2") == true)
    }

    @Test func theAuditLogIsNewestFirstFilteredAndAPageAtATime() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/groups")
            for i in 1...55 {
                #expect(try await b.post("/admin/groups/create", [("name", "组\(i)"), ("_csrf", token)]).status == .seeOther)
            }
            #expect(try await b.post("/admin/groups/add-members", [("group", "组1"), ("accounts", "t2001"), ("_csrf", token)]).status == .seeOther)
            let first = try await b.html("/admin/audit")
            #expect(first.contains("data-audit-count=\"56\""))
            #expect(first.components(separatedBy: "<tr data-audit=").count - 1 == 50)
            // Newest first: the member added last comes before every create.
            let add = try #require(first.range(of: "data-audit=\"group.addMembers\""))
            let create = try #require(first.range(of: "data-audit=\"group.create\""))
            #expect(add.lowerBound < create.lowerBound)
            #expect(first.contains("<td>组55</td>") && !first.contains("<td>组6</td>"))
            let nextURI = try #require(link(in: first, marker: "rel=\"next\""))
            let second = try await b.html(nextURI)
            #expect(second.components(separatedBy: "<tr data-audit=").count - 1 == 6)
            #expect(link(in: second, marker: "rel=\"next\"") == nil)
            // Filters: an account, a kind, a date range.
            #expect(try await b.html("/admin/audit?account=%E7%BB%841").contains("data-audit-count=\"2\""))  // 组1: its create, its member
            #expect(try await b.html("/admin/audit?account=admin").contains("data-audit-count=\"56\""))  // issued as web:admin
            #expect(try await b.html("/admin/audit?account=nobody").contains("data-audit-count=\"0\""))
            #expect(try await b.html("/admin/audit?kind=bind").contains("data-audit-count=\"0\""))
            #expect(try await b.html("/admin/audit?until=2000-01-01").contains("data-audit-count=\"0\""))
            #expect(try await b.html("/admin/audit?since=2000-01-01").contains("data-audit-count=\"56\""))
            let bad = try await b.get("/admin/audit?since=yesterday")
            #expect(bad.status == .unprocessableContent && bad.text.contains("id=\"error-since\""))
        }
        try await f.test { b in
            // A sub-admin sees only its own actions.
            try await b.signIn("物流管理员", "Admin-logistics")
            let token = try await b.token("/admin/groups")
            #expect(try await b.post("/admin/groups/add-members", [("group", "安全委员会"), ("accounts", "w1002"), ("_csrf", token)]).status == .seeOther)
            let own = try await b.html("/admin/audit")
            #expect(own.contains("data-audit-count=\"1\""))
            #expect(own.contains("data-audit=\"group.addMembers\"") && !own.contains("data-audit=\"group.create\""))
            #expect(own.contains("web:物流管理员"))
        }
    }
}
