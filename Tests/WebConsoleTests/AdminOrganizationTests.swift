import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import WebConsole

/// Department ids in a page's `data-department` hooks, in order of appearance (each once).
func departmentIDs(in html: String) -> [Int64] {
    var out: [Int64] = []
    var rest = Substring(html)
    while let r = rest.range(of: "data-department=\"") {
        rest = rest[r.upperBound...]
        if let n = Int64(String(rest.prefix { $0 != "\"" })), !out.contains(n) { out.append(n) }
    }
    return out
}

/// The table row of department `id` on the tree page.
func row(_ html: String, _ id: Int64) -> Substring? {
    guard let start = html.range(of: "data-department=\"\(id)\"") else { return nil }
    let rest = html[start.upperBound...]
    return rest[..<(rest.range(of: "</tr>")?.lowerBound ?? rest.endIndex)]
}

/// The text of the element `id="error-FIELD"`, or nil.
func fieldError(_ html: String, _ field: String) -> String? {
    fieldErrorParts(html, field).map { $0.english ?? $0.shown }
}

/// The text of the element `id="error-FIELD"` as shown, and the domain's English detail that
/// follows it on a Chinese page.
func fieldErrorParts(_ html: String, _ field: String) -> (shown: String, english: String?)? {
    guard let r = html.range(of: "id=\"error-\(field)\">") else { return nil }
    let rest = html[r.upperBound...]
    let shown = String(rest.prefix { $0 != "<" }).trimmingCharacters(in: .whitespaces)
    let end = rest.range(of: "</span>")?.lowerBound ?? rest.endIndex
    guard let d = rest[..<end].range(of: "<small lang=\"en\">") else { return (shown, nil) }
    return (shown, String(rest[d.upperBound...].prefix { $0 != "<" }))
}

extension Browser {
    /// Posts a form of an admin page with the page's CSRF token.
    mutating func submit(_ page: String, to uri: String, _ form: [(String, String)]) async throws -> TestResponse {
        let token = try #require(Self.csrf(try await get(page)))
        return try await post(uri, [("_csrf", token)] + form)
    }
}

