import Directory
import Foundation
import Hummingbird

// MARK: - /admin/groups: public groups (公共群组)

extension WebApp {
    /// The list and the create form (`GET /admin/groups`), one group's page
    /// (`GET /admin/groups/edit?name=NAME`), and the changes, each a domain command: create,
    /// update (name, description), add and remove members, delete. A sub-admin may do what the
    /// domain lets it (add or remove members in its subtrees); the rest is refused with the
    /// domain's message.
    func addAdminGroupRoutes(to router: Router<WebContext>) {
        let base = AdminSection.groups.path
        router.get(RouterPath(base)) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .groups)
            return self.groupsPage(request, context, admin)
        }
        router.get(RouterPath(base + "/edit")) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .groups)
            guard let name = request.formQueryValue("name"), let group = admin.model.group(name) else { throw WebError.notFound }
            let notice = request.uri.queryParameters["saved"] != nil ? context.words[.saved] : nil
            return self.groupPage(request, context, admin, group, notice: notice)
        }
        router.post(RouterPath(base + "/create")) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .groups)
            let form = context.form
            let name = form["name"] ?? ""
            let description = (form["description"] ?? "").trimmingWhitespace
            let members: [Account]
            switch Self.parseAccounts(Self.accountList(form["members"]), field: "members") {
            case .success(let a): members = a
            case .failure(let f): return self.groupsPage(request, context, admin, failure: f, form: form)
            }
            if let unseen = members.first(where: { !admin.sees($0) }) {
                let f = AdminFailure(field: "members", .noSuchAccount(String(unseen.value.prefix(64))))
                return self.groupsPage(request, context, admin, failure: f, form: form)
            }
            let command = DirectoryCommand.createGroup(name: name, description: description.isEmpty ? nil : description, members: members)
            switch try await self.runAdmin(command, admin) {
            case .success:
                let created = self.directory.live.snapshot().group(name.trimmingWhitespace)?.name ?? name
                return Page.redirect(base + "/edit?name=" + Self.queryEncode(created) + "&saved=1")
            case .failure(let f):
                return self.groupsPage(request, context, admin, failure: Self.groupFailure(f), form: form)
            }
        }
        router.post(RouterPath(base + "/update")) { request, context -> Response in
            let (admin, group) = try self.postedGroup(request, context)
            let form = context.form
            let newName = (form["newName"] ?? group.name).trimmingWhitespace
            let description = (form["description"] ?? "").trimmingWhitespace
            let renamed: String? = newName == group.name ? nil : newName
            let describe: String?? = description == (group.description ?? "") ? .none : .some(description.isEmpty ? nil : description)
            guard renamed != nil || describe != nil else { return Page.redirect(base + "/edit?name=" + Self.queryEncode(group.name) + "&saved=1") }
            switch try await self.runAdmin(.updateGroup(group.name, newName: renamed, description: describe), admin) {
            case .success: return Page.redirect(base + "/edit?name=" + Self.queryEncode(renamed ?? group.name) + "&saved=1")
            case .failure(let f): return self.groupPage(request, context, admin, group, failure: Self.groupFailure(f, rename: renamed != nil), form: form)
            }
        }
        router.post(RouterPath(base + "/add-members")) { request, context -> Response in
            let (admin, group) = try self.postedGroup(request, context)
            let list = Self.accountList(context.form["accounts"])
            guard !list.isEmpty else { return Page.redirect(base + "/edit?name=" + Self.queryEncode(group.name)) }
            let accounts: [Account]
            switch Self.parseAccounts(list, field: "accounts") {
            case .success(let a): accounts = a
            case .failure(let f): return self.groupPage(request, context, admin, group, failure: f, form: context.form)
            }
            // A member it does not see is refused like one that does not exist (no oracle).
            if let unseen = accounts.first(where: { !admin.sees($0) }) {
                let f = AdminFailure(field: "accounts", .noSuchAccount(String(unseen.value.prefix(64))))
                return self.groupPage(request, context, admin, group, failure: f, form: context.form)
            }
            switch try await self.runAdmin(.addGroupMembers(group.name, accounts), admin) {
            case .success: return Page.redirect(base + "/edit?name=" + Self.queryEncode(group.name) + "&saved=1")
            case .failure(let f):
                return self.groupPage(request, context, admin, group, failure: f.placed("accounts"), form: context.form)
            }
        }
        router.post(RouterPath(base + "/remove-member")) { request, context -> Response in
            let (admin, group) = try self.postedGroup(request, context)
            let account: Account
            do throws(DirectoryError) {
                account = try Account(parsing: context.form["account"] ?? "")
            } catch {
                return self.groupPage(request, context, admin, group, failure: AdminFailure(field: "members", message: error.message))
            }
            switch try await self.runAdmin(.removeGroupMembers(group.name, [account]), admin) {
            case .success: return Page.redirect(base + "/edit?name=" + Self.queryEncode(group.name) + "&saved=1")
            case .failure(let f):
                return self.groupPage(request, context, admin, group, failure: f.placed("members"))
            }
        }
        router.post(RouterPath(base + "/delete")) { request, context -> Response in
            let (admin, group) = try self.postedGroup(request, context)
            switch try await self.runAdmin(.deleteGroup(group.name), admin) {
            case .success: return Page.redirect(base + "?deleted=1")
            case .failure(let f): return self.groupPage(request, context, admin, group, failure: f.placed("delete"))
            }
        }
    }

    /// The administrator and the group a POST names in its `group` field (404: no such group).
    func postedGroup(_ request: Request, _ context: WebContext) throws -> (AdminRequest, Group) {
        let admin = try requireAdmin(request, context, section: .groups)
        guard let name = context.form["group"], let group = admin.model.group(name) else { throw WebError.notFound }
        return (admin, group)
    }

    /// A group command's failure, next to the field its message is about (the domain names no
    /// member field for groups: `group: …` is about the name).
    static func groupFailure(_ f: AdminFailure, rename: Bool = true) -> AdminFailure {
        guard f.field == "form" else { return f }
        if f.message.hasPrefix("group: the name") || f.message.contains("already exists") {
            return f.placed(rename ? "name" : "form")
        }
        if f.message.hasPrefix("description") || f.message.contains("description") {
            return f.placed("description")
        }
        return f
    }

    /// Percent-encodes text for a query value or a file name: everything but ASCII letters,
    /// digits and `-._~` (RFC 3986's unreserved characters).
    static func queryEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    func groupsPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, failure: AdminFailure? = nil, form: Form = Form()
    ) -> Response {
        let w = context.words
        let base = AdminSection.groups.path
        let model = admin.model
        let rows = model.groups.values.sorted { $0.key < $1.key }.map { g -> HTML in
            """
            <tr data-group="\(g.name)"><td><a href="\(base)/edit?name=\(Self.queryEncode(g.name))">\(g.name)</a></td>\
            <td>\(g.description ?? "")</td><td>\(g.members.filter(admin.sees).count)</td></tr>
            """
        }
        let create: HTML = """
            <h2>\(w[.groupCreate])</h2>\(Self.fieldError(failure, "form"))
            <form method="post" action="\(base)/create" class="group-create">\(Page.csrfField(context))\
            <label class="field">\(w[.groupName])<input name="name" value="\(form["name"] ?? "")" required>\(Self.fieldError(failure, "name"))</label>
            <label class="field">\(w[.groupDescription])<input name="description" value="\(form["description"] ?? "")">\
            \(Self.fieldError(failure, "description"))</label>
            <label class="field">\(w[.groupMembers])<input name="members" value="\(form["members"] ?? "")" placeholder="t2001 t2002">\
            \(Self.fieldError(failure, "members"))</label>
            <button type="submit">\(w[.groupCreate])</button></form>
            """
        let body: HTML = """
            <h1>\(w[.adminGroups])</h1>
            <table class="groups"><thead><tr><th>\(w[.groupName])</th><th>\(w[.groupDescription])</th><th>\(w[.groupMembers])</th></tr></thead>\
            <tbody>\(rows)</tbody></table>\(create)
            """
        let notice = request.uri.queryParameters["deleted"] != nil ? w[.groupDeleted] : nil
        return adminPage(
            request, context, admin, section: .groups, title: w[.adminGroups], body: body, notice: notice,
            status: failure?.status ?? .ok)
    }

    func groupPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, _ group: Group, failure: AdminFailure? = nil,
        form: Form = Form(), notice: String? = nil
    ) -> Response {
        let w = context.words
        let base = AdminSection.groups.path
        let model = admin.model
        let csrf = Page.csrfField(context)
        let hidden: HTML = "<input type=\"hidden\" name=\"group\" value=\"\(group.name)\">"
        // Only the members the administrator sees (found by review: a sub-admin saw the teachers
        // of every group, whom LDAP hides from it).
        let visibleMembers = group.members.filter(admin.sees)
        let members = visibleMembers.map { a -> HTML in
            let m = model.member(a.key)
            let remove: HTML? =
                (m.map { admin.administers($0) } ?? false)
                ? """
                <form method="post" action="\(base)/remove-member" class="inline">\(csrf)\(hidden)\
                <input type="hidden" name="account" value="\(a.value)"><button type="submit">\(w[.groupRemoveMember])</button></form>
                """ : nil
            return "<tr data-account=\"\(a.value)\"><td>\(a.value)</td><td>\(m?.name ?? "")</td><td>\(remove)</td></tr>"
        }
        let body: HTML = """
            <h1 data-group="\(group.name)">\(group.name)</h1><p><a href="\(base)">\(w[.back])</a></p>\(Self.fieldError(failure, "form"))
            <form method="post" action="\(base)/update" class="group-update">\(csrf)\(hidden)\
            <label class="field">\(w[.groupName])<input name="newName" value="\(form["newName"] ?? group.name)" required>\
            \(Self.fieldError(failure, "name"))</label>
            <label class="field">\(w[.groupDescription])<input name="description" value="\(form["description"] ?? group.description ?? "")">\
            \(Self.fieldError(failure, "description"))</label>
            <button type="submit">\(w[.save])</button></form>
            <h2>\(w[.groupMembers]) (\(visibleMembers.count))</h2>\(Self.fieldError(failure, "members"))
            <table class="members"><tbody>\(members)</tbody></table>
            <form method="post" action="\(base)/add-members" class="group-add">\(csrf)\(hidden)\
            <label class="field">\(w[.groupAddMembers])<input name="accounts" value="\(form["accounts"] ?? "")" placeholder="t2001 t2002">\
            \(Self.fieldError(failure, "accounts"))</label><button type="submit">\(w[.groupAddMembers])</button></form>
            <form method="post" action="\(base)/delete" class="group-delete">\(csrf)\(hidden)\
            <button type="submit" class="danger">\(w[.groupDelete])</button>\(Self.fieldError(failure, "delete"))</form>
            """
        return adminPage(
            request, context, admin, section: .groups, title: group.name, body: body, notice: notice,
            status: failure?.status ?? .ok)
    }
}
