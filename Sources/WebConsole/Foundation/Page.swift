public import Hummingbird
import NIOCore

/// The page layout every screen shares: the document, the top bar (address book, organisation,
/// me, language switch, sign-out), the content, and the headers every answer carries.
public struct Page: Sendable {
    public var title: String
    public var body: HTML
    /// Shown above the content (a notice such as "saved").
    public var notice: String?
    public var status: HTTPResponse.Status = .ok

    public init(title: String, body: HTML, notice: String? = nil, status: HTTPResponse.Status = .ok) {
        self.title = title
        self.body = body
        self.notice = notice
        self.status = status
    }

    /// The page as a response for this request.
    public func response(_ request: Request, _ context: WebContext) -> Response {
        let w = context.words
        let signedIn = context.session?.viewer != nil
        let other: Language = context.language == .zh ? .en : .zh
        let path = request.uri.path
        var adminLink: HTML? = nil
        if case .administrator? = context.session?.viewer { adminLink = "<a href=\"/admin\" class=\"admin-link\">\(w[.adminConsole])</a>" }
        let nav: HTML =
            signedIn
            ? """
            <nav class="top"><a href="/" class="brand">\(w[.appName])</a>\
            <a href="/org">\(w[.organization])</a><a href="/me">\(w[.me])</a>\(adminLink)\
            <a href="\(path)?lang=\(other.rawValue)" class="lang">\(w[.switchLanguage])</a>\
            <a href="/logout" class="signout">\(w[.signOut])</a></nav>
            """
            : """
            <nav class="top"><span class="brand">\(w[.appName])</span>\
            <a href="\(path)?lang=\(other.rawValue)" class="lang">\(w[.switchLanguage])</a></nav>
            """
        let noticeHTML: HTML? = notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" }
        let document: HTML = """
            <!DOCTYPE html>
            <html lang="\(context.language.htmlTag)"><head><meta charset="utf-8">\
            <meta name="viewport" content="width=device-width, initial-scale=1">\
            <title>\(title) · \(w[.appName])</title>\
            <link rel="stylesheet" href="/static/app.css"><script src="/static/app.js" defer></script></head>
            <body>\(nav)<main>\(noticeHTML)\(body)</main></body></html>
            """
        return Self.html(document, status: status)
    }

    /// An HTML response.
    public static func html(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html.markup)))
    }

    /// A redirect (303: the browser follows it with a GET).
    public static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// A hidden field with the session's CSRF token, for every form.
    public static func csrfField(_ context: WebContext) -> HTML {
        "<input type=\"hidden\" name=\"_csrf\" value=\"\(context.session?.csrfToken ?? "")\">"
    }
}