@Suite struct AdminOrganizationDepartmentTests {
    @Test func theTreeIsInTheDirectorysOrderWithHeadCountsAndMarks() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let r = try await b.get("/admin/departments")
            #expect(r.status == .ok)
            let model = f.service.live.snapshot()
            let names = departmentIDs(in: r.text).map { model.department(DepartmentID($0))?.name ?? "?" }
            #expect(
                names == [
                    "示例组织", "育才学校", "教师组", "行政组", "语文组", "数学组", "英语组", "体艺组", "班级组", "一年级", "一班", "二班",
                    "二年级", "一班", "校友录", "2020级", "一班", "顺达物流", "管理层", "网点", "北京朝阳网点", "上海浦东网点", "广州天河网点",
                ])
            // 顺达物流: nobody directly, 8 active members below (the departed courier is not counted).
            let company = f.department("顺达物流").rawValue
            let cells = try #require(row(r.text, company))
            #expect(cells.contains("<td class=\"num\">0</td>"))
            #expect(cells.contains(">8</a></td>"))
            #expect(cells.contains(">仅本部门</span>"))
            // 行政组's leader is shown by name.
            #expect(try #require(row(r.text, f.department("行政组").rawValue)).contains("王建国"))
        }
    }

    @Test func theSuperAdminAddsRenamesSetsMovesAndDeletes() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let company = f.department("顺达物流")
            var r = try await b.submit(
                "/admin/departments", to: "/admin/departments",
                [("parent", "\(company.rawValue)"), ("name", "仓储部"), ("order", "3"), ("scope", "inherit")])
            #expect(r.status == .seeOther)
            var model = f.service.live.snapshot()
            let store = try #require(model.child(of: company, named: "仓储部"))
            #expect(store.order == 3)
            #expect(r.headers[.location] == "/admin/departments/\(store.id.rawValue)?done=created")
            let page = "/admin/departments/\(store.id.rawValue)"

            // Rename, sort order, scope, hidden, in one form.
            r = try await b.submit(
                page, to: page, [("name", "仓储中心"), ("order", "7"), ("scope", "subdepartment"), ("hidden", "1")])
            #expect(r.status == .seeOther)
            model = f.service.live.snapshot()
            let changed = try #require(model.department(store.id))
            #expect(changed.name == "仓储中心")
            #expect(changed.order == 7)
            #expect(changed.scope == .subdepartment)
            #expect(changed.hidden)
            let tree = try await b.html("/admin/departments")
            #expect(tree.contains(">仓储中心</a> <span class=\"mark scope\">仅子部门</span> <span class=\"mark hidden\">隐藏</span>"))

            // A sub-department, then the move under 网点.
            r = try await b.submit(page, to: page + "/children", [("name", "冷库"), ("order", "1"), ("scope", "inherit")])
            #expect(r.status == .seeOther)
            let depots = f.department("网点")
            r = try await b.submit(page, to: page + "/move", [("parent", "\(depots.rawValue)")])
            #expect(r.status == .seeOther)
            model = f.service.live.snapshot()
            #expect(model.department(store.id)?.parent == depots)
            #expect(model.pathString(of: try #require(model.child(of: store.id, named: "冷库")).id) == "顺达物流->网点->仓储中心->冷库")

            // Not empty: the domain's message next to the delete button, 422; then empty: deleted.
            r = try await b.submit(page, to: page + "/delete", [])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "department")?.contains("has 1 sub-department; only an empty department can be deleted") == true)
            let cold = try #require(model.child(of: store.id, named: "冷库")).id
            r = try await b.submit(page, to: "/admin/departments/\(cold.rawValue)/delete", [])
            #expect(r.status == .seeOther)
            r = try await b.submit(page, to: page + "/delete", [])
            #expect(r.status == .seeOther)
            #expect(f.service.live.snapshot().department(store.id) == nil)
        }
    }

    @Test func leadersAreChosenAmongTheMembers() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let management = f.department("管理层")
            let page = "/admin/departments/\(management.rawValue)"
            let html = try await b.html(page)
            // Its members are the choices; the current leader is ticked.
            #expect(html.contains("<label class=\"check leader\" data-account=\"w0002\"><input type=\"checkbox\" name=\"leader\" value=\"w0002\" checked>"))
            #expect(html.contains("<label class=\"check leader\" data-account=\"w0001\"><input type=\"checkbox\" name=\"leader\" value=\"w0001\">"))
            var r = try await b.submit(page, to: page, [("name", "管理层"), ("order", "1"), ("scope", "all"), ("leader", "w0001"), ("leader", "w0002")])
            #expect(r.status == .seeOther)
            #expect(f.service.live.snapshot().department(management)?.leaders.map(\.value) == ["w0001", "w0002"])
            // A departed member cannot lead: the domain's message next to the leaders.
            r = try await b.submit(page, to: page, [("name", "管理层"), ("order", "1"), ("scope", "all"), ("leaders_extra", "w1003")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "leaders") == "department: leader w1003 is not an active member")
            #expect(f.service.live.snapshot().department(management)?.leaders.map(\.value) == ["w0001", "w0002"])
        }
    }

    @Test func aRefusedNameIsShownAsTextNextToItsFieldWithTheValuesTyped() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let company = f.department("顺达物流")
            let count = f.service.live.snapshot().departments.count
            var r = try await b.submit(
                "/admin/departments", to: "/admin/departments",
                [("parent", "\(company.rawValue)"), ("name", "<script>alert(1)</script>"), ("order", "2")])
            #expect(r.status == .unprocessableContent)
            #expect(!r.text.contains("<script>alert(1)"))
            #expect(r.text.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
            #expect(fieldError(r.text, "name")?.hasPrefix("department: &lt;script&gt;alert(1)&lt;/script&gt; contains &lt;") == true)
            // A sibling's name: the domain says so.
            r = try await b.submit(
                "/admin/departments", to: "/admin/departments", [("parent", "\(company.rawValue)"), ("name", "管理层")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "name") == "department: 顺达物流 already has a sub-department named 管理层")
            r = try await b.submit(
                "/admin/departments", to: "/admin/departments", [("parent", "\(company.rawValue)"), ("name", "x"), ("order", "first")])
            #expect(fieldError(r.text, "order") == "order: first is not a whole number")
            #expect(f.service.live.snapshot().departments.count == count)
        }
    }
}

