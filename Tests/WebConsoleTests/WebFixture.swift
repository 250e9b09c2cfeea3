import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PasswordHashing
import Synchronization
import Testing

@testable import WebConsole

/// The demo organisation behind a web console, driven through HummingbirdTesting's router client.
struct WebFixture {
    let service: DirectoryService
    let app: WebApp
    let authenticator: Authenticator
    /// The sessions' clock: starts now, moves only when a test moves it.
    let clock = TestClock()

    init(
        limits: WebLimits = WebLimits(), lockout: LockoutPolicy = LockoutPolicy(), https: Bool = false,
        prepare: (inout DirectoryModel) -> Void = { _ in }
    ) throws {
        let hasher = StandardPasswordHasher(rounds: 1000)
        var model = DemoOrganization.build(hasher: hasher)
        prepare(&model)
        service = try DirectoryService(store: InMemoryStore(model))
        authenticator = Authenticator(hasher: hasher, policy: lockout, writer: service, failureFloor: 0)
        var logger = Logger(label: "web-test")
        logger.logLevel = .warning
        app = WebApp(
            configuration: WebConfiguration(
                host: "127.0.0.1", port: 0, certificatePath: https ? "cert.pem" : nil, privateKeyPath: https ? "key.pem" : nil,
                limits: limits),
            directory: service,
            authenticator: authenticator, logger: logger, clock: { [clock] in clock.now })
    }

    /// Runs `body` with a fresh browser against the console.
    func test(_ body: @Sendable @escaping (inout Browser) async throws -> Void) async throws {
        let application = Application(router: app.makeRouter())
        try await application.test(.router) { client in
            var browser = Browser(client: client)
            try await body(&browser)
        }
    }

    /// A department of the demo by name.
    func department(_ name: String) -> DepartmentID {
        service.live.snapshot().departments.values.first { $0.name == name }!.id
    }
}

/// A cookie jar and the requests a browser makes: the Origin of the site on every POST.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    static let origin = "http://localhost"

    init(client: any TestClientProtocol) { self.client = client }

    mutating func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let r = try await client.execute(uri: uri, method: .get, headers: h)
        remember(r)
        return r
    }

    mutating func post(_ uri: String, _ form: [(String, String)], origin: String? = Browser.origin, headers: HTTPFields = [:])
        async throws -> TestResponse
    {
        var h = headers
        h[.contentType] = "application/x-www-form-urlencoded"
        if let origin { h[.origin] = origin }
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let r = try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
        remember(r)
        return r
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    mutating func remember(_ r: TestResponse) {
        for value in r.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), v = pair.count > 1 ? String(pair[1]) : ""
            if v.isEmpty || value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = v }
        }
    }

    /// The CSRF token of the last form page.
    static func csrf(_ r: TestResponse) -> String? {
        let html = String(buffer: r.body)
        guard let range = html.range(of: #"name="_csrf" value="[0-9a-f]+""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="_csrf" value=""#.count).dropLast())
    }

    /// Signs in through the form; returns the answer to the POST.
    @discardableResult
    mutating func signIn(_ account: String, _ password: String) async throws -> TestResponse {
        let page = try await get("/login")
        let token = try #require(Self.csrf(page))
        return try await post("/login", [("account", account), ("password", password), ("_csrf", token)])
    }

    /// A page's text.
    mutating func html(_ uri: String) async throws -> String { String(buffer: try await get(uri).body) }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// Accounts in a page's `data-account` hooks, in order of appearance (each once).
func accounts(in html: String) -> [String] {
    var out: [String] = []
    var rest = Substring(html)
    while let r = rest.range(of: "data-account=\"") {
        rest = rest[r.upperBound...]
        let a = String(rest.prefix { $0 != "\"" })
        if !out.contains(a) { out.append(a) }
    }
    return out
}

/// A clock that moves only when told to.
final class TestClock: Sendable {
    private let time = Mutex(Date())
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: Double) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
