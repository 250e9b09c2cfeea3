import Directory
import Foundation
import Hummingbird

// MARK: - /admin/members: the list (by department, paginated), batch move, add;
// /admin/member/ACCOUNT: edit, departments, password, departure, reinstatement, erasure

extension WebApp {
    /// The fields an administrator edits on a member's page (the account is immutable; the
    /// departments and the password have their own forms).
    static let adminMemberFields: [MemberField] = [
        .name, .nickname, .gender, .title, .mobile, .email, .wechat, .phone, .phone2, .qq, .address, .birthday,
        .lunarBirthday, .birthdayReminder, .hireDate, .followStatus, .remarks, .pinned, .hidden,
    ]

    /// Members shown on one page of the list.
    static let memberPageSize = 50

    func addAdminMemberRoutes(to router: Router<WebContext>) {
        router.get("/admin/members") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            let notice = Self.doneNotice(request, context.words, ["erased": .orgErased])
            return try self.memberListPage(request, context, admin, notice: notice)
        }
        // Batch move: each selected member's `setDepartments` runs in turn; the summary names the
        // moved and the refused (with the domain's reason).
        router.post("/admin/members/move") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            let w = context.words
            let selected = (context.form.values["account"] ?? []).filter { !$0.isEmpty }
            guard let target = admin.department(context.form["target"]) else {
                let f = AdminFailure(field: "target", .chooseTargetDepartment)
                return try self.memberListPage(request, context, admin, failure: f, status: f.status)
            }
            guard !selected.isEmpty else {
                let f = AdminFailure(field: "account", message: w[.orgNoneSelected])
                return try self.memberListPage(request, context, admin, failure: f, status: f.status)
            }
            var moved: [HTML] = []
            var refused: [HTML] = []
            var done = Set<String>()
            for raw in selected where done.insert(raw.lowercased()).inserted {
                guard let m = admin.member(raw) else {
                    let shown = String(raw.prefix(64))
                    refused.append("<li class=\"refused\" data-account=\"\(shown)\">\(shown): \(w[.orgNoSuchMember])</li>")
                    continue
                }
                switch try await self.runAdmin(.setDepartments(m.account, [target.id]), admin) {
                case .success: moved.append("<li class=\"moved\" data-account=\"\(m.account.value)\">\(m.name) (\(m.account.value))</li>")
                case .failure(let f):
                    refused.append("<li class=\"refused\" data-account=\"\(m.account.value)\">\(m.name) (\(m.account.value)): \(f.text)</li>")
                }
            }
            let summary: HTML = """
                <section class="batch-summary" role="status"><h2>\(w[.orgBatchMove]) → \(admin.label(target.id, w))</h2>\
                <h3>\(w[.orgBatchMoved]) (\(moved.count))</h3><ul class="moved">\(moved)</ul>\
                <h3>\(w[.orgBatchRefused]) (\(refused.count))</h3><ul class="refused">\(refused)</ul></section>
                """
            // The list as it is now, after the moves.
            let now = try self.requireAdmin(request, context, section: .members)
            return try self.memberListPage(request, context, now, summary: summary)
        }
        router.get("/admin/members/new") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            let preset = admin.department(request.formQueryValue("department"))?.id ?? admin.roots.first
            var values = Form()
            if let preset { values = (try? Form(parsing: "department=\(preset.rawValue)")) ?? Form() }
            return self.newMemberPage(request, context, admin, forms: MemberForms(form: "new", values: values))
        }
        router.post("/admin/members/new") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            let form = context.form
            let forms = MemberForms(form: "new", values: form)
            func refuse(_ f: AdminFailure) -> Response { self.newMemberPage(request, context, admin, forms: forms.failed(f), status: f.status) }
            let account = (form["account"] ?? "").trimmingWhitespace
            var fields: [MemberField: String] = [:]
            for f in Self.adminMemberFields {
                if f == .pinned || f == .hidden {
                    if form[f.rawValue] != nil { fields[f] = "TRUE" }
                } else if let v = form[f.rawValue]?.trimmingWhitespace, !v.isEmpty {
                    fields[f] = v
                }
            }
            let departments: [DepartmentID]
            switch Self.chosenDepartments(form, admin) {
            case .success(let ids): departments = ids
            case .failure(let f): return refuse(f)
            }
            var hash: String? = nil
            if let plain = form["password"], !plain.isEmpty {
                let owner = PasswordOwner(
                    account: account, pinyin: PinyinName(fields[.name] ?? "").compact, mobile: fields[.mobile], name: fields[.name])
                switch try await self.hashPassword(plain, owner: owner, admin.model) {
                case .success(let h): hash = h
                case .failure(let f): return refuse(f)
                }
            }
            let command = DirectoryCommand.createMember(account: account, fields: fields, departments: departments, passwordHash: hash)
            switch try await self.runAdmin(command, admin) {
            case .success:
                let key = AdminPath.segment(account)
                return Page.redirect("/admin/member/\(key)?done=created")
            case .failure(let f): return refuse(f)
            }
        }
        router.get("/admin/member/:account") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            let notice = Self.doneNotice(
                request, context.words,
                ["saved": .saved, "created": .orgCreated, "password": .orgPasswordReset, "departed": .orgDepartedNotice,
                 "reinstated": .orgReinstatedNotice, "moved": .orgMoved])
            return self.memberPage(request, context, admin, m, forms: MemberForms(), notice: notice)
        }
        router.post("/admin/member/:account") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            let changes = Self.memberChanges(m, context.form)
            let back = "/admin/member/\(AdminPath.segment(m.account.value))"
            guard !changes.isEmpty else { return Page.redirect(back + "?done=saved") }
            switch try await self.runAdmin(.updateMember(m.account, fields: changes), admin) {
            case .success: return Page.redirect(back + "?done=saved")
            case .failure(let f):
                let forms = MemberForms(form: "fields", values: context.form).failed(f)
                return self.memberPage(request, context, admin, m, forms: forms, status: f.status)
            }
        }
        router.post("/admin/member/:account/departments") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            let forms = MemberForms(form: "departments", values: context.form)
            let result: Result<Void, AdminFailure>
            switch Self.chosenDepartments(context.form, admin) {
            case .success(let ids) where ids.isEmpty:
                // Found by review: an empty form moved the member to the organisation's root.
                result = .failure(AdminFailure(field: "department", .chooseOneDepartment))
            case .success(let ids): result = try await self.runAdmin(.setDepartments(m.account, ids), admin)
            case .failure(let f): result = .failure(f)
            }
            switch result {
            case .success: return Page.redirect("/admin/member/\(AdminPath.segment(m.account.value))?done=moved")
            case .failure(let f): return self.memberPage(request, context, admin, m, forms: forms.failed(f), status: f.status)
            }
        }
        router.post("/admin/member/:account/password") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            let forms = MemberForms(form: "password", values: Form())
            let plain = context.form["password"] ?? ""
            guard plain == (context.form["repeat"] ?? "") else {
                let f = AdminFailure(field: "password", message: context.words[.passwordsDiffer])
                return self.memberPage(request, context, admin, m, forms: forms.failed(f), status: f.status)
            }
            let result: Result<Void, AdminFailure>
            switch try await self.hashPassword(plain, owner: admin.model.passwordOwner(m), admin.model) {
            case .success(let hash): result = try await self.runAdmin(.setPassword(m.account, hash: hash), admin)
            case .failure(let f): result = .failure(f)
            }
            switch result {
            case .success:
                self.logger.info("web password reset", metadata: ["account": "\(m.account.value)", "by": "\(admin.name)"])
                return Page.redirect("/admin/member/\(AdminPath.segment(m.account.value))?done=password")
            case .failure(let f): return self.memberPage(request, context, admin, m, forms: forms.failed(f), status: f.status)
            }
        }
        router.post("/admin/member/:account/depart") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            switch try await self.runAdmin(.depart(m.account), admin) {
            case .success: return Page.redirect("/admin/member/\(AdminPath.segment(m.account.value))?done=departed")
            case .failure(let f):
                let forms = MemberForms(form: "status", values: context.form).failed(f)
                return self.memberPage(request, context, admin, m, forms: forms, status: f.status)
            }
        }
        router.post("/admin/member/:account/reinstate") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            let forms = MemberForms(form: "status", values: context.form)
            var into: [DepartmentID]? = nil
            if let raw = context.form["department"], !raw.isEmpty {
                guard let d = admin.department(raw) else {
                    let f = AdminFailure(field: "department", .noSuchDepartment(String(raw.prefix(20))))
                    return self.memberPage(request, context, admin, m, forms: forms.failed(f), status: f.status)
                }
                into = [d.id]
            }
            switch try await self.runAdmin(.reinstate(m.account, into: into), admin) {
            case .success: return Page.redirect("/admin/member/\(AdminPath.segment(m.account.value))?done=reinstated")
            case .failure(let f): return self.memberPage(request, context, admin, m, forms: forms.failed(f), status: f.status)
            }
        }
        // Erasure asks first: the administrator types the account to confirm.
        router.get("/admin/member/:account/erase") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            return self.erasePage(request, context, admin, m, failure: nil)
        }
        router.post("/admin/member/:account/erase") { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .members)
            guard let m = admin.member(Self.accountSegment(context)) else { throw WebError.notFound }
            guard (context.form["confirm"] ?? "").trimmingWhitespace.lowercased() == m.account.key else {
                let f = AdminFailure(field: "confirm", message: context.words[.orgAccountMismatch])
                return self.erasePage(request, context, admin, m, failure: f, status: f.status)
            }
            switch try await self.runAdmin(.erase(m.account), admin) {
            case .success: return Page.redirect("/admin/members?status=departed&done=erased")
            case .failure(let f): return self.erasePage(request, context, admin, m, failure: f, status: f.status)
            }
        }
    }

    // MARK: - From forms to commands

    /// The changes the fields form asks for: only what differs from the member now (an emptied
    /// field is cleared; an unchecked box is FALSE).
    static func memberChanges(_ m: Member, _ form: Form) -> [MemberField: String?] {
        var changes: [MemberField: String?] = [:]
        for f in adminMemberFields {
            let wanted: String
            if f == .pinned || f == .hidden {
                wanted = form[f.rawValue] != nil ? "TRUE" : "FALSE"
            } else {
                guard let raw = form[f.rawValue] else { continue }
                wanted = raw.trimmingWhitespace
            }
            // A field left as the form was opened with is not written: someone else may have
            // changed it since.
            if let opened = form["was_" + f.rawValue], opened.trimmingWhitespace == wanted { continue }
            if wanted != (m.value(of: f) ?? "") { changes[f] = .some(wanted.isEmpty ? nil : wanted) }
        }
        return changes
    }

    /// A field's value as the edit form shows it (`TRUE`/`FALSE` for the two flags).
    static func formValue(of f: MemberField, _ m: Member) -> String {
        if f == .pinned || f == .hidden { return (m.value(of: f) ?? "").uppercased() == "TRUE" ? "TRUE" : "FALSE" }
        return m.value(of: f) ?? ""
    }

    /// The departments the `department` selects name, in order (the first is the primary), each
    /// once; blanks left out. One the administrator does not administer is refused as unknown.
    static func chosenDepartments(_ form: Form, _ admin: AdminRequest) -> Result<[DepartmentID], AdminFailure> {
        var out: [DepartmentID] = []
        for raw in form.values["department"] ?? [] where !raw.trimmingWhitespace.isEmpty {
            guard let d = admin.department(raw) else {
                return .failure(AdminFailure(field: "department", .noSuchDepartment(String(raw.prefix(20)))))
            }
            if !out.contains(d.id) { out.append(d.id) }
        }
        return .success(out)
    }

    /// Checks a new password against the directory's rules and hashes it off the event loop with
    /// the console's hasher (the LDAP server's).
    func hashPassword(_ plain: String, owner: PasswordOwner, _ model: DirectoryModel) async throws -> Result<String, AdminFailure> {
        do {
            try PasswordRules.check(plain, policy: model.passwordPolicy, owner: owner)
        } catch {
            return .failure(AdminFailure(error))
        }
        let hasher = authenticator.hasher
        return .success(try await offLoop { hasher.hash(plain) })
    }

    // MARK: - Pages

    /// The members of a department's subtree (or of every administered department), active or
    /// departed, one page of ``memberPageSize`` at a time, with checkboxes for a batch move.
    func memberListPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, failure: AdminFailure? = nil, summary: HTML? = nil,
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let w = context.words
        let model = admin.model
        let rawDepartment = request.formQueryValue("department").flatMap { $0.isEmpty ? nil : $0 }
        let department = admin.department(rawDepartment)
        if rawDepartment != nil && department == nil { throw WebError.notFound }
        let departed = request.formQueryValue("status") == "departed"
        let within = department.map { Set(model.subtree(of: $0.id)) }
        var list: [Member] = []
        if departed {
            for m in model.departedMembers where admin.administers(m) {
                guard case .departed(_, _, let previous) = m.status else { continue }
                if let within, !previous.contains(where: within.contains) { continue }
                list.append(m)
            }
        } else {
            var seen = Set<String>()
            for d in department.map({ model.subtree(of: $0.id) }) ?? admin.administeredDepartments {
                for m in model.members(in: d) where seen.insert(m.account.key).inserted && admin.administers(m) { list.append(m) }
            }
        }
        let pages = max(1, (list.count + Self.memberPageSize - 1) / Self.memberPageSize)
        let page = min(max(1, request.formQueryValue("page").flatMap { Int($0) } ?? 1), pages)
        let shown = list.dropFirst((page - 1) * Self.memberPageSize).prefix(Self.memberPageSize)
        let rows = shown.map { m -> HTML in
            let departments = (departed ? Self.previousDepartments(m) : m.departments).map { admin.label($0, w) }.joined(separator: "；")
            return """
                <tr class="member" data-account="\(m.account.value)"><td>\(Self.checkbox("account", value: m.account.value, checked: false))</td>\
                <td><a href="/admin/member/\(AdminPath.segment(m.account.value))">\(m.name)</a></td><td>\(m.account.value)</td>\
                <td>\(departments)</td><td>\(m.title ?? "")</td><td>\(m.mobile ?? "")</td></tr>
                """
        }
        func link(_ p: Int) -> String {
            var q = ["page=\(p)"]
            if let department { q.append("department=\(department.id.rawValue)") }
            if departed { q.append("status=departed") }
            return "/admin/members?" + q.joined(separator: "&")
        }
        var pager: HTML = "<nav class=\"pager\">"
        if page > 1 { pager += "<a href=\"\(link(page - 1))\" rel=\"prev\">\(w[.orgPrevious])</a>" }
        pager += " <span>\(page) / \(pages) \(w[.orgPageOf]) · \(list.count) \(w[.people])</span> "
        if page < pages { pager += "<a href=\"\(link(page + 1))\" rel=\"next\">\(w[.orgNext])</a>" }
        pager += "</nav>"
        let statusOptions: HTML =
            departed
            ? "<option value=\"active\">\(w[.orgActive])</option><option value=\"departed\" selected>\(w[.orgDeparted])</option>"
            : "<option value=\"active\" selected>\(w[.orgActive])</option><option value=\"departed\">\(w[.orgDeparted])</option>"
        let addLink = "/admin/members/new" + (department.map { "?department=\($0.id.rawValue)" } ?? "")
        let batch: HTML? =
            departed
            ? nil
            : """
            <div class="batch"><label>\(w[.orgBatchTarget])<select name="target">\
            \(Self.departmentOptions(admin, w, selected: nil, blank: "—"))</select>\(Self.fieldError(failure, "target"))</label>\
            <button type="submit">\(w[.orgBatchMove])</button>\(Self.fieldError(failure, "account"))</div>
            """
        let body: HTML = """
            <h1>\(w[.orgMemberList])</h1>\(summary)
            <form method="get" action="/admin/members" class="filter">\
            <label>\(w[.departments])<select name="department">\
            \(Self.departmentOptions(admin, w, selected: department?.id, blank: w[.orgAll]))</select></label>\
            <label>\(w[.orgStatus])<select name="status">\(statusOptions)</select></label>\
            <button type="submit">\(w[.orgFilter])</button> <a class="button" href="\(addLink)">\(w[.orgAddMember])</a></form>
            <form method="post" action="/admin/members/move" class="admin-form batch-move">\(Page.csrfField(context))\
            <table class="members"><thead><tr><th></th><th>\(w.field(.name))</th><th>\(w.field(.account))</th>\
            <th>\(w[.orgMemberDepartments])</th><th>\(w.field(.title))</th><th>\(w.field(.mobile))</th></tr></thead>\
            <tbody>\(rows)</tbody></table>\(pager)\(batch)</form>
            """
        return adminPage(request, context, admin, section: .members, title: w[.orgMemberList], body: body, notice: notice, status: status)
    }

    static func previousDepartments(_ m: Member) -> [DepartmentID] {
        if case .departed(_, _, let previous) = m.status { return previous }
        return m.departments
    }

    /// One field's input on the member forms, its value, and the domain's message next to it.
    static func memberInput(_ f: MemberField, _ value: String, _ w: Words, _ failure: AdminFailure?) -> HTML {
        let name = f.rawValue
        let label = w.field(f)
        let error = fieldError(failure, name)
        func select(_ choices: [(String, String)]) -> HTML {
            let options = choices.map { v, text -> HTML in
                v == value ? "<option value=\"\(v)\" selected>\(text)</option>" : "<option value=\"\(v)\">\(text)</option>"
            }
            return "<label data-field=\"\(name)\">\(label)<select name=\"\(name)\">\(options)</select>\(error)</label>"
        }
        switch f {
        case .gender: return select([("", "—"), ("男", "男"), ("女", "女"), ("未知", "未知")])
        case .birthdayReminder: return select([("", "—"), ("solar", w[.solar]), ("lunar", w[.lunar])])
        case .followStatus: return select(Member.FollowStatus.allCases.map { ($0.rawValue, $0.rawValue) })
        case .pinned, .hidden:
            return "<label class=\"check\" data-field=\"\(name)\">\(checkbox(name, value: "TRUE", checked: value == "TRUE")) \(label)\(error)</label>"
        case .address, .remarks:
            return "<label data-field=\"\(name)\">\(label)<textarea name=\"\(name)\" rows=\"2\">\(value)</textarea>\(error)</label>"
        default:
            let type =
                switch f {
                case .email: "email"
                case .mobile, .phone, .phone2: "tel"
                case .birthday, .hireDate: "date"
                default: "text"
                }
            let required: HTML = f == .name ? " required" : ""
            return "<label data-field=\"\(name)\">\(label)<input name=\"\(name)\" type=\"\(type)\" value=\"\(value)\"\(required)>\(error)</label>"
        }
    }

    /// The `department` selects: one per chosen department (the first is the primary) and a
    /// blank one to add another.
    static func departmentSelects(_ admin: AdminRequest, _ w: Words, _ chosen: [DepartmentID], _ failure: AdminFailure?) -> HTML {
        let selects = (chosen.map(Optional.some) + [nil]).map { id -> HTML in
            "<select name=\"department\">\(departmentOptions(admin, w, selected: id, blank: "—"))</select>"
        }
        return """
            <fieldset class="departments" data-field="department"><legend>\(w[.orgMemberDepartments])</legend>\
            \(selects)<small>\(w[.orgPrimaryFirst])</small>\(fieldError(failure, "department"))</fieldset>
            """
    }

    func newMemberPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, forms: MemberForms, status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let v = forms.values
        let inputs = Self.adminMemberFields.map { f -> HTML in
            let value = f == .pinned || f == .hidden ? (v[f.rawValue] != nil ? "TRUE" : "FALSE") : (v[f.rawValue] ?? "")
            return Self.memberInput(f, f == .followStatus && value.isEmpty ? Member.FollowStatus.notFollowing.rawValue : value, w, forms.failure)
        }
        let chosen = (v.values["department"] ?? []).compactMap { admin.department($0)?.id }
        let body: HTML = """
            <h1>\(w[.orgAddMember])</h1>
            <form method="post" action="/admin/members/new" class="admin-form" data-form="new">\(Page.csrfField(context))\
            \(Self.fieldError(forms.failure, "form"))\
            <label data-field="account">\(w.field(.account))<input name="account" value="\(v["account"] ?? "")" required \
            autocapitalize="none" maxlength="64">\(Self.fieldError(forms.failure, "account"))</label>\
            \(inputs)\(Self.departmentSelects(admin, w, chosen, forms.failure))\
            <label data-field="password">\(w[.orgInitialPassword])<input name="password" type="password" autocomplete="new-password">\
            \(Self.fieldError(forms.failure, "password"))</label>\
            <button type="submit">\(w[.orgAddMember])</button></form>
            """
        return adminPage(request, context, admin, section: .members, title: w[.orgAddMember], body: body, status: status)
    }

    /// A member's page: the fields, the departments, the password, departure or reinstatement and
    /// erasure. After a refused change, the form that sent it keeps the values typed and shows the
    /// domain's message next to the field it names.
    func memberPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, _ m: Member, forms: MemberForms,
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let model = admin.model
        let path = "/admin/member/\(AdminPath.segment(m.account.value))"
        let fieldsFailure = forms.form == "fields" ? forms.failure : nil
        // The values the form was opened with, so that a save changes only what was edited in it
        // (found by review: two administrators editing one member, the second save put back the
        // first one's change). A form shown again after a refusal keeps the values it was opened
        // with.
        let was = HTML.join(Self.adminMemberFields.map { f -> HTML in
            let opened = fieldsFailure != nil ? (forms.values["was_" + f.rawValue] ?? "") : Self.formValue(of: f, m)
            return "<input type=\"hidden\" name=\"was_\(f.rawValue)\" value=\"\(opened)\">"
        })
        let inputs = Self.adminMemberFields.map { f -> HTML in
            let value: String
            if fieldsFailure != nil {
                value = f == .pinned || f == .hidden ? (forms.values[f.rawValue] != nil ? "TRUE" : "FALSE") : (forms.values[f.rawValue] ?? "")
            } else {
                value = m.value(of: f) ?? ""
            }
            return Self.memberInput(f, value, w, fieldsFailure)
        }
        let statusLine: HTML
        let statusForm: HTML
        let statusFailure = forms.form == "status" ? forms.failure : nil
        switch m.status {
        case .active:
            statusLine = "<span class=\"status active\">\(w[.orgActive])</span>"
            statusForm = """
                <form method="post" action="\(path)/depart" class="admin-form" data-form="depart">\(Page.csrfField(context))\
                \(Self.fieldError(statusFailure, "account"))\(Self.fieldError(statusFailure, "form"))\
                <button type="submit" class="danger">\(w[.orgDepart])</button></form>
                """
        case .departed(let at, let by, let previous):
            let when = ISO8601DateFormatter().string(from: at)
            statusLine = "<span class=\"status departed\">\(w[.orgDeparted]) \(when) · \(by)</span>"
            let previousNames = previous.filter { model.department($0) != nil }.map { admin.label($0, w) }.joined(separator: "；")
            let chosen = forms.form == "status" ? admin.department(forms.values["department"])?.id : nil
            statusForm = """
                <form method="post" action="\(path)/reinstate" class="admin-form" data-form="reinstate">\(Page.csrfField(context))\
                \(Self.fieldError(statusFailure, "form"))\
                <label>\(w[.orgReinstate])<select name="department">\
                \(Self.departmentOptions(admin, w, selected: chosen, blank: "\(w[.orgReinstatePrevious]): \(previousNames)"))</select>\
                \(Self.fieldError(statusFailure, "department"))\(Self.fieldError(statusFailure, "account"))</label>\
                <button type="submit">\(w[.orgReinstate])</button></form>
                <p><a class="button danger" href="\(path)/erase">\(w[.orgErase])</a></p>
                """
        }
        var departmentsForm: HTML = .empty
        if m.isActive {
            let failure = forms.form == "departments" ? forms.failure : nil
            let chosen = failure != nil ? (forms.values.values["department"] ?? []).compactMap { admin.department($0)?.id } : m.departments
            departmentsForm = """
                <h2>\(w[.orgMemberDepartments])</h2>
                <form method="post" action="\(path)/departments" class="admin-form" data-form="departments">\(Page.csrfField(context))\
                \(Self.fieldError(failure, "form"))\(Self.departmentSelects(admin, w, chosen, failure))\
                <button type="submit">\(w[.save])</button></form>
                """
        }
        let passwordFailure = forms.form == "password" ? forms.failure : nil
        let body: HTML = """
            <section class="member-admin" data-account="\(m.account.value)">
            <h1>\(m.name)</h1><p class="account">\(m.account.value) · \(statusLine)</p>
            <h2>\(w[.orgMemberFields])</h2>
            <form method="post" action="\(path)" class="admin-form" data-form="fields">\(Page.csrfField(context))\
            \(Self.fieldError(fieldsFailure, "form"))\(Self.fieldError(fieldsFailure, "account"))\(inputs)\(was)\
            <button type="submit">\(w[.save])</button></form>
            \(departmentsForm)
            <h2>\(w[.orgResetPassword])</h2>
            <form method="post" action="\(path)/password" class="admin-form" data-form="password">\(Page.csrfField(context))\
            <input type="text" name="username" value="\(m.account.value)" autocomplete="username" hidden>\
            <label>\(w[.newPassword])<input name="password" type="password" autocomplete="new-password" required></label>\
            <label>\(w[.repeatPassword])<input name="repeat" type="password" autocomplete="new-password" required></label>\
            \(Self.fieldError(passwordFailure, "password"))\(Self.fieldError(passwordFailure, "form"))\
            <button type="submit">\(w[.orgResetPassword])</button></form>
            <h2>\(w[.orgStatus])</h2>\(statusForm)</section>
            """
        return adminPage(request, context, admin, section: .members, title: m.name, body: body, notice: notice, status: status)
    }

    /// Erasure's confirmation: the account must be typed again.
    func erasePage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, _ m: Member, failure: AdminFailure?,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let path = "/admin/member/\(AdminPath.segment(m.account.value))"
        let body: HTML = """
            <section class="erase" data-account="\(m.account.value)"><h1>\(w[.orgErase]): \(m.name) (\(m.account.value))</h1>
            <p class="warning">\(w[.orgEraseWarning])</p>
            <form method="post" action="\(path)/erase" class="admin-form" data-form="erase">\(Page.csrfField(context))\
            \(Self.fieldError(failure, "form"))\(Self.fieldError(failure, "account"))\
            <label>\(w[.orgEraseTypeAccount])<input name="confirm" autocomplete="off" autocapitalize="none" required>\
            \(Self.fieldError(failure, "confirm"))</label>\
            <button type="submit" class="danger">\(w[.orgErase])</button> <a href="\(path)">\(w[.back])</a></form></section>
            """
        return adminPage(request, context, admin, section: .members, title: w[.orgErase], body: body, status: status)
    }
}

/// The member page's forms after a refused change: which form sent it, the values typed and the
/// domain's message.
struct MemberForms {
    /// `new`, `fields`, `departments`, `password` or `status` (empty: none failed).
    var form = ""
    var values = Form()
    var failure: AdminFailure? = nil

    func failed(_ f: AdminFailure) -> MemberForms {
        var copy = self
        copy.failure = f
        return copy
    }
}

/// Path segments for links.
enum AdminPath {
    /// An account as a path segment (accounts hold only letters, digits and `_ - . @`; `@` is
    /// escaped all the same).
    static func segment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