@Suite struct AdminOrganizationScopeTests {
    @Test func aSubAdminSeesAndChangesOnlyItsSubtree() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let tree = try await b.html("/admin/departments")
            let model = f.service.live.snapshot()
            let names = departmentIDs(in: tree).map { model.department(DepartmentID($0))?.name ?? "?" }
            #expect(names == ["顺达物流", "管理层", "网点", "北京朝阳网点", "上海浦东网点", "广州天河网点"])

            // A department of the school: 404 on every GET and POST.
            let teachers = f.department("教师组").rawValue
            let school = f.department("育才学校").rawValue
            #expect(try await b.get("/admin/departments/\(teachers)").status == .notFound)
            #expect(try await b.get("/admin/members?department=\(teachers)").status == .notFound)
            #expect(try await b.get("/admin/search?run=1&department=\(teachers)").status == .notFound)
            for action in ["", "/move", "/children", "/delete"] {
                let r = try await b.submit(
                    "/admin/departments", to: "/admin/departments/\(teachers)\(action)",
                    [("name", "改名"), ("order", "1"), ("parent", "\(school)")])
                #expect(r.status == .notFound, "POST \(action)")
            }
            var r = try await b.submit("/admin/departments", to: "/admin/departments", [("parent", "\(school)"), ("name", "新部门")])
            #expect(r.status == .notFound)
            // A teacher: 404 on every GET and POST.
            #expect(try await b.get("/admin/member/t2001").status == .notFound)
            #expect(try await b.get("/admin/member/t2001/erase").status == .notFound)
            for action in ["", "/departments", "/password", "/depart", "/reinstate", "/erase"] {
                let r = try await b.submit(
                    "/admin/members", to: "/admin/member/t2001\(action)",
                    [("title", "x"), ("password", "Ab-123456789"), ("repeat", "Ab-123456789"), ("confirm", "t2001")])
                #expect(r.status == .notFound, "POST member\(action)")
            }
            // A member may not be put into the school from here either.
            let beijing = f.department("北京朝阳网点").rawValue
            r = try await b.submit("/admin/members", to: "/admin/member/w1001/departments", [("department", "\(teachers)")])
            #expect(r.status == .unprocessableContent)
            r = try await b.submit("/admin/members", to: "/admin/members/move", [("target", "\(teachers)"), ("account", "w1001")])
            #expect(r.status == .unprocessableContent)
            let after = f.service.live.snapshot()
            #expect(after.department(DepartmentID(teachers))?.name == "教师组")
            #expect(after.member("t2001")?.isActive == true)
            #expect(after.member("t2001")?.title == "语文教师 一年级一班班主任")
            #expect(after.member("w1001")?.departments == [DepartmentID(beijing)])

            // Lists and search hold only its own people.
            let list = accounts(in: try await b.html("/admin/members"))
            #expect(Set(list) == ["w0001", "w0002", "w1001", "w1002", "w2001", "w2002", "w3001", "w3002"])
            #expect(accounts(in: try await b.html("/admin/search?run=1&text=zs")).isEmpty)
            #expect(accounts(in: try await b.html("/admin/search?run=1&title=%E7%AB%99%E9%95%BF")) == ["w3001", "w1001", "w2001"])

            // Inside: allowed.
            r = try await b.submit(
                "/admin/departments/\(beijing)", to: "/admin/departments/\(beijing)", [("name", "北京朝阳网点"), ("order", "9")])
            #expect(r.status == .seeOther)
            r = try await b.submit("/admin/member/w1001", to: "/admin/member/w1001", [("name", "孙立"), ("title", "高级站长"), ("mobile", "13700001001"), ("email", "sunli@shunda.example.com"), ("follow-status", "未关注")])
            #expect(r.status == .seeOther)
            let now = f.service.live.snapshot()
            #expect(now.department(DepartmentID(beijing))?.order == 9)
            #expect(now.member("w1001")?.title == "高级站长")

