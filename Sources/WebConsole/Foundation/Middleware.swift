import Directory
import Foundation
public import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Outermost: the security headers on every answer, and every error as a page (an unknown error
/// is logged and shown as a plain "server error"; details never reach the visitor).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebContext
    /// Whether pages are served over HTTPS: browsers are then told to keep to HTTPS (HSTS).
    var https = false

    /// Scripts and styles only from Roster itself, no inline script, no plugins, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as SignInRequired {
            let next = error.path == "/" ? "" : "?next=" + (error.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            response = Page.redirect("/login" + next)
        } catch let error as WebError {
            context.logger.debug("refused", metadata: ["path": "\(request.uri.path)", "why": "\(error.detail)"])
            response = ErrorPage.response(error.kind, request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = ErrorPage.response(.notFound, request, context)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            response = ErrorPage.response(.tooLarge, request, context)
        } catch let error as HTTPError where error.status == .badRequest {
            response = ErrorPage.response(.badRequest, request, context)
        } catch is NIOTooManyBytesError {
            // A form over the limit (found by review: answered 500 after reading all of it): 413,
            // and the connection closes rather than read the rest; the page says what is wrong
            // (found by review: it said 请求无效, "bad request").
            response = ErrorPage.response(.tooLarge, request, context)
            response.headers[.connection] = "close"
        } catch {
            context.logger.error("web request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            response = ErrorPage.serverError(request, context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        if https { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}

/// Finds the visitor's session (starting one when there is none: every form carries a CSRF token
/// bound to it), checks that whoever signed in may still read the directory (a departed member's
/// session ends at their next request), and picks the language.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let app: WebApp

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let cookie = request.cookies[WebApp.sessionCookie]?.value
        var session = app.sessions.session(cookie)
        if let s = session, s.viewer != nil, !app.sessionHolds(s) {
            app.sessions.end(s.id)
            session = nil
        }
        if session == nil {
            session = app.sessions.startAnonymous()
            context.startedSession = true
        }
        context.session = session
        let query = request.uri.queryParameters["lang"].map(String.init)
        context.language = Language.negotiate(
            query: query, cookie: request.cookies[WebApp.languageCookie]?.value,
            acceptLanguage: request.headers[.acceptLanguage])
        context.rememberLanguage = query.flatMap(Language.init(rawValue:)) != nil
        var response = try await Language.$current.withValue(context.language) { try await next(request, context) }
        if context.startedSession, response.headers[.setCookie] == nil, let session {
            response.setCookie(app.sessionCookie(session.id))
        }
        if context.rememberLanguage {
            response.setCookie(
                Cookie(
                    name: WebApp.languageCookie, value: context.language.rawValue, maxAge: 365 * 86_400, path: "/",
                    secure: app.configuration.isHTTPS, httpOnly: true, sameSite: .lax))
        }
        return response
    }
}

/// Every POST: the `Origin` (or, without one, the `Referer`) must be this server's own — a foreign
/// one is refused with 403 before anything else — then the form is read (at most
/// ``WebLimits/maxFormBytes``) and its `_csrf` field must be the session's token (403 otherwise).
/// A `multipart/form-data` upload is taken only on ``WebApp/uploadPaths``, from a signed-in
/// session, up to ``WebLimits/maxUploadBytes``, with its `_csrf` part checked the same way.
struct FormGuardMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let app: WebApp

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        let own = app.ownOrigin(request)
        if let origin = request.headers[.origin] {
            guard let own, origin == own else { throw WebError(.origin, "foreign Origin \(origin.prefix(100))") }
        } else if let referer = request.headers[.referer] {
            guard let own, referer == own || referer.hasPrefix(own + "/") else {
                throw WebError(.origin, "foreign Referer \(referer.prefix(100))")
            }
        } else {
            throw WebError(.origin, "a POST without Origin or Referer")
        }
        var request = request
        var context = context
        if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/") {
            // An upload: only where a route takes one, only from a signed-in administrator (the
            // route decides the rest), at most maxUploadBytes; its `_csrf` part is checked below
            // like a form's field.
            guard WebApp.uploadPaths.contains(request.uri.path) else { throw WebError(.badRequest, "no upload here") }
            guard case .administrator? = context.session?.viewer else { throw WebError(.forbidden, "an upload from a non-administrator") }
            let boundary: String
            do { boundary = try MultipartForm.boundary(contentType: type) } catch { throw WebError(.badRequest, error.description) }
            let buffer = try await request.collectBody(upTo: app.limits.maxUploadBytes)
            do {
                let upload = try MultipartForm(parsing: Array(buffer.readableBytesView), boundary: boundary)
                context.upload = upload
                context.form = Form(values: upload.fields)
            } catch {
                throw WebError(.badRequest, error.description)
            }
        } else {
            let buffer = try await request.collectBody(upTo: app.limits.maxFormBytes)
            guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                throw WebError(.badRequest, "form: not UTF-8")
            }
            context.form = try Form(parsing: text)
        }
        guard let expected = context.session?.csrfToken, let given = context.form["_csrf"], Self.equal(given, expected) else {
            throw WebError(.csrf, "missing or wrong CSRF token")
        }
        return try await next(request, context)
    }

    /// Compares in time independent of where the strings differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for i in 0..<x.count { d |= x[i] ^ y[i] }
        return d == 0
    }
}

/// The pages of refusals and errors.
enum ErrorPage {
    static func response(_ kind: WebError.Kind, _ request: Request, _ context: WebContext) -> Response {
        let w = context.words
        let (status, word): (HTTPResponse.Status, Word) =
            switch kind {
            case .badRequest: (.badRequest, .badRequest)
            case .forbidden: (.forbidden, .forbidden)
            case .notFound: (.notFound, .notFound)
            case .csrf: (.forbidden, .csrfFailed)
            case .origin: (.forbidden, .originRefused)
            case .tooManyRequests: (.tooManyRequests, .signInBusy)
            case .tooLarge: (.contentTooLarge, .requestTooLarge)
            }
        let body: HTML = "<section class=\"error\"><h1>\(w[word])</h1><p><a href=\"/\">\(w[.back])</a></p></section>"
        return Page(title: w[word], body: body, status: status).response(request, context)
    }

    static func serverError(_ request: Request, _ context: WebContext) -> Response {
        let w = context.words
        return Page(title: w[.serverError], body: "<h1>\(w[.serverError])</h1>", status: .internalServerError)
            .response(request, context)
    }
}

extension HTTPField.Name {
    /// `Referrer-Policy` (W3C Referrer Policy).
    public static var referrerPolicy: Self { Self("Referrer-Policy")! }
    /// `X-Frame-Options` (RFC 7034).
    public static var xFrameOptions: Self { Self("X-Frame-Options")! }
    /// `Cross-Origin-Opener-Policy` (HTML).
    public static var crossOriginOpenerPolicy: Self { Self("Cross-Origin-Opener-Policy")! }
}
