public import Directory
public import Hummingbird
public import Logging
public import Foundation
import NIOCore
import NIOPosix

/// Where and how the web console listens.
public struct WebConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// PEM files for HTTPS (nil: plain HTTP).
    public var certificatePath: String?
    public var privateKeyPath: String?
    public var limits: WebLimits

    public init(host: String, port: Int, certificatePath: String? = nil, privateKeyPath: String? = nil, limits: WebLimits = WebLimits()) {
        self.host = host
        self.port = port
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.limits = limits
    }

    /// Whether pages are served over TLS (cookies are then `Secure`).
    public var isHTTPS: Bool { certificatePath != nil && privateKeyPath != nil }
    /// Seconds a connection may send nothing before it is closed.
    public var idleTimeoutSeconds = 30
}

/// The web console: the address book for every member and (in `Admin/`) the admin console. It
/// reads the directory's published model and decides every page with the domain's
/// ``Visibility`` for the signed-in person, signs in through the domain's ``Authenticator``
/// (the same lockout, throttle, refusal timing and audit as LDAP binds) and writes only through
/// the domain's commands.
public final class WebApp: Sendable {
    public let configuration: WebConfiguration
    public let directory: DirectoryService
    public let authenticator: Authenticator
    public let sessions: SessionStore
    public let logger: Logger
    /// Import error reports waiting to be downloaded (admin console).
    let importReports = ImportReportStore()
    var limits: WebLimits { configuration.limits }
    /// The connections open from each address (``WebLimits/maxConnectionsPerAddress``).
    let connectionsPerAddress: WebConnectionsPerAddress

    static let sessionCookie = "roster_session"
    static let languageCookie = "roster_lang"

    /// - Parameters:
    ///   - configuration: where and how to listen.
    ///   - directory: the one writer of the process; its published model is read for every page.
    ///   - authenticator: the same one the LDAP server uses.
    ///   - logger: where requests are logged (never a password, a hash or a session id).
    ///   - clock: the time now, for session expiry (tests).
    public init(
        configuration: WebConfiguration, directory: DirectoryService, authenticator: Authenticator, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.directory = directory
        self.authenticator = authenticator
        self.sessions = SessionStore(limits: configuration.limits, clock: clock)
        self.connectionsPerAddress = WebConnectionsPerAddress(limit: configuration.limits.maxConnectionsPerAddress)
        self.logger = logger
    }

    /// The router with every route and the middleware every request goes through.
    public func makeRouter() -> Router<WebContext> {
        // HEAD is answered like GET without the body (RFC 9110 §9.3.2): monitors and link
        // checkers see the same status and headers.
        let router = Router(context: WebContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: SecurityHeadersMiddleware(https: configuration.isHTTPS))
        router.add(middleware: SessionMiddleware(app: self))
        router.add(middleware: FormGuardMiddleware(app: self))
        addAssetRoutes(to: router)
        addSignInRoutes(to: router)
        addAddressBookRoutes(to: router)
        addProfileRoutes(to: router)
        addAdminRoutes(to: router)
        return router
    }

    // MARK: - Sessions

    /// The session cookie: HttpOnly, SameSite=Strict, Secure under HTTPS, for the whole site.
    func sessionCookie(_ id: String) -> Cookie {
        Cookie(name: Self.sessionCookie, value: id, path: "/", secure: configuration.isHTTPS, httpOnly: true, sameSite: .strict)
    }

    /// A cookie that removes the session cookie.
    func expiredSessionCookie() -> Cookie {
        Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: configuration.isHTTPS, httpOnly: true, sameSite: .strict)
    }

    /// Whether this identity may still use the console: an active member, the super admin or a
    /// sub-admin (service accounts are for tools, not people).
    /// When the account's password last changed (nil: never, or no such account).
    func credentialStamp(_ viewer: Viewer) -> Date? {
        let model = directory.live.snapshot()
        switch viewer {
        case .anonymous: return nil
        case .member(let a): return model.member(a.key)?.security.passwordChangedAt
        case .administrator(let key): return model.administrator(key)?.security.passwordChangedAt
        }
    }

    /// Whether a signed-in session still holds: the account may use the console and its
    /// password has not changed since the sign-in (found by review: a reset over LDAP or the
    /// CLI left the old sessions signed in).
    func sessionHolds(_ session: SessionStore.Session) -> Bool {
        guard let viewer = session.viewer else { return true }
        return mayUseConsole(viewer) && credentialStamp(viewer) == session.credentialStamp
    }

    func mayUseConsole(_ viewer: Viewer) -> Bool {
        let model = directory.live.snapshot()
        switch viewer {
        case .anonymous: return false
        case .member(let a): return model.member(a.key)?.isActive ?? false
        case .administrator(let key):
            switch model.administrator(key)?.role {
            case .superAdmin?, .subAdmin?: return true
            case .service?, nil: return false
            }
        }
    }

    /// This server's origin as the browser names it (`http://127.0.0.1:8080`), from the request's
    /// Host.
    func ownOrigin(_ request: Request) -> String? {
        guard let authority = request.head.authority, !authority.isEmpty else { return nil }
        return (configuration.isHTTPS ? "https://" : "http://") + authority.lowercased()
    }

    /// The signed-in viewer and what they see, or a redirect to the sign-in page.
    func signedIn(_ request: Request, _ context: WebContext) throws(SignInRequired) -> Visibility {
        guard let viewer = context.session?.viewer else { throw SignInRequired(path: request.uri.path) }
        return Visibility(viewer: viewer, model: directory.live.snapshot())
    }

    /// Runs costly work (password hashing) off the event loops.
    func offLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { try work() }
    }
}

/// Thrown by pages that need a signed-in visitor: answered with a redirect to `/login`.
struct SignInRequired: Error {
    var path: String
}

extension Request {
    /// A query parameter as an HTML form sends it (`application/x-www-form-urlencoded`: `+` is a
    /// space, `%2B` a plus); the first one when it is given twice. Found by review: the search
    /// button sent `q=zhang+san`, which found nobody.
    func formQueryValue(_ name: String) -> String? {
        guard let query = uri.query else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding == name else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            return raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
