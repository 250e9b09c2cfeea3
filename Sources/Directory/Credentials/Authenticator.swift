public import Foundation
import Synchronization

/// A login by an administrator bound to a member (the seed's admin-login notice): recorded
/// against that member, who can read it on their own entry.
public struct LoginNotice: Sendable, Hashable {
    public var time: Date
    /// The administrator's name.
    public var administrator: String
    /// Where the login came from (the client's address).
    public var address: String

    public init(time: Date, administrator: String, address: String) {
        self.time = time
        self.administrator = administrator
        self.address = address
    }
}

/// Password checks for every way in (LDAP binds today, the web sign-in later): one place that
/// decides lockout, throttling, equal answers and timing for unknown and wrong, the bind audit,
/// the admin-login notice and the upgrade of imported hashes.
///
/// A check is prepared where the request arrives (cheap: it finds the account and its stored
/// hash, and how long the client's address must wait) and run where the server runs costly work.
/// Every refusal — unknown name, wrong password, locked, departed, no password — costs the same
/// work (a check against the stored hash or against a decoy hash of the default scheme) and is
/// answered no sooner than ``failureFloor`` after the check was prepared, so neither the answer
/// nor its timing tells whether an account exists or which scheme its hash uses.
public final class Authenticator: Sendable {
    public let hasher: any PasswordHasher
    public let guardian: BindGuard
    /// Where bind records go (nil: not recorded).
    public let audit: AuditTrail?
    /// Runs locks and hash upgrades (nil: a read-only server; locks stay in memory).
    public let writer: DirectoryService?
    /// The shortest time from preparing a refused check to answering it, in seconds.
    public let failureFloor: Double
    /// Whether an imported hash is replaced by the default at the account's next successful bind.
    public let upgradesHashes: Bool
    /// A hash of a random password in the default scheme, checked when there is no real one.
    let decoyHash: String
    private let notices = Mutex<[String: [LoginNotice]]>([:])
    /// In-memory locks, for when the durable lock could not be written.
    private let fallbackLocks = Mutex<[String: Date]>([:])
    private let upgrades = DispatchQueue(label: "roster.password-upgrade")
    /// Most notices kept per member.
    public static let noticesKept = 10

    /// - Parameters:
    ///   - hasher: hashes and verifies passwords.
    ///   - policy: lockout and throttle settings.
    ///   - audit: where bind records go.
    ///   - writer: runs locks and hash upgrades.
    ///   - failureFloor: the shortest time to a refusal, in seconds; nil measures the decoy check
    ///     and takes twice that, at least 20 ms and at most 2 s.
    ///   - upgradesHashes: replace an imported hash by the default at the next successful bind.
    public init(
        hasher: any PasswordHasher, policy: LockoutPolicy = LockoutPolicy(), audit: AuditTrail? = nil,
        writer: DirectoryService? = nil, failureFloor: Double? = nil, upgradesHashes: Bool = true
    ) {
        self.hasher = hasher
        self.upgradesHashes = upgradesHashes
        self.guardian = BindGuard(policy: policy)
        self.audit = audit
        self.writer = writer
        let decoy = hasher.hash(String(UInt64.random(in: 0...UInt64.max), radix: 36))
        self.decoyHash = decoy
        if let failureFloor {
            self.failureFloor = max(0, failureFloor)
        } else {
            var times: [Double] = []
            for _ in 0..<3 {
                let start = ContinuousClock.now
                _ = hasher.verify(Array("calibration".utf8), against: decoy)
                let d = ContinuousClock.now - start
                times.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            }
            self.failureFloor = min(max(2 * times.sorted()[1], 0.02), 2)
        }
    }

    /// Who a bind names, as the protocol layer found it.
    public struct Principal: Sendable {
        public var account: BindAccount
        /// The stored hash (nil: the account has none and cannot bind).
        public var hash: String?
        /// Whether it may bind at all (a departed member may not).
        public var active: Bool
        public var security: AccountSecurity
        /// Whether lockout applies (not to the super admin).
        public var lockable: Bool
        /// The member an administrator's logins are recorded against.
        public var boundMember: Account?

        public init(
            account: BindAccount, hash: String?, active: Bool = true, security: AccountSecurity = AccountSecurity(),
            lockable: Bool = true, boundMember: Account? = nil
        ) {
            self.account = account
            self.hash = hash
            self.active = active
            self.security = security
            self.lockable = lockable
            self.boundMember = boundMember
        }
    }

    /// Where a bind comes from.
    public struct Origin: Sendable {
        /// The client's IP address (the throttle's key).
        public var address: String
        /// For the audit log: `ldap 10.0.0.5:51234`.
        public var source: String

        public init(address: String, source: String) {
            self.address = address
            self.source = source
        }
    }

