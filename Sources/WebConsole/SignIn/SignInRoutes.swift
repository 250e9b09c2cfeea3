import Directory
import Foundation
import Hummingbird
import Logging

// MARK: - GET /login, POST /login (account or e-mail, password, _csrf), GET /logout

extension WebApp {
    func addSignInRoutes(to router: Router<WebContext>) {
        router.get("/login") { request, context -> Response in
            if context.session?.viewer != nil { return Page.redirect("/") }
            let next = request.uri.queryParameters["next"].map(String.init)
            return self.signInPage(request, context, account: "", next: next, error: nil)
        }
        router.post("/login") { request, context -> Response in
            try await self.signIn(request, context)
        }
        router.get("/logout") { request, context -> Response in
            self.sessions.end(context.session?.id)
            var response = Page.redirect("/login")
            response.setCookie(self.expiredSessionCookie())
            return response
        }
    }

    func signInPage(_ request: Request, _ context: WebContext, account: String, next: String?, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let w = context.words
        let errorHTML: HTML? = error.map { "<p class=\"error\" role=\"alert\" id=\"signin-error\">\($0)</p>" }
        let nextField: HTML? = next.flatMap(Self.localPath).map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" }
        let body: HTML = """
            <section class="signin"><h1>\(w[.signIn])</h1>\(errorHTML)
            <form method="post" action="/login">\(Page.csrfField(context))\(nextField)
            <label>\(w[.account])<input name="account" value="\(account)" autocomplete="username" autocapitalize="none" \
            placeholder="\(w[.accountHint])" required autofocus></label>
            <label>\(w[.password])<input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">\(w[.signIn])</button></form></section>
            """
        return Page(title: w[.signIn], body: body, status: status).response(request, context)
    }

    /// A path on this site to go to after sign-in (never another site: `//host`, `/\host`).
    static func localPath(_ raw: String) -> String? {
        guard raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.hasPrefix("/\\"), raw.count <= 512,
            !raw.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return nil }
        return raw
    }

    /// Checks the password with the domain's ``Authenticator``, like an LDAP bind: the same
    /// lockout and throttle (the client's address is the key), the same refusal for every reason
    /// after the same delay, the same audit records (source `web ADDRESS:PORT`).
    func signIn(_ request: Request, _ context: WebContext) async throws -> Response {
        let w = context.words
        let name = (context.form["account"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = Array((context.form["password"] ?? "").utf8)
        let next = context.form["next"].flatMap(Self.localPath)
        guard !name.isEmpty, !password.isEmpty, name.count <= 256 else {
            return signInPage(request, context, account: String(name.prefix(256)), next: next, error: w[.signInFailed], status: .unauthorized)
        }
        let model = directory.live.snapshot()
        let found = Self.principal(name, in: model)
        let origin = Authenticator.Origin(address: context.clientAddress, source: context.source)
        let check = authenticator.prepare(name: name, principal: found?.principal, origin: origin)
        if check.throttled {
            logger.warning("web sign-in throttled: too many sign-ins queued from one address", metadata: ["address": "\(origin.address)"])
            return signInPage(request, context, account: name, next: next, error: w[.signInBusy], status: .tooManyRequests)
        }
        if check.wait > 0 {
            logger.info("web sign-in throttled", metadata: ["address": "\(origin.address)", "wait": "\(check.wait)"])
            try await Task.sleep(for: .milliseconds(Int64(check.wait * 1000)))
        }
        let result = try await offLoop { check.run(password) }
        guard result.account != nil, let found else {
            if let notBefore = result.notBefore { try await Task.sleep(until: notBefore, clock: .continuous) }
            // Not the typed name: people type their password into the name field (the audit log
            // records the refusal against the account when there is one).
            logger.info("web sign-in failed", metadata: ["address": "\(origin.address)"])
            return signInPage(request, context, account: name, next: next, error: w[.signInFailed], status: .unauthorized)
        }
        let session = sessions.signIn(
            found.viewer, administratorName: found.administratorName, credentialStamp: credentialStamp(found.viewer),
            replacing: context.session?.id)
        logger.info("web sign-in", metadata: ["account": "\(found.principal.account.name)", "address": "\(origin.address)"])
        var response = Page.redirect(next ?? "/")
        response.setCookie(sessionCookie(session.id))
        return response
    }

    /// Whom a sign-in name designates: a member by account or e-mail address, else the super admin
    /// or a sub-admin by name. Departed members are found (they are refused like any refusal);
    /// service accounts are not people and are not found.
    static func principal(
        _ name: String, in model: DirectoryModel
    ) -> (principal: Authenticator.Principal, viewer: Viewer, administratorName: String?)? {
        let member = name.contains("@") ? model.member(email: name) ?? model.member(name) : model.member(name)
        if let m = member {
            return (
                Authenticator.Principal(account: .member(m.account), hash: m.passwordHash, active: m.isActive, security: m.security),
                .member(m.account), nil
            )
        }
        guard let a = model.administrator(name) else { return nil }
        switch a.role {
        case .service: return nil
        case .superAdmin, .subAdmin:
            var superAdmin = false
            if case .superAdmin = a.role { superAdmin = true }
            return (
                Authenticator.Principal(
                    account: .administrator(a.key), hash: a.passwordHash, security: a.security, lockable: !superAdmin,
                    boundMember: a.boundMember),
                .administrator(a.key), a.name
            )
        }
    }
}
