import Directory
import Foundation
import Hummingbird

// MARK: - /admin/audit: the audit log, newest first, with filters and pages

extension WebApp {
    /// How many records a page of the audit log shows.
    static let auditPageSize = 50
    /// The most records one view of the audit log looks through (the newest that match the
    /// store's filters: since, kind); the other filters (until, account, a sub-admin's own
    /// records) and the pages are taken from them.
    static let auditScanLimit = 10_000

    func addAdminAuditRoutes(to router: Router<WebContext>) {
        router.get(RouterPath(AdminSection.audit.path)) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .audit)
            return try await self.auditPage(request, context, admin)
        }
    }

    /// The filters of the audit page, from its query: `since` and `until` (dates, `YYYY-MM-DD`,
    /// UTC, both included), `account` (an account or administrator, as actor or target),
    /// `kind` (`bind` or `write`), `page` (from 1).
    struct AuditFilter: Sendable, Hashable {
        var since: String = ""
        var until: String = ""
        var account: String = ""
        var kind: AuditQuery.Kind?
        var page = 1

        init(_ request: Request) {
            since = (request.formQueryValue("since") ?? "").trimmingWhitespace
            until = (request.formQueryValue("until") ?? "").trimmingWhitespace
            account = String((request.formQueryValue("account") ?? "").trimmingWhitespace.prefix(100))
            kind = request.formQueryValue("kind").flatMap(AuditQuery.Kind.init(rawValue:))
            page = max(1, min(10_000, Int(request.formQueryValue("page") ?? "") ?? 1))
        }

        static func day(_ text: String) -> Date? {
            guard !text.isEmpty else { return nil }
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyy-MM-dd"
            return f.date(from: text)
        }

        /// The query string of these filters at another page.
        func query(page: Int) -> String {
            var items = [("since", since), ("until", until), ("account", account), ("kind", kind?.rawValue ?? "")]
            items.append(("page", String(page)))
            return items.filter { !$0.1.isEmpty }.map { "\($0.0)=\(WebApp.queryEncode($0.1))" }.joined(separator: "&")
        }
    }

    /// Whether a record is one of the administrator's own actions: issued by them (over the web,
    /// LDAP or as a bind name) or a sign-in of theirs.
    static func isOwnRecord(_ r: AuditRecord, of admin: AdminRequest) -> Bool {
        let key = admin.key
        let actor = r.actor.lowercased()
        if actor == "web:\(key)" || actor == key || actor.hasPrefix("cn=\(key),") { return true }
        return AuditQuery.bindActions.contains(r.action) && r.target.lowercased() == key
    }

    /// Whether a record is about `account` or issued by it, as ``AuditQuery/matches(_:)`` decides,
    /// or issued by it over the web (`web:ACCOUNT`).
    static func concerns(_ r: AuditRecord, _ account: String) -> Bool {
        AuditQuery(account: account).matches(r) || r.actor.lowercased() == "web:" + account.lowercased()
    }

    func auditPage(_ request: Request, _ context: WebContext, _ admin: AdminRequest) async throws -> Response {
        let w = context.words
        let filter = AuditFilter(request)
        var failure: AdminFailure? = nil
        let since = Self.AuditFilter.day(filter.since)
        let until = Self.AuditFilter.day(filter.until).map { $0.addingTimeInterval(86_400) }
        if !filter.since.isEmpty, since == nil { failure = AdminFailure(field: "since", .notADate(field: "since", value: filter.since)) }
        if !filter.until.isEmpty, until == nil { failure = AdminFailure(field: "until", .notADate(field: "until", value: filter.until)) }
        var records: [AuditRecord] = []
        if failure == nil {
            let query = AuditQuery(since: since?.timeIntervalSince1970, kind: filter.kind, limit: Self.auditScanLimit, newestFirst: true)
            let account = filter.account
            let own = !admin.isSuperAdmin
            let service = directory
            records = try await offLoop {
                try service.audit(query).filter { r in
                    if let until, r.time >= until { return false }
                    if !account.isEmpty, !Self.concerns(r, account) { return false }
                    if own, !Self.isOwnRecord(r, of: admin) { return false }
                    return true
                }
            }
        }
        let pageSize = Self.auditPageSize
        let pages = max(1, (records.count + pageSize - 1) / pageSize)
        let page = min(filter.page, pages)
        let shown = records.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let formatter = ISO8601DateFormatter()
        let rows = shown.map { r -> HTML in
            let keys = Set(r.before.keys).union(r.after.keys).sorted()
            let changes = keys.map { k -> HTML in
                let b = r.before[k], a = r.after[k]
                if b == a { return .empty }
                return "<li><b>\(k)</b>: \(b ?? "—") → \(a ?? "—")</li>"
            }
            return """
                <tr data-audit="\(r.action)"><td><time datetime="\(formatter.string(from: r.time))">\(Self.auditTime(r.time))</time></td>\
                <td>\(r.actor)</td><td>\(r.source)</td><td>\(r.action)</td><td>\(r.target)</td><td><ul>\(changes)</ul></td></tr>
                """
        }
        let kinds: [HTML] = [("", w[.auditAllKinds]), ("write", w[.auditWrites]), ("bind", w[.auditBinds])].map { k, label in
            k == (filter.kind?.rawValue ?? "") ? "<option value=\"\(k)\" selected>\(label)</option>" : "<option value=\"\(k)\">\(label)</option>"
        }
        let base = AdminSection.audit.path
        let previous: HTML? = page > 1 ? "<a href=\"\(base)?\(filter.query(page: page - 1))\" rel=\"prev\">\(w[.auditPrevious])</a>" : nil
        let next: HTML? = page < pages ? "<a href=\"\(base)?\(filter.query(page: page + 1))\" rel=\"next\">\(w[.auditNext])</a>" : nil
        let scopeNote: HTML? = admin.isSuperAdmin ? nil : "<p class=\"hint\">\(w[.auditOwnOnly])</p>"
        let body: HTML = """
            <h1>\(w[.adminAudit])</h1>\(scopeNote)
            <form method="get" action="\(base)" class="audit-filter">\
            <label class="field">\(w[.auditSince])<input type="date" name="since" value="\(filter.since)">\(Self.fieldError(failure, "since"))</label>
            <label class="field">\(w[.auditUntil])<input type="date" name="until" value="\(filter.until)">\(Self.fieldError(failure, "until"))</label>
            <label class="field">\(w[.auditAccount])<input name="account" value="\(filter.account)"></label>
            <label class="field">\(w[.auditKind])<select name="kind">\(kinds)</select></label>
            <button type="submit">\(w[.search])</button></form>
            <p class="count" data-audit-count="\(records.count)">\(records.count) · \(page)/\(pages)</p>
            <table class="audit"><thead><tr><th>\(w[.auditTime])</th><th>\(w[.auditActor])</th><th>\(w[.auditSource])</th>\
            <th>\(w[.auditAction])</th><th>\(w[.auditTarget])</th><th>\(w[.auditChanges])</th></tr></thead><tbody>\(rows)</tbody></table>
            <nav class="pages">\(previous) \(next)</nav>
            """
        return adminPage(
            request, context, admin, section: .audit, title: w[.adminAudit], body: body,
            status: failure == nil ? .ok : .unprocessableContent)
    }

    static func auditTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: date)
    }
}
