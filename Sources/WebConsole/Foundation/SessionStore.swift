import Crypto
public import Directory
public import Foundation
import Synchronization

/// Sessions of the web console, kept in memory (a restart signs everyone out).
///
/// Every visitor gets a session, signed in or not, so that every form — the sign-in form too —
/// carries a CSRF token bound to it. Ids and tokens are 256 random bits from the system's
/// cryptographic generator. A session ends after ``WebLimits/sessionIdleSeconds`` without a
/// request and ``WebLimits/sessionLifetimeSeconds`` after sign-in whatever happens; signing in
/// replaces the session by a new one (a fixed id never becomes a signed-in one).
///
/// Only signed-in sessions are kept. A session nobody signed in to is stateless: its id is the
/// visitor's random cookie and its CSRF token an HMAC of that id under a key of this process, so
/// visitors cannot fill the memory and no visitor can push out another's sign-in form (found by
/// review: with a capped table of anonymous sessions, a client sending requests without cookies
/// made everyone's sign-in form expire).
public final class SessionStore: Sendable {
    /// One session.
    public struct Session: Sendable, Hashable {
        /// The cookie value (never logged, never shown).
        public let id: String
        /// The token every form of this session carries.
        public let csrfToken: String
        /// Who signed in (nil: nobody yet).
        public let viewer: Viewer?
        /// The name shown for an administrator (members are shown by their entry).
        public let administratorName: String?
        public let created: Date
        public var lastSeen: Date
        /// When the signed-in account's password last changed, as of the sign-in: a session
        /// ends when the password changes anywhere else (LDAP, the CLI, an administrator).
        public var credentialStamp: Date? = nil
    }

    private struct State {
        /// Signed-in sessions by id.
        var sessions: [String: Session] = [:]
    }

    /// The key of the anonymous sessions' CSRF tokens (new for each process: a restart makes the
    /// open sign-in forms stale, as it signs everyone out).
    private let anonymousKey = SymmetricKey(size: .bits256)

    private let state = Mutex(State())
    public let limits: WebLimits
    /// The time now (a test's clock can stand in).
    let clock: @Sendable () -> Date

    public init(limits: WebLimits, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.limits = limits
        self.clock = clock
    }

    /// A fresh random token: 32 bytes, hex.
    static func token() -> String {
        var rng = SystemRandomNumberGenerator()
        var out = ""
        out.reserveCapacity(64)
        for _ in 0..<4 {
            let v = rng.next() as UInt64
            out += String(repeating: "0", count: 16 - String(v, radix: 16).count) + String(v, radix: 16)
        }
        return out
    }

    /// The live session with this id (touching it), or nil when unknown or expired. An id that
    /// is not a signed-in session's is an anonymous session's.
    public func session(_ id: String?, now: Date? = nil) -> Session? {
        let now = now ?? clock()
        guard let id, Self.wellFormed(id) else { return nil }
        let found: Session?? = state.withLock { s in
            guard var session = s.sessions[id] else { return .none }
            if expired(session, now) {
                s.sessions[id] = nil
                return .some(nil)
            }
            session.lastSeen = now
            s.sessions[id] = session
            return .some(session)
        }
        switch found {
        case .some(let session): return session
        case .none: return anonymous(id, now)
        }
    }

    /// A session id as this store makes them: 64 lower-case hex digits.
    static func wellFormed(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The anonymous session of an id: nothing stored, its token derived from the id.
    func anonymous(_ id: String, _ now: Date) -> Session {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: anonymousKey)
        let token = mac.map { String(format: "%02x", $0) }.joined()
        return Session(id: id, csrfToken: token, viewer: nil, administratorName: nil, created: now, lastSeen: now)
    }

    /// Whether a session has run out: idle too long, or (signed in) past its lifetime.
    func expired(_ session: Session, _ now: Date) -> Bool {
        if now.timeIntervalSince(session.lastSeen) > limits.sessionIdleSeconds { return true }
        if session.viewer != nil, now.timeIntervalSince(session.created) > limits.sessionLifetimeSeconds { return true }
        return false
    }

    /// Starts a session nobody has signed in to (nothing is stored).
    public func startAnonymous(now: Date? = nil) -> Session {
        anonymous(Self.token(), now ?? clock())
    }

    /// Signs in: ends `previous` and starts a new session for `viewer`.
    public func signIn(
        _ viewer: Viewer, administratorName: String? = nil, credentialStamp: Date? = nil, replacing previous: String?, now: Date? = nil
    ) -> Session {
        let now = now ?? clock()
        let session = Session(
            id: Self.token(), csrfToken: Self.token(), viewer: viewer, administratorName: administratorName, created: now,
            lastSeen: now, credentialStamp: credentialStamp)
        state.withLock { s in
            if let previous { s.sessions[previous] = nil }
            s.sessions[session.id] = session
            // Expired sessions are swept now and then, so signed-in ones never pile up.
            if s.sessions.count % 256 == 0 { s.sessions = s.sessions.filter { !expired($0.value, now) } }
        }
        return session
    }

    /// Records a password change made in this session itself (it stays signed in).
    public func restamp(_ id: String?, credentialStamp: Date?) {
        guard let id else { return }
        state.withLock { s in s.sessions[id]?.credentialStamp = credentialStamp }
    }

    /// Ends a session.
    public func end(_ id: String?) {
        guard let id else { return }
        _ = state.withLock { $0.sessions.removeValue(forKey: id) }
    }

    /// Ends every session of a viewer (after a password change elsewhere, or a departure).
    public func end(viewer: Viewer, except keep: String? = nil) {
        state.withLock { s in s.sessions = s.sessions.filter { $0.value.viewer != viewer || $0.key == keep } }
    }

    /// How many sessions exist (tests).
    var count: Int { state.withLock { $0.sessions.count } }
}

/// The web console's limits and timeouts.
public struct WebLimits: Sendable, Hashable {
    /// Seconds without a request after which a session ends (default 30 minutes).
    public var sessionIdleSeconds: Double
    /// Seconds after sign-in after which a session ends whatever happens (default 12 hours).
    public var sessionLifetimeSeconds: Double
    /// The largest request body accepted (a form).
    public var maxFormBytes: Int
    /// The most people a search shows.
    public var maxSearchResults: Int
    /// The most connections one IP address may hold open at once (0: no limit); `serve`'s
    /// `--max-connections-per-address`, like LDAP's.
    public var maxConnectionsPerAddress: Int
    /// The largest upload (a `multipart/form-data` body, on the routes that take one: an import).
    public var maxUploadBytes: Int = 10 * 1024 * 1024

    public init(
        sessionIdleSeconds: Double = 1800, sessionLifetimeSeconds: Double = 12 * 3600, maxFormBytes: Int = 64 * 1024, maxSearchResults: Int = 200,
        maxConnectionsPerAddress: Int = 512
    ) {
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.sessionIdleSeconds = sessionIdleSeconds
        self.sessionLifetimeSeconds = sessionLifetimeSeconds
        self.maxFormBytes = maxFormBytes
        self.maxSearchResults = maxSearchResults
    }
}