            // Widening what the depots see is the domain's refusal, shown next to the scope.
            let depots = f.department("网点").rawValue
            r = try await b.submit(
                "/admin/departments/\(depots)", to: "/admin/departments/\(depots)", [("name", "网点"), ("order", "2"), ("scope", "all")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "scope")?.hasPrefix("department: a sub-admin may not let members see beyond") == true)
            #expect(f.service.live.snapshot().department(DepartmentID(depots))?.scope == .subdepartment)
        }
    }

    @Test func aConflictNamesTheOtherMemberOnlyToWhoeverSeesThem() async throws {
        let f = try WebFixture()
        let beijing = f.department("北京朝阳网点").rawValue
        let form = [("account", "w1010"), ("name", "重复"), ("mobile", "13800002001"), ("department", "\(beijing)")]
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let r = try await b.submit("/admin/members/new", to: "/admin/members/new", form)
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "mobile") == "mobile: 13800002001 is already used")
        }
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let r = try await b.submit("/admin/members/new", to: "/admin/members/new", form)
            #expect(fieldError(r.text, "mobile") == "mobile: 13800002001 is already used by t2001")
        }
    }

    @Test func aMemberIsRefusedTheWholeConsole() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t1001", "Pw-t1001")
            let school = f.department("育才学校").rawValue
            for path in ["/admin/departments", "/admin/departments/\(school)", "/admin/members", "/admin/members/new",
                         "/admin/member/t1002", "/admin/search?run=1&text=w"] {
                #expect(try await b.get(path).status == .forbidden, "GET \(path)")
            }
            let token = try #require(Browser.csrf(try await b.get("/me")))
            for path in ["/admin/departments/\(school)/delete", "/admin/members/new", "/admin/member/t1002/depart"] {
                let r = try await b.post(path, [("_csrf", token), ("account", "x1"), ("name", "X"), ("mobile", "13000000000")])
                #expect(r.status == .forbidden, "POST \(path)")
            }
            let model = f.service.live.snapshot()
            #expect(model.member("t1002")?.isActive == true)
            #expect(model.member("x1") == nil)
        }
    }

    @Test func aPostWithoutTheTokenOrFromAnotherSiteIsRefused() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let beijing = f.department("北京朝阳网点").rawValue
            let token = try #require(Browser.csrf(try await b.get("/admin/members")))
            var r = try await b.post("/admin/member/w1002/depart", [])
            #expect(r.status == .forbidden)
            r = try await b.post("/admin/member/w1002/depart", [("_csrf", (token.first == "0" ? "1" : "0") + token.dropFirst())])
            #expect(r.status == .forbidden)
            r = try await b.post("/admin/member/w1002/depart", [("_csrf", token)], origin: "http://evil.example")
            #expect(r.status == .forbidden)
            r = try await b.post("/admin/departments/\(beijing)", [("_csrf", token), ("order", "99")], origin: "http://evil.example")
            #expect(r.status == .forbidden)
            r = try await b.post("/admin/members/move", [("target", "\(beijing)"), ("account", "w2001")])
            #expect(r.status == .forbidden)
            let model = f.service.live.snapshot()
            #expect(model.member("w1002")?.isActive == true)
            #expect(model.department(DepartmentID(beijing))?.order == 1)
            #expect(model.member("w2001")?.departments == [f.department("上海浦东网点")])
            // With both: it goes through.
            r = try await b.post("/admin/member/w1002/depart", [("_csrf", token)])
            #expect(r.status == .seeOther)
            #expect(f.service.live.snapshot().member("w1002")?.isActive == false)
        }
    }
}

