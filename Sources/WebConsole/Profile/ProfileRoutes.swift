import Directory
import Interchange
import Foundation
import Hummingbird

// MARK: - GET /me, POST /me (the self-editable fields), POST /me/password

extension WebApp {
    /// Fields a member may be allowed to edit on the profile page (the field policy decides which
    /// of them are self-editable; the others are shown read-only).
    static let profileFields: [MemberField] = [
        .nickname, .gender, .mobile, .email, .wechat, .phone, .phone2, .qq, .address, .title, .birthday, .lunarBirthday,
        .birthdayReminder, .hireDate, .remarks,
    ]

    func addProfileRoutes(to router: Router<WebContext>) {
        router.get("/me") { request, context -> Response in
            let visibility = try self.signedIn(request, context)
            let notice: String? = request.uri.queryParameters["saved"] != nil ? context.words[.saved]
                : (request.uri.queryParameters["password"] != nil ? context.words[.passwordChanged] : nil)
            return self.profilePage(request, context, visibility, values: nil, errors: [:], notice: notice)
        }
        router.post("/me") { request, context -> Response in
            let visibility = try self.signedIn(request, context)
            guard case .member(let account) = visibility.viewer, let me = visibility.model.member(account.key) else {
                throw WebError(.forbidden, "only members have a profile")
            }
            var changes: [MemberField: String?] = [:]
            var values: [MemberField: String] = [:]
            for f in Self.profileFields where visibility.model.mayEditOwn(f) {
                guard let raw = context.form[f.rawValue] else { continue }
                values[f] = raw
                let wanted = raw.trimmingWhitespace
                let current = me.value(of: f) ?? ""
                if wanted != current { changes[f] = wanted.isEmpty ? String?.none : wanted }
            }
            guard !changes.isEmpty else { return Page.redirect("/me?saved=1") }
            let ctx = CommandContext(actor: "web:\(account.value)", source: context.source, viewer: visibility.viewer)
            do {
                let command = DirectoryCommand.updateMember(account, fields: changes)
                _ = try await self.offLoop { try self.directory.execute(command, by: ctx) }
            } catch let error as DirectoryError {
                let field = error.field.map(\.rawValue) ?? "form"
                return self.profilePage(request, context, visibility, values: values, errors: [field: Self.say(error, context)], status: .unprocessableContent)
            }
            return Page.redirect("/me?saved=1")
        }
        router.post("/me/password") { request, context -> Response in
            try await self.changePassword(request, context)
        }
    }

    /// A domain error's message in the page's language.
    static func say(_ error: DirectoryError, _ context: WebContext) -> String {
        var e = error
        if let conflict = e.conflict {
            // A member's own page: the other member is not named (they may not see them).
            e.message = conflict.anonymousMessage
            e.conflict = nil
        }
        return context.language == .zh ? ChineseReasons.text(of: e) : e.message
    }

