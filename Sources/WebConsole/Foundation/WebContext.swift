public import Hummingbird
import NIOCore

/// What a request of the web console carries besides the request: the client's address, its
/// session (every visitor has one, see ``SessionStore``), its language and a posted form.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address (the throttle's key), or `unknown`.
    public var clientAddress: String
    /// `web 10.0.0.5:51234`, for the audit log.
    public var source: String
    /// The session, set by ``SessionMiddleware``.
    public var session: SessionStore.Session?
    /// Whether the session was started by this request (its cookie must be set).
    var startedSession = false
    /// The language of the pages, set by ``SessionMiddleware``.
    public var language: Language = .zh
    /// Whether `?lang=` asked for a language to remember.
    var rememberLanguage = false
    /// The posted form, read and checked (CSRF token, Origin) by ``FormGuardMiddleware``.
    public var form: Form = Form()
    /// A posted `multipart/form-data` body (its plain fields are also in ``form``), read and
    /// checked by ``FormGuardMiddleware`` on the routes that take uploads.
    var upload: MultipartForm? = nil

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let remote = source.channel.remoteAddress
        clientAddress = remote?.ipAddress ?? "unknown"
        self.source = "web \(clientAddress):\(remote?.port.map(String.init) ?? "?")"
    }

    /// A form is at most 64 KiB (``WebLimits/maxFormBytes`` is checked again when it is read).
    public var maxUploadSize: Int { 64 * 1024 }

    /// The word table of the request's language.
    public var words: Words { language.words }
}
