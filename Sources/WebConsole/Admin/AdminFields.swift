import Directory
import Foundation
import Hummingbird

// MARK: - /admin/fields: the field policy (成员属性设置), super admin only

extension WebApp {
    func addAdminFieldRoutes(to router: Router<WebContext>) {
        let path = RouterPath(AdminSection.fields.path)
        router.get(path) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .fields)
            let notice = request.uri.queryParameters["saved"] != nil ? context.words[.saved] : nil
            return self.fieldsPage(request, context, admin, wanted: nil, notice: notice)
        }
        router.post(path) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .fields)
            let shown = Set(context.form.values["shown"] ?? [])
            let editable = Set(context.form.values["edit"] ?? [])
            var wanted: [MemberField: FieldPolicy.Rule] = [:]
            for f in MemberField.allCases {
                wanted[f] = FieldPolicy.Rule(shown: shown.contains(f.rawValue), selfEditable: editable.contains(f.rawValue))
            }
            let policy = admin.model.fieldPolicy
            let changed = MemberField.allCases.filter { wanted[$0] != policy.rule($0) }
            guard !changed.isEmpty else { return Page.redirect(AdminSection.fields.path + "?saved=1") }
            // The domain's rule of each row first (the row is named in the error), then every
            // changed row in one all-or-nothing write.
            var trial = policy
            for f in changed {
                do throws(DirectoryError) {
                    try trial.set(f, wanted[f] ?? policy.rule(f))
                } catch {
                    return self.fieldsPage(request, context, admin, wanted: wanted, failure: AdminFailure(error), status: .unprocessableContent)
                }
            }
            let ctx = admin.commandContext
            let rules = changed.map { f in (f, wanted[f] ?? policy.rule(f)) }
            let results = try await self.offLoop {
                let steps: [(DirectoryModel) throws(DirectoryError) -> DirectoryCommand] = rules.map { f, rule in
                    { _ in .setFieldPolicy(f, rule) }
                }
                return try self.directory.executeAll(by: ctx, allOrNothing: true, steps).map { r -> String? in
                    if case .failure(let e) = r { return (e as? DirectoryError)?.message ?? "\(e)" }
                    return nil
                }
            }
            // A step refused under the write lock (a race with another writer): its message.
            if let message = results.compactMap({ $0 }).first {
                return self.fieldsPage(
                    request, context, admin, wanted: wanted, failure: AdminFailure(field: "form", message: message),
                    status: .unprocessableContent)
            }
            return Page.redirect(AdminSection.fields.path + "?saved=1")
        }
    }

    /// The seed's table: 字段名称 / 移动端显示 / 成员自行修改, a checkbox each.
    func fieldsPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, wanted: [MemberField: FieldPolicy.Rule]?,
        failure: AdminFailure? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let policy = admin.model.fieldPolicy
        let rows = MemberField.allCases.map { f -> HTML in
            let rule = wanted?[f] ?? policy.rule(f)
            let shown: HTML = rule.shown ? " checked" : ""
            let edit: HTML = rule.selfEditable ? " checked" : ""
            return """
                <tr data-field="\(f.rawValue)"><td>\(w.field(f))\(Self.fieldError(failure, f.rawValue))</td>\
                <td><input type="checkbox" name="shown" value="\(f.rawValue)" aria-label="\(w.field(f)) \(w[.fieldShown])"\(shown)></td>\
                <td><input type="checkbox" name="edit" value="\(f.rawValue)" aria-label="\(w.field(f)) \(w[.fieldSelfEditable])"\(edit)></td></tr>
                """
        }
        let body: HTML = """
            <h1>\(w[.adminFields])</h1><p>\(w[.fieldsHint])</p>\(Self.fieldError(failure, "form"))
            <form method="post" action="\(AdminSection.fields.path)">\(Page.csrfField(context))\
            <table class="field-policy"><thead><tr><th>\(w[.fieldName])</th><th>\(w[.fieldShown])</th>\
            <th>\(w[.fieldSelfEditable])</th></tr></thead><tbody>\(rows)</tbody></table>
            <button type="submit">\(w[.save])</button></form>
            """
        return adminPage(request, context, admin, section: .fields, title: w[.adminFields], body: body, notice: notice, status: status)
    }
}