    /// Why a check failed, for the audit log only (the client always gets the same answer).
    public enum Refusal: String, Sendable {
        case unknown = "unknown name", wrongPassword = "wrong password", locked, departed, noPassword = "no password"
    }

    /// A prepared check.
    public struct Check: Sendable {
        let authenticator: Authenticator
        /// The name as the client gave it.
        public let name: String
        public let principal: Principal?
        public let origin: Origin
        /// When it was prepared: a refusal is answered no sooner than ``failureFloor`` after.
        public let prepared: ContinuousClock.Instant
        /// How long the client's address must wait before the password is checked, in seconds.
        public let wait: Double
        /// Whether the client's address has so many binds queued that this one is refused at
        /// once (``busyAnswer``), before any account is looked at.
        public let throttled: Bool
        /// Set when the check must fail whatever the password (locked, departed, no hash).
        let refusal: Refusal?

        /// Whether the check may run where it stands: one digest of a short password, no wait.
        public func isCheap(_ password: [UInt8]) -> Bool {
            guard wait == 0, refusal == nil, let hash = principal?.hash else { return false }
            return authenticator.hasher.isCheapToVerify(password, against: hash)
        }

        /// Checks a cheap password where it stands: the result on success, nil when it failed
        /// (then ``run(_:)`` must be called where costly work runs: it does the decoy work,
        /// records the failure and times the refusal).
        public func runCheap(_ password: [UInt8]) -> Result? {
            guard let principal, let hash = principal.hash, refusal == nil,
                authenticator.hasher.verify(password, against: hash)
            else { return nil }
            return authenticator.succeed(self, principal, password)
        }

        /// Checks the password (costly: run it off the event loop).
        public func run(_ password: [UInt8]) -> Result {
            let a = authenticator
            if let refusal {
                _ = a.hasher.verify(password, against: a.decoyHash)
                return a.fail(self, refusal)
            }
            guard let principal, let hash = principal.hash else {
                _ = a.hasher.verify(password, against: a.decoyHash)
                return a.fail(self, .unknown)
            }
            if a.hasher.isCheapToVerify(password, against: hash) {
                // Costs nothing: do the decoy's work too, so the refusal costs what others cost.
                if a.hasher.verify(password, against: hash) { return a.succeed(self, principal, password) }
                _ = a.hasher.verify(password, against: a.decoyHash)
                return a.fail(self, .wrongPassword)
            }
            guard a.hasher.verify(password, against: hash) else { return a.fail(self, .wrongPassword) }
            return a.succeed(self, principal, password)
        }
    }

    /// What a check decided.
    public struct Result: Sendable {
        /// Who authenticated (nil: refused, with the one answer for every refusal).
        public let account: BindAccount?
        /// Answer no sooner than this.
        public let notBefore: ContinuousClock.Instant?
    }

    /// Prepares a check of a bind naming `principal` (nil: nobody).
    public func prepare(name: String, principal: Principal?, origin: Origin, now: Date = Date()) -> Check {
        var refusal: Refusal?
        if let p = principal {
            if !p.active {
                refusal = .departed
            } else if p.hash == nil {
                refusal = .noPassword
            } else if p.lockable, p.security.isLocked(at: now) || fallbackLocked(p.account, now) {
                refusal = .locked
            }
        }
        let admission = guardian.admit(address: origin.address, now: now)
        var wait = 0.0
        if case .wait(let w) = admission { wait = w }
        if admission == .refuse {
            audit?.record(
                AuditRecord(
                    time: now, actor: Self.clip(name), source: origin.source, action: "bind.failure", target: "",
                    after: ["reason": "throttled"]))
        }
        return Check(
            authenticator: self, name: name, principal: principal, origin: origin, prepared: .now, wait: wait,
            throttled: admission == .refuse, refusal: refusal)
    }

    /// What a throttled address is told (the same for every name: it says nothing of accounts).
    public static let busyAnswer = "too many failed binds from this address; try again later"

    /// Records a bind refused before any check (a password in the clear from a remote address).
    public func recordRefused(name: String, origin: Origin, reason: String) {
        audit?.record(
            AuditRecord(
                time: Date(), actor: Self.clip(name), source: origin.source, action: "bind.failure", target: "",
                after: ["reason": reason]))
    }

    // MARK: - Outcomes