@Suite struct AdminOrganizationMemberTests {
    @Test func aMemberIsAddedEditedMovedResetDepartedReinstatedAndErased() async throws {
        let f = try WebFixture()
        let beijing = f.department("北京朝阳网点")
        let shanghai = f.department("上海浦东网点")
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let form = try await b.html("/admin/members/new?department=\(beijing.rawValue)")
            #expect(form.contains("<option value=\"\(beijing.rawValue)\" selected>顺达物流-&gt;网点-&gt;北京朝阳网点</option>"))
            var r = try await b.submit(
                "/admin/members/new", to: "/admin/members/new",
                [("account", "w1009"), ("name", "冯快递"), ("mobile", "13700001009"), ("title", "快递员"), ("gender", "男"),
                 ("follow-status", "已关注"), ("hire-date", "2024-03-01"), ("department", "\(beijing.rawValue)"), ("department", ""),
                 ("password", "Courier-2024")])
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/admin/member/w1009?done=created")
            var m = try #require(f.service.live.snapshot().member("w1009"))
            #expect(m.name == "冯快递")
            #expect(m.mobile == "13700001009")
            #expect(m.gender == "男")
            #expect(m.followStatus == .following)
            #expect(m.hireDate == "2024-03-01")
            #expect(m.departments == [beijing])
            #expect(f.authenticator.hasher.verify(Array("Courier-2024".utf8), against: try #require(m.passwordHash)))

            // The page holds every field; an edit changes what differs only.
            let page = "/admin/member/w1009"
            let html = try await b.html(page)
            #expect(html.contains("<input name=\"mobile\" type=\"tel\" value=\"13700001009\">"))
            #expect(html.contains("<option value=\"已关注\" selected>已关注</option>"))
            r = try await b.submit(
                page, to: page,
                [("name", "冯快递"), ("mobile", "13700001009"), ("title", "站长助理"), ("gender", "男"), ("follow-status", "已关注"),
                 ("hire-date", "2024-03-01"), ("remarks", "夜班"), ("pinned", "TRUE")])
            #expect(r.status == .seeOther)
            m = try #require(f.service.live.snapshot().member("w1009"))
            #expect(m.title == "站长助理")
            #expect(m.remarks == "夜班")
            #expect(m.pinned)
            #expect(m.hireDate == "2024-03-01")

            // Two departments, the first the primary one.
            r = try await b.submit(page, to: page + "/departments", [("department", "\(shanghai.rawValue)"), ("department", "\(beijing.rawValue)"), ("department", "")])
            #expect(r.status == .seeOther)
            #expect(f.service.live.snapshot().member("w1009")?.departments == [shanghai, beijing])

            // Password reset: the rules first, then the new hash.
            r = try await b.submit(page, to: page + "/password", [("password", "short"), ("repeat", "short")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "password")?.hasPrefix("password: ") == true)
            r = try await b.submit(page, to: page + "/password", [("password", "Reset-pass-77"), ("repeat", "Reset-pass-77")])
            #expect(r.status == .seeOther)
            m = try #require(f.service.live.snapshot().member("w1009"))
            #expect(f.authenticator.hasher.verify(Array("Reset-pass-77".utf8), against: try #require(m.passwordHash)))
            #expect(!(try await b.html(page)).contains(try #require(m.passwordHash)))

            // Departure, reinstatement into a chosen department, departure again, erasure.
            r = try await b.submit(page, to: page + "/depart", [])
            #expect(r.status == .seeOther)
            #expect(f.service.live.snapshot().member("w1009")?.isActive == false)
            #expect(accounts(in: try await b.html("/admin/members?status=departed")).contains("w1009"))
            #expect(!accounts(in: try await b.html("/admin/members")).contains("w1009"))
            r = try await b.submit(page, to: page + "/reinstate", [("department", "\(beijing.rawValue)")])
            #expect(r.status == .seeOther)
            m = try #require(f.service.live.snapshot().member("w1009"))
            #expect(m.isActive)
            #expect(m.departments == [beijing])
            r = try await b.submit(page, to: page + "/erase", [("confirm", "w1009")])
            #expect(r.status == .unprocessableContent)  // active: the domain refuses
            #expect(fieldError(r.text, "account")?.contains("only a departed member can be erased") == true)
            r = try await b.submit(page, to: page + "/depart", [])
            #expect(r.status == .seeOther)
            let confirm = try await b.html(page + "/erase")
            #expect(confirm.contains("name=\"confirm\""))
            r = try await b.submit(page + "/erase", to: page + "/erase", [("confirm", "w1008")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "confirm") == "输入的账号与该成员不一致")
            #expect(f.service.live.snapshot().member("w1009") != nil)
            r = try await b.submit(page + "/erase", to: page + "/erase", [("confirm", "W1009")])
            #expect(r.status == .seeOther)
            #expect(f.service.live.snapshot().member("w1009") == nil)
            #expect(try await b.get(page).status == .notFound)
        }
    }

    @Test func reinstatementGoesBackToThePreviousDepartments() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let html = try await b.html("/admin/member/w1003")
            #expect(html.contains("原部门: 顺达物流-&gt;网点-&gt;北京朝阳网点"))
            let r = try await b.submit("/admin/member/w1003", to: "/admin/member/w1003/reinstate", [("department", "")])
            #expect(r.status == .seeOther)
            let m = try #require(f.service.live.snapshot().member("w1003"))
            #expect(m.isActive)
            #expect(m.departments == [f.department("北京朝阳网点")])
        }
    }

    @Test func aDomainErrorIsShownNextToItsFieldWithTheValuesTyped() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let beijing = f.department("北京朝阳网点").rawValue
            var r = try await b.submit(
                "/admin/members/new", to: "/admin/members/new",
                [("account", "w1010"), ("name", "重复"), ("mobile", "138 0000 2001"), ("title", "快递员"), ("department", "\(beijing)")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "mobile") == "mobile: 138 0000 2001 is already used by t2001")
            #expect(r.text.contains("value=\"w1010\""))
            #expect(r.text.contains("value=\"快递员\""))
            #expect(f.service.live.snapshot().member("w1010") == nil)
            // No contact at all: the domain's rule for the whole entry, at the top of the form.
            r = try await b.submit("/admin/members/new", to: "/admin/members/new", [("account", "w1011"), ("name", "无联系")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "form") == "contact: w1011 needs at least one of wechat, mobile and email")
            // An edit: a WeChat id that is a phone number.
            r = try await b.submit("/admin/member/w1002", to: "/admin/member/w1002", [("name", "马超"), ("wechat", "13700001002")])
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "wechat")?.hasPrefix("wechat: 13700001002 is all digits") == true)
            #expect(r.text.contains("<input name=\"wechat\" type=\"text\" value=\"13700001002\">"))
            #expect(f.service.live.snapshot().member("w1002")?.wechat == nil)
        }
    }

    @Test func aScriptNameIsText() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let beijing = f.department("北京朝阳网点").rawValue
            let r = try await b.submit(
                "/admin/members/new", to: "/admin/members/new",
                [("account", "x1@corp"), ("name", "<script>alert(1)</script>"), ("email", "x1@example.com"), ("department", "\(beijing)")])
            #expect(r.status == .seeOther)
            // An account with an @ is a path segment with %40.
            #expect(r.headers[.location] == "/admin/member/x1%40corp?done=created")
            #expect(try await b.html("/admin/members?department=\(beijing)").contains("href=\"/admin/member/x1%40corp\""))
            for page in ["/admin/members?department=\(beijing)", "/admin/member/x1%40corp", "/admin/search?run=1&account=x1"] {
                let html = try await b.html(page)
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(page)")
                #expect(!html.contains("<script>alert"), "\(page)")
            }
        }
    }

    @Test func aBatchMoveMovesTheOthersAndReportsTheRefused() async throws {
        let f = try WebFixture()
        let shanghai = f.department("上海浦东网点")
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let r = try await b.submit(
                "/admin/members", to: "/admin/members/move",
                [("account", "w1001"), ("account", "w1003"), ("account", "w1002"), ("account", "nobody9"), ("target", "\(shanghai.rawValue)")])
            #expect(r.status == .ok)
            let model = f.service.live.snapshot()
            #expect(model.member("w1001")?.departments == [shanghai])
            #expect(model.member("w1002")?.departments == [shanghai])
            #expect(model.member("w1003")?.isActive == false)
            let html = r.text
            #expect(html.contains("<li class=\"moved\" data-account=\"w1001\">"))
            #expect(html.contains("<li class=\"moved\" data-account=\"w1002\">"))
            #expect(html.contains("<li class=\"refused\" data-account=\"w1003\">钱多多 (w1003): 该成员已离职；请先复职</li>"))
            #expect(html.contains("<li class=\"refused\" data-account=\"nobody9\">nobody9: 没有这个成员</li>"))
            #expect(html.contains("已调整 (2)"))
            #expect(html.contains("未能调整 (2)"))
        }
    }

    @Test func tenThousandMembersArePagedNeverRenderedAtOnce() async throws {
        let extra = 10_000
        let f = try WebFixture { model in
            let target = model.departments.values.first { $0.name == "广州天河网点" }!.id
            let members = (0..<extra).map { i in
                Member(account: try! Account(parsing: String(format: "p%05d", i)), name: "员工\(i)", departments: [target], mobile: "1500000\(String(format: "%04d", i))")
            }
            for m in members { model.put(m) }
        }
        let target = f.department("广州天河网点")
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let first = try await b.html("/admin/members?department=\(target.rawValue)")
            let page1 = accounts(in: first)
            #expect(page1.count == 50)
            #expect(first.contains("1 / 201 页 · 10002 人"))
            #expect(first.contains("href=\"/admin/members?page=2&amp;department=\(target.rawValue)\" rel=\"next\""))
            let page2 = accounts(in: try await b.html("/admin/members?page=2&department=\(target.rawValue)"))
            #expect(page2.count == 50)
            #expect(Set(page1).isDisjoint(with: page2))
            let last = accounts(in: try await b.html("/admin/members?page=201&department=\(target.rawValue)"))
            #expect(last.count == 2)
            // The department page offers at most 200 leader choices.
            let html = try await b.html("/admin/departments/\(target.rawValue)")
            #expect(html.components(separatedBy: "name=\"leader\"").count - 1 <= 200)
        }
    }
}

