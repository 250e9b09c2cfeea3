import Directory
import Foundation
import Hummingbird

// MARK: - /admin/search: the seed's advanced search (高级搜索) through the domain's MemberQuery

extension WebApp {
    /// The most results the advanced search lists.
    static let adminSearchLimit = 200

    func addAdminSearchRoutes(to router: Router<WebContext>) {
        router.get("/admin/search") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .search)
            return try self.adminSearchPage(request, context, admin)
        }
    }

    /// The form, and when it was sent the members matching every criterion among those the
    /// administrator administers, as a table linking to each one's page. A criterion that breaks
    /// its rule (a month 13, a range ending before it starts) is shown next to its field, 422.
    func adminSearchPage(_ request: Request, _ context: WebContext, _ admin: AdminRequest) throws -> Response {
        let w = context.words
        func q(_ name: String) -> String { String((request.formQueryValue(name) ?? "").prefix(100)).trimmingWhitespace }
        let sent = request.formQueryValue("run") != nil
        var failure: AdminFailure? = nil
        var query = MemberQuery()
        query.account = q("account").isEmpty ? nil : q("account")
        query.text = q("text").isEmpty ? nil : q("text")
        query.title = q("title").isEmpty ? nil : q("title")
        query.gender = q("gender").isEmpty ? nil : q("gender")
        if !q("follow").isEmpty {
            if let s = Member.FollowStatus(rawValue: q("follow")) {
                query.followStatus = s
            } else {
                failure = AdminFailure(field: "follow-status", .followStatus(q("follow")))
            }
        }
        if !q("month").isEmpty {
            if let m = Int(q("month")) {
                query.birthdayMonth = m
            } else {
                failure = AdminFailure(field: "birthday", .birthdayMonth(q("month")))
            }
        }
        query.hiredFrom = q("from").isEmpty ? nil : q("from")
        query.hiredTo = q("to").isEmpty ? nil : q("to")
        let rawDepartment = q("department")
        if !rawDepartment.isEmpty {
            guard let d = admin.department(rawDepartment) else { throw WebError.notFound }
            query.department = d.id
        }
        query.status = MemberQuery.StatusFilter(rawValue: q("status")) ?? .active

        var results: HTML? = nil
        if sent, failure == nil {
            do {
                // Every visible match, then only those the administrator administers (a member of
                // a sub-admin's department who is also in one outside it is not theirs to edit).
                let found = try query.run(admin.visibility, limit: .max).members.filter { admin.administers($0) }
                let rows = found.prefix(Self.adminSearchLimit).map { m -> HTML in
                    let departments = Self.previousDepartments(m).map { admin.label($0, w) }.joined(separator: "；")
                    let status: HTML = m.isActive ? "\(w[.orgActive])" : "<span class=\"status departed\">\(w[.orgDeparted])</span>"
                    return """
                        <tr class="member" data-account="\(m.account.value)">\
                        <td><a href="/admin/member/\(AdminPath.segment(m.account.value))">\(m.name)</a></td><td>\(m.account.value)</td>\
                        <td>\(departments)</td><td>\(m.title ?? "")</td><td>\(m.mobile ?? "")</td><td>\(m.gender ?? "")</td>\
                        <td>\(m.hireDate ?? "")</td><td>\(status)</td></tr>
                        """
                }
                results = """
                    <p class="count" data-count="\(found.count)">\(found.count) \(w[.orgMatches])</p>\
                    <table class="members results"><thead><tr><th>\(w.field(.name))</th><th>\(w.field(.account))</th>\
                    <th>\(w[.orgMemberDepartments])</th><th>\(w.field(.title))</th><th>\(w.field(.mobile))</th>\
                    <th>\(w.field(.gender))</th><th>\(w.field(.hireDate))</th><th>\(w[.orgStatus])</th></tr></thead>\
                    <tbody>\(rows)</tbody></table>\(found.count > Self.adminSearchLimit ? "<p class=\"more\">…</p>" as HTML : .empty)
                    """
            } catch {
                failure = AdminFailure(error)
            }
        }
        func select(_ name: String, _ choices: [(String, String)]) -> HTML {
            let current = q(name)
            let options = choices.map { v, text -> HTML in
                v == current ? "<option value=\"\(v)\" selected>\(text)</option>" : "<option value=\"\(v)\">\(text)</option>"
            }
            return "<select name=\"\(name)\">\(options)</select>"
        }
        let any = w[.orgAny]
        let months = [("", any)] + (1...12).map { (String($0), String($0)) }
        let body: HTML = """
            <h1>\(w[.adminSearch])</h1>
            <form method="get" action="/admin/search" class="admin-form search-form"><input type="hidden" name="run" value="1">\
            \(Self.fieldError(failure, "form"))\
            <label>\(w.field(.account))<input name="account" value="\(q("account"))" autocapitalize="none"></label>\
            <label>\(w[.orgSearchText])<input name="text" value="\(q("text"))"></label>\
            <label>\(w.field(.title))<input name="title" value="\(q("title"))"></label>\
            <label>\(w.field(.gender))\(select("gender", [("", any), ("男", "男"), ("女", "女"), ("未知", "未知")]))</label>\
            <label>\(w.field(.followStatus))\(select("follow", [("", any)] + Member.FollowStatus.allCases.map { ($0.rawValue, $0.rawValue) }))\
            \(Self.fieldError(failure, "follow-status"))</label>\
            <label>\(w[.orgBirthdayMonth])\(select("month", months))\(Self.fieldError(failure, "birthday"))</label>\
            <label>\(w[.orgHiredFrom])<input name="from" type="date" value="\(q("from"))"></label>\
            <label>\(w[.orgHiredTo])<input name="to" type="date" value="\(q("to"))">\(Self.fieldError(failure, "hire-date"))</label>\
            <label>\(w[.departments])<select name="department">\
            \(Self.departmentOptions(admin, w, selected: query.department, blank: w[.orgAll]))</select></label>\
            <label>\(w[.orgStatus])\(select("status", [("active", w[.orgActive]), ("departed", w[.orgDeparted]), ("any", any)]))</label>\
            <button type="submit">\(w[.search])</button></form>\(results)
            """
        return adminPage(
            request, context, admin, section: .search, title: w[.adminSearch], body: body,
            status: failure?.status ?? .ok)
    }
}