    func profilePage(
        _ request: Request, _ context: WebContext, _ visibility: Visibility, values: [MemberField: String]?,
        errors: [String: String], notice: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        guard case .member(let account) = visibility.viewer, let me = visibility.model.member(account.key) else {
            let name = context.session?.administratorName ?? ""
            let body: HTML = "<section class=\"profile\"><h1>\(w[.myProfile])</h1><p class=\"account\">\(name)</p></section>"
            return Page(title: w[.myProfile], body: body).response(request, context)
        }
        let model = visibility.model
        func errorHTML(_ key: String) -> HTML? {
            errors[key].map { "<span class=\"field-error\" role=\"alert\" id=\"error-\(key)\">\($0)</span>" }
        }
        let rows = Self.profileFields.map { f -> HTML in
            let value = values?[f] ?? me.value(of: f) ?? ""
            if model.mayEditOwn(f), f == .birthdayReminder {
                let options = ["", "solar", "lunar"].map { o -> HTML in
                    let label = o.isEmpty ? "—" : w[o == "solar" ? .solar : .lunar]
                    return o == value ? "<option value=\"\(o)\" selected>\(label)</option>" : "<option value=\"\(o)\">\(label)</option>"
                }
                return """
                    <label class="field" data-field="\(f.rawValue)">\(w.field(f))\
                    <select name="\(f.rawValue)">\(options)</select>\(errorHTML(f.rawValue))</label>
                    """
            }
            if model.mayEditOwn(f) {
                let type = f == .email ? "email" : (f == .mobile || f == .phone || f == .phone2 ? "tel" : (f == .birthday || f == .hireDate ? "date" : "text"))
                return """
                    <label class="field" data-field="\(f.rawValue)">\(w.field(f))\
                    <input name="\(f.rawValue)" type="\(type)" value="\(value)">\(errorHTML(f.rawValue))</label>
                    """
            }
            guard !value.isEmpty else { return .empty }
            return "<div class=\"field readonly\" data-field=\"\(f.rawValue)\"><span>\(w.field(f))</span><span>\(value)</span><small>\(w[.notEditable])</small></div>"
        }
        let anyEditable = Self.profileFields.contains { model.mayEditOwn($0) }
        let saveButton: HTML = anyEditable ? "<button type=\"submit\">\(w[.save])</button>" : "<p>\(w[.noEditableFields])</p>"
        let passwordForm: HTML? =
            model.mayEditOwn(.password)
            ? """
            <h2>\(w[.changePassword])</h2>\(errorHTML("password"))
            <form method="post" action="/me/password" class="password">\(Page.csrfField(context))\
            <input type="text" name="account" value="\(me.account.value)" autocomplete="username" hidden>
            <label>\(w[.oldPassword])<input name="old" type="password" autocomplete="current-password" required></label>
            <label>\(w[.newPassword])<input name="new" type="password" autocomplete="new-password" required></label>
            <label>\(w[.repeatPassword])<input name="repeat" type="password" autocomplete="new-password" required></label>
            <button type="submit">\(w[.changePassword])</button></form>
            """ : nil
        let body: HTML = """
            <section class="profile" data-account="\(me.account.value)"><h1>\(w[.myProfile])</h1>
            <p><a href="/people/\(me.account.value)">\(me.name)</a> · \(me.account.value)</p>\(errorHTML("form"))
            <form method="post" action="/me" class="fields">\(Page.csrfField(context))\(rows)\(saveButton)</form>
            \(passwordForm)</section>
            """
        return Page(title: w[.myProfile], body: body, notice: notice, status: status).response(request, context)
    }

    /// The old password is checked by the domain's ``Authenticator`` (a wrong one counts towards
    /// the lockout and the address's throttle, like a failed sign-in); the new one must meet the
    /// directory's password rules; the change is the domain's `setPassword` command with the
    /// current password proven.
    func changePassword(_ request: Request, _ context: WebContext) async throws -> Response {
        let w = context.words
        let visibility = try signedIn(request, context)
        guard case .member(let account) = visibility.viewer, let me = visibility.model.member(account.key) else {
            throw WebError(.forbidden, "only members change their password here")
        }
        let old = context.form["old"] ?? ""
        let new = context.form["new"] ?? ""
        func refuse(_ message: String) -> Response {
            profilePage(request, context, visibility, values: nil, errors: ["password": message], status: .unprocessableContent)
        }
        guard new == (context.form["repeat"] ?? "") else { return refuse(w[.passwordsDiffer]) }
        guard !old.isEmpty else { return refuse(w[.oldPasswordWrong]) }
        let model = visibility.model
        do {
            try PasswordRules.check(new, policy: model.passwordPolicy, owner: model.passwordOwner(me))
        } catch {
            return refuse(Self.say(error, context))
        }
        let principal = Authenticator.Principal(account: .member(me.account), hash: me.passwordHash, active: me.isActive, security: me.security)
        let origin = Authenticator.Origin(address: context.clientAddress, source: context.source)
        let check = authenticator.prepare(name: me.account.value, principal: principal, origin: origin)
        if check.throttled { return refuse(w[.signInBusy]) }
        if check.wait > 0 { try await Task.sleep(for: .milliseconds(Int64(check.wait * 1000))) }
        let oldBytes = Array(old.utf8)
        let hasher = authenticator.hasher
        let (result, hash) = try await offLoop { () -> (Authenticator.Result, String?) in
            let r = check.run(oldBytes)
            return (r, r.account != nil ? hasher.hash(new) : nil)
        }
        guard result.account != nil, let hash else {
            if let notBefore = result.notBefore { try await Task.sleep(until: notBefore, clock: .continuous) }
            return refuse(w[.oldPasswordWrong])
        }
        let ctx = CommandContext(
            actor: "web:\(account.value)", source: context.source, viewer: visibility.viewer, currentPasswordVerified: true)
        do {
            _ = try await offLoop { try self.directory.execute(.setPassword(account, hash: hash), by: ctx) }
        } catch let error as DirectoryError {
            return refuse(Self.say(error, context))
        }
        // Other sessions of this member end: whoever knew the old password is signed out.
        sessions.end(viewer: visibility.viewer, except: context.session?.id)
        sessions.restamp(context.session?.id, credentialStamp: credentialStamp(visibility.viewer))
        logger.info("web password change", metadata: ["account": "\(account.value)"])
        return Page.redirect("/me?password=1")
    }
}