    private func succeed(_ check: Check, _ principal: Principal, _ password: [UInt8]) -> Result {
        guardian.finished(address: check.origin.address)
        guardian.succeeded(account: principal.account)
        let now = Date()
        audit?.record(
            AuditRecord(time: now, actor: Self.clip(check.name), source: check.origin.source, action: "bind", target: principal.account.name))
        if let member = principal.boundMember {
            let notice = LoginNotice(time: now, administrator: principal.account.name, address: check.origin.address)
            remember(notice, for: member)
            audit?.record(
                AuditRecord(
                    time: now, actor: Self.clip(check.name), source: check.origin.source, action: "admin.login", target: member.value,
                    after: ["administrator": principal.account.name, "address": check.origin.address]))
        }
        if upgradesHashes, let hash = principal.hash, hasher.needsRehash(hash), let writer, let plain = String(validating: password, as: UTF8.self) {
            let hasher = self.hasher
            upgrades.async {
                let upgraded = hasher.hash(plain)
                let context = CommandContext(actor: "roster", source: "password upgrade at bind", role: .superAdmin)
                _ = try? writer.execute(.upgradePasswordHash(principal.account, from: hash, to: upgraded), by: context)
            }
        }
        return Result(account: principal.account, notBefore: nil)
    }

    private func fail(_ check: Check, _ refusal: Refusal) -> Result {
        guardian.finished(address: check.origin.address)
        let now = Date()
        let counted = check.principal.flatMap { p -> BindAccount? in
            // Locked, departed and password-less accounts are not counted again.
            refusal == .wrongPassword && p.lockable ? p.account : nil
        }
        let reachedHere = guardian.failed(account: counted, address: check.origin.address, now: now)
        if let account = counted, reachedHere || failedOnOtherNodesToo(account, now) {
            lock(account, now)
        }
        audit?.record(
            AuditRecord(
                time: now, actor: Self.clip(check.name), source: check.origin.source, action: "bind.failure",
                target: check.principal?.account.name ?? "", after: ["reason": refusal.rawValue]))
        return Result(account: nil, notBefore: check.prepared + .milliseconds(Int64(failureFloor * 1000)))
    }

    /// With several nodes on one database, whether this failure and those the audit log holds
    /// (every node's, since the account's last success or lock) reach the lockout count. Found
    /// by review: each node counted only its own, so three nodes gave a guesser three times the
    /// tries. (This failure is not in the log yet: it is recorded after this check.)
    private func failedOnOtherNodesToo(_ account: BindAccount, _ now: Date) -> Bool {
        let policy = guardian.policy
        guard policy.maxFailures > 0, let writer, writer.servesSeveralNodes,
            let earlier = try? writer.recentBindFailures(account: account.name, window: policy.failureWindowSeconds, sinceLock: true, now: now)
        else { return false }
        return earlier.count + 1 >= policy.maxFailures
    }

    private func lock(_ account: BindAccount, _ now: Date) {
        let until = now.addingTimeInterval(guardian.policy.lockSeconds)
        let context = CommandContext(actor: "roster", source: "lockout", time: now, role: .superAdmin)
        do {
            guard let writer else { throw StoreError(.busy, "no writer") }
            try writer.execute(.lockAccount(account, until: until), by: context)
        } catch {
            fallbackLocks.withLock { $0[account.key] = until }
        }
    }

    private func fallbackLocked(_ account: BindAccount, _ now: Date) -> Bool {
        fallbackLocks.withLock { locks in
            guard let until = locks[account.key] else { return false }
            if until <= now { locks[account.key] = nil }
            return until > now
        }
    }

    /// Forgets an account's failures and any in-memory lock (after an unlock or a reset).
    public func cleared(_ account: BindAccount) {
        guardian.clear(account: account)
        _ = fallbackLocks.withLock { $0.removeValue(forKey: account.key) }
    }

    // MARK: - Notices

    /// The latest administrators' logins recorded against `member`, newest first.
    public func notices(for member: Account) -> [LoginNotice] {
        notices.withLock { $0[member.key] ?? [] }
    }

    private func remember(_ notice: LoginNotice, for member: Account) {
        notices.withLock { all in
            var list = all[member.key] ?? []
            list.insert(notice, at: 0)
            if list.count > Self.noticesKept { list.removeLast(list.count - Self.noticesKept) }
            all[member.key] = list
        }
    }

    /// Loads the notices of the last `days` days from the audit log (at start).
    public func loadNotices(from service: DirectoryService, days: Double = 90) {
        let since = Date().addingTimeInterval(-days * 86_400).timeIntervalSince1970
        // The newest bind records (a busy directory has more than are worth reading), oldest first.
        guard let newest = try? service.audit(AuditQuery(since: since, kind: .bind, limit: 100_000, newestFirst: true)) else { return }
        notices.withLock { all in
            for r in newest.reversed() where r.action == "admin.login" {
                guard let member = try? Account(parsing: r.target) else { continue }
                var list = all[member.key] ?? []
                list.insert(LoginNotice(time: r.time, administrator: r.after["administrator"] ?? r.actor, address: r.after["address"] ?? ""), at: 0)
                if list.count > Self.noticesKept { list.removeLast(list.count - Self.noticesKept) }
                all[member.key] = list
            }
        }
    }

    static func clip(_ s: String) -> String { s.count <= 256 ? s : String(s.prefix(256)) + "…" }
}