@Suite struct AdminOrganizationSearchTests {
    @Test func theAdvancedSearchFindsByEachCriterion() async throws {
        let f = try WebFixture { model in
            var m = model.member("w1001")!
            m.gender = "女"
            m.birthday = "1990-05-20"
            m.hireDate = "2019-07-01"
            m.followStatus = .following
            model.put(m)
            var n = model.member("w2001")!
            n.hireDate = "2021-02-01"
            n.birthday = "1988-05-02"
            model.put(n)
        }
        try await f.test { b in
            try await b.signIn("admin", "secret")
            func found(_ query: String) async throws -> [String] {
                let r = try await b.get("/admin/search?run=1&" + query)
                #expect(r.status == .ok, "\(query)")
                return accounts(in: r.text)
            }
            #expect(try await found("text=zs") == ["t2001"])
            #expect(Set(try await found("text=1370000300")) == ["w3001", "w3002"])
            #expect(Set(try await found("account=t200")) == ["t2001", "t2002"])
            #expect(Set(try await found("title=%E7%AB%99%E9%95%BF")) == ["w1001", "w2001", "w3001"])
            #expect(try await found("gender=%E5%A5%B3") == ["w1001"])
            #expect(try await found("follow=%E5%B7%B2%E5%85%B3%E6%B3%A8") == ["w1001"])
            #expect(Set(try await found("month=5")) == ["w1001", "w2001"])
            #expect(try await found("from=2020-01-01&to=2022-12-31") == ["w2001"])
            #expect(try await found("status=departed") == ["w1003"])
            #expect(try await found("department=\(f.department("网点").rawValue)&title=%E5%BF%AB%E9%80%92") .count == 3)
            let html = try await b.html("/admin/search?run=1&text=zs")
            #expect(html.contains("<a href=\"/admin/member/t2001\">张三</a>"))

            var r = try await b.get("/admin/search?run=1&month=13")
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "birthday") == "birthday: birthday month 13 is not 1–12")
            r = try await b.get("/admin/search?run=1&from=2022-01-01&to=2020-01-01")
            #expect(r.status == .unprocessableContent)
            #expect(fieldError(r.text, "hire-date")?.contains("ends before it starts") == true)
            #expect(accounts(in: r.text).isEmpty)
        }
    }
}
