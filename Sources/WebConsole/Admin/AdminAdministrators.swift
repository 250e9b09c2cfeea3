import Directory
import Foundation
import Hummingbird

// MARK: - /admin/administrators: sub-admins (分管理员) and service accounts, super admin only

extension WebApp {
    /// The list and the create form, one account's page (`/admin/administrators/edit?name=NAME`:
    /// scopes, attributes, bound member, password reset, removal). Every change is the domain's
    /// `putAdministrator`, `setAdministratorPassword` or `removeAdministrator`; passwords are
    /// checked by the directory's password rules and hashed off the event loop. No hash is ever
    /// shown.
    func addAdminAdministratorRoutes(to router: Router<WebContext>) {
        let base = AdminSection.administrators.path
        router.get(RouterPath(base)) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .administrators)
            let notice = request.uri.queryParameters["removed"] != nil ? context.words[.adminRemoved] : nil
            return self.administratorsPage(request, context, admin, notice: notice)
        }
        router.get(RouterPath(base + "/edit")) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .administrators)
            guard let name = request.formQueryValue("name"), let target = admin.model.administrator(name) else { throw WebError.notFound }
            let notice: String? =
                request.uri.queryParameters["saved"] != nil
                ? context.words[.saved] : (request.uri.queryParameters["password"] != nil ? context.words[.passwordChanged] : nil)
            return self.administratorPage(request, context, admin, target, notice: notice)
        }
        router.post(RouterPath(base + "/create")) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .administrators)
            let form = context.form
            let name = (form["name"] ?? "").trimmingWhitespace
            func refuse(_ f: AdminFailure) -> Response { self.administratorsPage(request, context, admin, failure: f, form: form) }
            if admin.model.administrator(name) != nil {
                return refuse(AdminFailure(field: "name", .administratorExists(name)))
            }
            let role: Administrator.Role
            switch Self.postedRole(form, kind: form["role"] ?? "") {
            case .success(let r): role = r
            case .failure(let f): return refuse(f)
            }
            let bound: Account?
            switch Self.postedMember(form) {
            case .success(let b): bound = b
            case .failure(let f): return refuse(f)
            }
            let hash: String
            switch try await self.checkedHash(form["password"] ?? "", for: name, admin) {
            case .success(let h): hash = h
            case .failure(let f): return refuse(f)
            }
            let account = Administrator(name: name, role: role, passwordHash: hash, boundMember: bound)
            switch try await self.runAdmin(.putAdministrator(account), admin) {
            case .success: return Page.redirect(base + "/edit?name=" + Self.queryEncode(name) + "&saved=1")
            case .failure(let f): return refuse(Self.administratorFailure(f))
            }
        }
        router.post(RouterPath(base + "/update")) { request, context -> Response in
            let (admin, target) = try self.postedAdministrator(request, context)
            let form = context.form
            func refuse(_ f: AdminFailure) -> Response { self.administratorPage(request, context, admin, target, failure: f, form: form) }
            let role: Administrator.Role
            switch Self.postedRole(form, kind: target.role.kind) {
            case .success(let r): role = r
            case .failure(let f): return refuse(f)
            }
            let bound: Account?
            switch Self.postedMember(form) {
            case .success(let b): bound = b
            case .failure(let f): return refuse(f)
            }
            var changed = target
            changed.role = role
            changed.boundMember = bound
            switch try await self.runAdmin(.putAdministrator(changed), admin) {
            case .success: return Page.redirect(base + "/edit?name=" + Self.queryEncode(target.name) + "&saved=1")
            case .failure(let f): return refuse(Self.administratorFailure(f))
            }
        }
        router.post(RouterPath(base + "/password")) { request, context -> Response in
            let (admin, target) = try self.postedAdministrator(request, context)
            let form = context.form
            func refuse(_ f: AdminFailure) -> Response { self.administratorPage(request, context, admin, target, failure: f) }
            guard (form["password"] ?? "") == (form["repeat"] ?? "") else {
                return refuse(AdminFailure(field: "password", message: context.words[.passwordsDiffer]))
            }
            let hash: String
            switch try await self.checkedHash(form["password"] ?? "", for: target.name, admin) {
            case .success(let h): hash = h
            case .failure(let f): return refuse(f)
            }
            switch try await self.runAdmin(.setAdministratorPassword(target.name, hash: hash), admin) {
            case .success:
                if target.key == admin.key {
                    // Their own: this session stays signed in (the others end with the old password).
                    let viewer = Viewer.administrator(admin.key)
                    self.sessions.end(viewer: viewer, except: context.session?.id)
                    self.sessions.restamp(context.session?.id, credentialStamp: self.credentialStamp(viewer))
                }
                self.logger.info("web administrator password reset", metadata: ["admin": "\(target.name)", "by": "\(admin.name)"])
                return Page.redirect(base + "/edit?name=" + Self.queryEncode(target.name) + "&password=1")
            case .failure(let f): return refuse(f.placed("password"))
            }
        }
        router.post(RouterPath(base + "/remove")) { request, context -> Response in
            let (admin, target) = try self.postedAdministrator(request, context)
            switch try await self.runAdmin(.removeAdministrator(target.name), admin) {
            case .success: return Page.redirect(base + "?removed=1")
            case .failure(let f):
                return self.administratorPage(
                    request, context, admin, target, failure: f.placed("form"))
            }
        }
    }

    /// The administrator and the account a POST names in its `admin` field (404: none).
    func postedAdministrator(_ request: Request, _ context: WebContext) throws -> (AdminRequest, Administrator) {
        let admin = try requireAdmin(request, context, section: .administrators)
        guard let name = context.form["admin"], let target = admin.model.administrator(name) else { throw WebError.notFound }
        return (admin, target)
    }

    /// The role a form describes: `sub-admin` with its `scope`s, or `service` with its `scope`s
    /// (none: the whole directory) and `attributes` (none: all). The super admin stays one.
    static func postedRole(_ form: Form, kind: String) -> Result<Administrator.Role, AdminFailure> {
        var scopes: [DepartmentID] = []
        for raw in form.values["scope"] ?? [] where !raw.isEmpty {
            guard let n = Int64(raw) else { return .failure(AdminFailure(field: "scope", .notADepartment(raw))) }
            if !scopes.contains(DepartmentID(n)) { scopes.append(DepartmentID(n)) }
        }
        switch kind {
        case "super-admin": return .success(.superAdmin)
        case "sub-admin": return .success(.subAdmin(scopes: scopes))
        case "service":
            let attributes = accountList(form["attributes"])
            return .success(.service(scopes: scopes, attributes: attributes.isEmpty ? nil : attributes))
        default: return .failure(AdminFailure(field: "role", .chooseRole))
        }
    }

    /// The optional member whose record every login is kept against.
    static func postedMember(_ form: Form) -> Result<Account?, AdminFailure> {
        let raw = (form["member"] ?? "").trimmingWhitespace
        guard !raw.isEmpty else { return .success(nil) }
        do {
            return .success(try Account(parsing: raw))
        } catch {
            return .failure(AdminFailure(field: "member", message: error.message))
        }
    }

    /// A new password checked by the directory's rules, hashed off the event loop.
    func checkedHash(_ password: String, for name: String, _ admin: AdminRequest) async throws -> Result<String, AdminFailure> {
        do {
            try PasswordRules.check(password, policy: admin.model.passwordPolicy, owner: PasswordOwner(account: name))
        } catch {
            return .failure(AdminFailure(field: "password", message: error.message))
        }
        let hasher = authenticator.hasher
        return .success(try await offLoop { hasher.hash(password) })
    }

    /// An administrator command's failure next to the field its message is about.
    static func administratorFailure(_ f: AdminFailure) -> AdminFailure {
        guard f.field == "form" else { return f }
        let m = f.message
        let field =
            m.contains("scope") || m.contains("department") ? "scope" : m.contains("member") ? "member" : m.contains("name") ? "name" : "form"
        return AdminFailure(field: field, message: m, status: f.status)
    }

    static func roleLabel(_ role: Administrator.Role, _ w: Words) -> String {
        switch role {
        case .superAdmin: w[.roleSuperAdmin]
        case .subAdmin: w[.roleSubAdmin]
        case .service: w[.roleService]
        }
    }

    static func scopes(of role: Administrator.Role) -> [DepartmentID] {
        switch role {
        case .superAdmin: []
        case .subAdmin(let s): s
        case .service(let s, _): s
        }
    }

    func administratorsPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, failure: AdminFailure? = nil, form: Form = Form(),
        notice: String? = nil
    ) -> Response {
        let w = context.words
        let base = AdminSection.administrators.path
        let model = admin.model
        let all = Self.administeredDepartments(admin).filter { $0.id != .root }
        let rows = model.administrators.values.sorted { ($0.role.kind, $0.key) < ($1.role.kind, $1.key) }.map { a -> HTML in
            let scopes = Self.scopes(of: a.role).map { model.pathString(of: $0) }.joined(separator: "; ")
            var attributes = ""
            if case .service(_, let list?) = a.role { attributes = list.joined(separator: ", ") }
            return """
                <tr data-admin="\(a.name)"><td><a href="\(base)/edit?name=\(Self.queryEncode(a.name))">\(a.name)</a></td>\
                <td>\(Self.roleLabel(a.role, w))</td><td>\(scopes)</td><td>\(attributes)</td><td>\(a.boundMember?.value ?? "")</td></tr>
                """
        }
        let kind = form["role"] ?? "sub-admin"
        let roleOptions: [HTML] = [("sub-admin", w[.roleSubAdmin]), ("service", w[.roleService])].map { k, label in
            k == kind ? "<option value=\"\(k)\" selected>\(label)</option>" : "<option value=\"\(k)\">\(label)</option>"
        }
        let chosen = Set((form.values["scope"] ?? []).compactMap { Int64($0).map { DepartmentID($0) } })
        let body: HTML = """
            <h1>\(w[.adminAdministrators])</h1>
            <table class="administrators"><thead><tr><th>\(w[.adminName])</th><th>\(w[.adminRole])</th><th>\(w[.adminScopes])</th>\
            <th>\(w[.adminAttributes])</th><th>\(w[.adminMember])</th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>\(w[.adminCreate])</h2>\(Self.fieldError(failure, "form"))
            <form method="post" action="\(base)/create" class="admin-create">\(Page.csrfField(context))\
            <label class="field">\(w[.adminName])<input name="name" value="\(form["name"] ?? "")" required>\(Self.fieldError(failure, "name"))</label>
            <label class="field">\(w[.password])<input name="password" type="password" autocomplete="new-password" required>\
            \(Self.fieldError(failure, "password"))</label>
            <label class="field">\(w[.adminRole])<select name="role">\(roleOptions)</select>\(Self.fieldError(failure, "role"))</label>
            <label class="field">\(w[.adminScopes])<select name="scope" multiple size="8">\(Self.departmentOptions(all, selected: chosen))</select>\
            <small>\(w[.adminScopesHint])</small>\(Self.fieldError(failure, "scope"))</label>
            <label class="field">\(w[.adminAttributes])<input name="attributes" value="\(form["attributes"] ?? "")" placeholder="uid cn mail">\
            <small>\(w[.adminAttributesHint])</small></label>
            <label class="field">\(w[.adminMember])<input name="member" value="\(form["member"] ?? "")">\(Self.fieldError(failure, "member"))</label>
            <button type="submit">\(w[.adminCreate])</button></form>
            """
        return adminPage(
            request, context, admin, section: .administrators, title: w[.adminAdministrators], body: body, notice: notice,
            status: failure?.status ?? .ok)
    }

    func administratorPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, _ target: Administrator, failure: AdminFailure? = nil,
        form: Form? = nil, notice: String? = nil
    ) -> Response {
        let w = context.words
        let base = AdminSection.administrators.path
        let csrf = Page.csrfField(context)
        let hidden: HTML = "<input type=\"hidden\" name=\"admin\" value=\"\(target.name)\">"
        let all = Self.administeredDepartments(admin).filter { $0.id != .root }
        let chosen = form.map { f in Set((f.values["scope"] ?? []).compactMap { Int64($0).map { DepartmentID($0) } }) }
            ?? Set(Self.scopes(of: target.role))
        var attributes = ""
        if case .service(_, let list?) = target.role { attributes = list.joined(separator: " ") }
        let settings: HTML?
        switch target.role {
        case .superAdmin: settings = nil
        case .subAdmin, .service:
            let attributeField: HTML? =
                target.role.kind == "service"
                ? """
                <label class="field">\(w[.adminAttributes])<input name="attributes" value="\(form?["attributes"] ?? attributes)">\
                <small>\(w[.adminAttributesHint])</small></label>
                """ : nil
            settings = """
                <form method="post" action="\(base)/update" class="admin-update">\(csrf)\(hidden)\
                <label class="field">\(w[.adminScopes])<select name="scope" multiple size="8">\(Self.departmentOptions(all, selected: chosen))</select>\
                <small>\(w[.adminScopesHint])</small>\(Self.fieldError(failure, "scope"))</label>\(attributeField)
                <label class="field">\(w[.adminMember])<input name="member" value="\(form?["member"] ?? target.boundMember?.value ?? "")">\
                \(Self.fieldError(failure, "member"))</label>
                <button type="submit">\(w[.save])</button></form>
                <form method="post" action="\(base)/remove" class="admin-remove">\(csrf)\(hidden)\
                <button type="submit" class="danger">\(w[.adminRemove])</button></form>
                """
        }
        let body: HTML = """
            <h1 data-admin="\(target.name)">\(target.name) · \(Self.roleLabel(target.role, w))</h1>\
            <p><a href="\(base)">\(w[.back])</a></p>\(Self.fieldError(failure, "form"))\(settings)
            <h2>\(w[.adminResetPassword])</h2>
            <form method="post" action="\(base)/password" class="admin-password">\(csrf)\(hidden)\
            <label class="field">\(w[.newPassword])<input name="password" type="password" autocomplete="new-password" required></label>
            <label class="field">\(w[.repeatPassword])<input name="repeat" type="password" autocomplete="new-password" required></label>
            \(Self.fieldError(failure, "password"))<button type="submit">\(w[.adminResetPassword])</button></form>
            """
        return adminPage(
            request, context, admin, section: .administrators, title: target.name, body: body, notice: notice,
            status: failure?.status ?? .ok)
    }
}
