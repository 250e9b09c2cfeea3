import Directory
import Foundation
import Hummingbird

// MARK: - /admin/departments: the tree; /admin/departments/ID: settings, leaders, move, add a
// sub-department, delete

extension WebApp {
    func addAdminDepartmentRoutes(to router: Router<WebContext>) {
        router.get("/admin/departments") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .departments)
            let notice = Self.doneNotice(request, context.words, ["deleted": .orgDeleted])
            return self.departmentTreePage(request, context, admin, forms: DepartmentForms(), notice: notice)
        }
        // A department added from the tree page, under the parent chosen there.
        router.post("/admin/departments") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .departments)
            guard let parent = admin.department(context.form["parent"]) else { throw WebError.notFound }
            let forms = DepartmentForms(form: "child", values: context.form)
            switch try await self.createDepartment(under: parent.id, context.form, admin) {
            case .success(let id): return Page.redirect("/admin/departments/\(id.rawValue)?done=created")
            case .failure(let f):
                return self.departmentTreePage(request, context, admin, forms: forms.failed(f), status: f.status)
            }
        }
        router.get("/admin/departments/:id") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .departments)
            guard let d = admin.department(context.parameters.get("id")) else { throw WebError.notFound }
            let notice = Self.doneNotice(
                request, context.words, ["saved": .saved, "created": .orgCreated, "moved": .orgMoved])
            return self.departmentPage(request, context, admin, d, forms: DepartmentForms(), notice: notice)
        }
        router.post("/admin/departments/:id") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .departments)
            guard let d = admin.department(context.parameters.get("id")) else { throw WebError.notFound }
            var forms = DepartmentForms(form: "settings", values: context.form)
            let changes: DepartmentChanges
            switch Self.departmentChanges(d, context.form, admin) {
            case .success(let c): changes = c
            case .failure(let f): return self.departmentPage(request, context, admin, d, forms: forms.failed(f), status: f.status)
            }
            guard changes != DepartmentChanges() else { return Page.redirect("/admin/departments/\(d.id.rawValue)?done=saved") }
            switch try await self.runAdmin(.updateDepartment(d.id, changes), admin) {
            case .success: return Page.redirect("/admin/departments/\(d.id.rawValue)?done=saved")
            case .failure(var f):
                if f.field == "department" { f.field = Self.settingsSlot(of: f.message) }
                forms = forms.failed(f)
                return self.departmentPage(request, context, admin, d, forms: forms, status: f.status)
            }
        }
        router.post("/admin/departments/:id/move") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .departments)
            guard let d = admin.department(context.parameters.get("id")) else { throw WebError.notFound }
            let forms = DepartmentForms(form: "move", values: context.form)
            guard let parent = admin.department(context.form["parent"]) else {
                let f = AdminFailure(field: "department", .chooseParent)
                return self.departmentPage(request, context, admin, d, forms: forms.failed(f), status: f.status)
            }
            switch try await self.runAdmin(.moveDepartment(d.id, to: parent.id), admin) {
            case .success: return Page.redirect("/admin/departments/\(d.id.rawValue)?done=moved")
            case .failure(let f): return self.departmentPage(request, context, admin, d, forms: forms.failed(f), status: f.status)
            }
        }
        router.post("/admin/departments/:id/children") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .departments)
            guard let d = admin.department(context.parameters.get("id")) else { throw WebError.notFound }
            let forms = DepartmentForms(form: "child", values: context.form)
            switch try await self.createDepartment(under: d.id, context.form, admin) {
            case .success(let id): return Page.redirect("/admin/departments/\(id.rawValue)?done=created")
            case .failure(let f): return self.departmentPage(request, context, admin, d, forms: forms.failed(f), status: f.status)
            }
        }
        router.post("/admin/departments/:id/delete") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .departments)
            guard let d = admin.department(context.parameters.get("id")) else { throw WebError.notFound }
            switch try await self.runAdmin(.deleteDepartment(d.id), admin) {
            case .success: return Page.redirect("/admin/departments?done=deleted")
            case .failure(let f):
                let forms = DepartmentForms(form: "delete", values: context.form).failed(f)
                return self.departmentPage(request, context, admin, d, forms: forms, status: f.status)
            }
        }
    }

    // MARK: - Commands from forms

    /// Creates a department from the add form (`name`, `order`, `scope`, `hidden`) under `parent`.
    func createDepartment(under parent: DepartmentID, _ form: Form, _ admin: AdminRequest) async throws -> Result<DepartmentID, AdminFailure> {
        let order: Int
        switch Self.order(form["order"]) {
        case .success(let o): order = o
        case .failure(let f): return .failure(f)
        }
        guard let scope = VisibilityScope(rawValue: form["scope"] ?? "inherit") else {
            return .failure(AdminFailure(field: "scope", .scope))
        }
        let draft = DepartmentDraft(name: form["name"] ?? "", parent: parent, order: order, scope: scope, hidden: form["hidden"] != nil)
        switch try await runAdmin(.createDepartment(draft), admin) {
        case .failure(var f):
            if f.field == "department" { f.field = Self.settingsSlot(of: f.message) == "scope" ? "scope" : "name" }
            return .failure(f)
        case .success:
            // Sibling names are unique (ignoring case): the new department is the one so named.
            return .success(directory.live.snapshot().child(of: parent, named: draft.name.trimmingWhitespace)?.id ?? parent)
        }
    }

    /// A sort order as typed: a whole number (blank is 0).
    static func order(_ raw: String?) -> Result<Int, AdminFailure> {
        let text = (raw ?? "").trimmingWhitespace
        if text.isEmpty { return .success(0) }
        guard text.count <= 12, let n = Int(text) else {
            return .failure(AdminFailure(field: "order", .notAWholeNumber(String(text.prefix(20)))))
        }
        return .success(n)
    }

    /// The changes the settings form asks for: only what differs from the department now.
    static func departmentChanges(_ d: Department, _ form: Form, _ admin: AdminRequest) -> Result<DepartmentChanges, AdminFailure> {
        var c = DepartmentChanges()
        if let name = form["name"], name.trimmingWhitespace != d.name { c.name = name }
        switch order(form["order"]) {
        case .success(let o): if o != d.order { c.order = o }
        case .failure(let f): return .failure(f)
        }
        if let raw = form["scope"] {
            guard let scope = VisibilityScope(rawValue: raw) else {
                return .failure(AdminFailure(field: "scope", .scope))
            }
            if scope != d.scope { c.scope = scope }
        }
        let hidden = form["hidden"] != nil
        if hidden != d.hidden { c.hidden = hidden }
        var leaders: [Account] = []
        let typed = (form.values["leader"] ?? []) + (form["leaders_extra"] ?? "").split(whereSeparator: { $0 == "," || $0 == "，" || $0 == " " }).map(String.init)
        for raw in typed where !raw.trimmingWhitespace.isEmpty {
            do {
                let a = try Account(parsing: raw.trimmingWhitespace)
                // Only members the administrator sees (found by review: a sub-admin made a teacher
                // the leader of its depot, then saw the teacher's name): one answer for a member
                // it does not see and for none, as over LDAP.
                guard admin.sees(a) else {
                    return .failure(AdminFailure(field: "leaders", .notAnActiveMember(String(a.value.prefix(64)))))
                }
                if !leaders.contains(a) { leaders.append(a) }
            } catch {
                return .failure(AdminFailure(field: "leaders", message: error.message))
            }
        }
        // Leaders the administrator does not see stay: they are not on its form.
        for a in d.leaders where !admin.sees(a) && !leaders.contains(a) { leaders.append(a) }
        if leaders != d.leaders || leaders.map(\.value) != d.leaders.map(\.value) { c.leaders = leaders }
        return .success(c)
    }

    /// Where on the settings form a department error of the domain goes: next to the leaders,
    /// the scope, the hidden flag or the name.
    static func settingsSlot(of message: String) -> String {
        if message.hasPrefix("department: leader ") { return "leaders" }
        if message.hasPrefix("department: the organisation's own scope") || message.hasPrefix("department: a sub-admin may not let") {
            return "scope"
        }
        if message.hasPrefix("department: the organisation cannot be hidden") { return "hidden" }
        return "name"
    }

    // MARK: - Pages

    /// The tree, in the directory's order, with head counts, sort order, scope and hidden marks,
    /// leaders; and a form that adds a department under any of them.
    func departmentTreePage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, forms: DepartmentForms, notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let model = admin.model
        var rows: [HTML] = []
        for root in admin.roots {
            let base = model.depth(of: root)
            for id in model.subtree(of: root) {
                guard let d = model.department(id) else { continue }
                let depth = min(model.depth(of: id) - base, 15)
                let name = id == .root ? model.organization : d.name
                var marks: HTML = .empty
                if d.scope != .inherit { marks += " <span class=\"mark scope\">\(w[Self.scopeWord(d.scope)])</span>" }
                if d.hidden { marks += " <span class=\"mark hidden\">\(w[.orgHidden])</span>" }
                let leaders = d.leaders.filter(admin.sees).compactMap { model.member($0.key)?.name }.joined(separator: "、")
                rows.append(
                    """
                    <tr class="department" data-department="\(id.rawValue)"><td class="tree depth-\(depth)">\
                    <a href="/admin/departments/\(id.rawValue)">\(name)</a>\(marks)</td>\
                    <td class="num">\(model.members(in: id).count)</td>\
                    <td class="num"><a href="/admin/members?department=\(id.rawValue)">\(model.subtreeMemberCount(of: id))</a></td>\
                    <td class="num">\(d.order)</td><td>\(leaders)</td></tr>
                    """)
            }
        }
        let f = forms.form == "child" ? forms : DepartmentForms()
        let selectedParent = f.values["parent"].flatMap { Int64($0) }.map { DepartmentID($0) } ?? admin.roots.first
        let body: HTML = """
            <h1>\(w[.orgTree])</h1>
            <table class="tree"><thead><tr><th>\(w[.orgName])</th><th>\(w[.orgDirect])</th><th>\(w[.orgSubtree])</th>\
            <th>\(w[.orgOrder])</th><th>\(w[.orgLeaders])</th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>\(w[.orgAddChild])</h2>
            <form method="post" action="/admin/departments" class="admin-form" data-form="child">\(Page.csrfField(context))\
            \(Self.fieldError(f.failure, "form"))\
            <label>\(w[.orgMoveTo])<select name="parent">\(Self.departmentOptions(admin, w, selected: selectedParent))</select></label>\
            \(childFields(context, f))</form>
            """
        return adminPage(request, context, admin, section: .departments, title: w[.orgTree], body: body, notice: notice, status: status)
    }

    /// The fields of the add-a-department form.
    func childFields(_ context: WebContext, _ f: DepartmentForms) -> HTML {
        let w = context.words
        let scope = f.values["scope"].flatMap(VisibilityScope.init(rawValue:)) ?? .inherit
        return """
            <label>\(w[.orgName])<input name="name" value="\(f.values["name"] ?? "")" required maxlength="100">\
            \(Self.fieldError(f.failure, "name"))</label>\
            <label>\(w[.orgOrder])<input name="order" inputmode="numeric" value="\(f.values["order"] ?? "0")">\
            \(Self.fieldError(f.failure, "order"))</label>\
            <label>\(w[.orgScope])<select name="scope">\(Self.scopeOptions(w, selected: scope))</select>\
            \(Self.fieldError(f.failure, "scope"))</label>\
            <label class="check">\(Self.checkbox("hidden", checked: f.values["hidden"] != nil)) \(w[.orgHidden])</label>\
            <button type="submit">\(w[.orgAddChild])</button>
            """
    }

    /// One department: its settings and leaders, move, add a sub-department, delete. After a
    /// refused change, the form that sent it keeps the values typed and shows the domain's
    /// message next to the field it names.
    func departmentPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, _ d: Department, forms: DepartmentForms,
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let model = admin.model
        let id = d.id
        let title = id == .root ? model.organization : d.name
        let crumbs = model.path(to: id).filter { admin.administers($0) }.map { p -> HTML in
            "<a href=\"/admin/departments/\(p.rawValue)\">\(p == .root ? model.organization : model.department(p)?.name ?? "")</a>"
        }
        let counts: HTML = """
            <p class="counts">\(w[.orgDirect]) \(model.members(in: id).count) · \(w[.orgSubtree]) \
            <a href="/admin/members?department=\(id.rawValue)">\(model.subtreeMemberCount(of: id))</a> · \
            <a href="/admin/members/new?department=\(id.rawValue)">\(w[.orgAddMember])</a></p>
            """
        var sections: [HTML] = []
        if id != .root {
            let s = forms.form == "settings" ? forms : DepartmentForms()
            let typed = s.failure != nil
            let name = typed ? s.values["name"] ?? "" : d.name
            let order = typed ? s.values["order"] ?? "" : String(d.order)
            let scope = typed ? s.values["scope"].flatMap(VisibilityScope.init(rawValue:)) ?? d.scope : d.scope
            let hidden = typed ? s.values["hidden"] != nil : d.hidden
            let chosen = typed ? Set((s.values.values["leader"] ?? []).map { $0.lowercased() }) : Set(d.leaders.map(\.key))
            // Leaders are chosen among the department's members (the current ones first); a
            // department of more than 200 members names the others by account.
            var candidates: [(Account, String)] = d.leaders.filter(admin.sees).compactMap { a in model.member(a.key).map { (a, $0.name) } }
            for m in model.members(in: id).prefix(200) where !candidates.contains(where: { $0.0 == m.account }) {
                candidates.append((m.account, m.name))
            }
            let boxes = candidates.map { a, name -> HTML in
                "<label class=\"check leader\" data-account=\"\(a.value)\">\(Self.checkbox("leader", value: a.value, checked: chosen.contains(a.key))) \(name) <small>\(a.value)</small></label>"
            }
            let extra = typed ? s.values["leaders_extra"] ?? "" : ""
            sections.append(
                """
                <h2>\(w[.orgSettings])</h2>
                <form method="post" action="/admin/departments/\(id.rawValue)" class="admin-form" data-form="settings">\
                \(Page.csrfField(context))\(Self.fieldError(s.failure, "form"))\
                <label>\(w[.orgName])<input name="name" value="\(name)" required maxlength="100">\(Self.fieldError(s.failure, "name"))</label>\
                <label>\(w[.orgOrder])<input name="order" inputmode="numeric" value="\(order)">\(Self.fieldError(s.failure, "order"))</label>\
                <label>\(w[.orgScope])<select name="scope">\(Self.scopeOptions(w, selected: scope))</select>\
                \(Self.fieldError(s.failure, "scope"))</label>\
                <label class="check">\(Self.checkbox("hidden", checked: hidden)) \(w[.orgHidden])\(Self.fieldError(s.failure, "hidden"))</label>\
                <fieldset class="leaders"><legend>\(w[.orgLeaders])</legend>\(boxes)\
                <label>\(w[.orgOtherLeaders])<input name="leaders_extra" value="\(extra)"></label>\
                \(Self.fieldError(s.failure, "leaders"))</fieldset>\
                <button type="submit">\(w[.save])</button></form>
                """)
            let m = forms.form == "move" ? forms : DepartmentForms()
            let parent = m.values["parent"].flatMap { Int64($0) }.map { DepartmentID($0) } ?? d.parent
            sections.append(
                """
                <h2>\(w[.orgMove])</h2>
                <form method="post" action="/admin/departments/\(id.rawValue)/move" class="admin-form" data-form="move">\
                \(Page.csrfField(context))\(Self.fieldError(m.failure, "form"))\
                <label>\(w[.orgMoveTo])<select name="parent">\
                \(Self.departmentOptions(admin, w, selected: parent, excluding: Set(model.subtree(of: id))))</select>\
                \(Self.fieldError(m.failure, "department"))</label><button type="submit">\(w[.orgMove])</button></form>
                """)
        }
        let c = forms.form == "child" ? forms : DepartmentForms()
        sections.append(
            """
            <h2>\(w[.orgAddChild])</h2>
            <form method="post" action="/admin/departments/\(id.rawValue)/children" class="admin-form" data-form="child">\
            \(Page.csrfField(context))\(Self.fieldError(c.failure, "form"))\(childFields(context, c))</form>
            """)
        if id != .root {
            let x = forms.form == "delete" ? forms : DepartmentForms()
            sections.append(
                """
                <h2>\(w[.orgDelete])</h2>
                <form method="post" action="/admin/departments/\(id.rawValue)/delete" class="admin-form" data-form="delete">\
                \(Page.csrfField(context))<p>\(w[.orgDeleteHint])</p>\(Self.fieldError(x.failure, "department"))\
                \(Self.fieldError(x.failure, "form"))<button type="submit" class="danger">\(w[.orgDelete])</button></form>
                """)
        }
        let body: HTML = """
            <nav class="crumbs">\(HTML.join(crumbs, separator: " › "))</nav>
            <h1 data-department="\(id.rawValue)">\(title)</h1>\(counts)\(sections)
            """
        return adminPage(request, context, admin, section: .departments, title: title, body: body, notice: notice, status: status)
    }
}

/// The department page's forms after a refused change: which form sent it, the values typed and
/// the domain's message.
struct DepartmentForms {
    /// `settings`, `move`, `child` or `delete` (empty: none failed).
    var form = ""
    var values = Form()
    var failure: AdminFailure? = nil

    func failed(_ f: AdminFailure) -> DepartmentForms {
        var copy = self
        copy.failure = f
        return copy
    }
}
