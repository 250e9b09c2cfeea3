public import Foundation
import Synchronization

/// Lockout and throttling of password checks, with documented defaults.
public struct LockoutPolicy: Sendable, Hashable {
    /// Failed binds of one account, within ``failureWindowSeconds``, that lock it. Default 5;
    /// 0 never locks. The super admin is never locked (the throttle still slows guessing).
    public var maxFailures: Int
    /// How long a lock lasts, in seconds. Default 900 (15 minutes).
    public var lockSeconds: Double
    /// Failures older than this are forgotten, in seconds. Default 900.
    public var failureWindowSeconds: Double
    /// Failed binds from one client address, within ``throttleWindowSeconds``, after which each
    /// further bind from it waits before its password is checked. Default 10; 0: no throttle.
    public var throttleAfter: Int
    /// The window the throttle counts in, in seconds. Default 60.
    public var throttleWindowSeconds: Double
    /// The first delay; each further failure doubles it, up to ``throttleMaxDelaySeconds``.
    /// Binds from one address are spaced by the delay, whatever connection they come on.
    /// Default 0.25 s.
    public var throttleBaseDelaySeconds: Double
    /// The longest delay. Default 8 s.
    public var throttleMaxDelaySeconds: Double

    /// - Parameters: see the properties.
    public init(
        maxFailures: Int = 5, lockSeconds: Double = 900, failureWindowSeconds: Double = 900, throttleAfter: Int = 10,
        throttleWindowSeconds: Double = 60, throttleBaseDelaySeconds: Double = 0.25, throttleMaxDelaySeconds: Double = 8
    ) {
        self.maxFailures = max(0, maxFailures)
        self.lockSeconds = max(1, lockSeconds)
        self.failureWindowSeconds = max(1, failureWindowSeconds)
        self.throttleAfter = max(0, throttleAfter)
        self.throttleWindowSeconds = max(1, throttleWindowSeconds)
        self.throttleBaseDelaySeconds = max(0, throttleBaseDelaySeconds)
        self.throttleMaxDelaySeconds = max(self.throttleBaseDelaySeconds, throttleMaxDelaySeconds)
    }
}

/// Counts failed binds per account and per client address, in memory: it decides when an account
/// locks (the lock itself is a durable command) and how long a bind from a guessing address
/// waits. Bounded: at most ``maximumTracked`` accounts and as many addresses are remembered; the
/// stalest are forgotten first.
public final class BindGuard: Sendable {
    public let policy: LockoutPolicy
    /// Most accounts, and most addresses, remembered at once: 65 536.
    public static let maximumTracked = 65_536

    private struct AddressState {
        var failures: [Date] = []
        /// The earliest time the next throttled bind from this address may be checked.
        var nextSlot = Date.distantPast
        /// When each check admitted and not yet finished was admitted.
        var inFlight: [Date] = []

        var lastSeen: Date { max(failures.last ?? .distantPast, inFlight.last ?? .distantPast) }
    }

    /// What a bind from an address may do.
    public enum Admission: Sendable, Equatable {
        /// Be checked at once.
        case now
        /// Wait this many seconds, then be checked.
        case wait(Double)
        /// Be refused at once (`busy`): the address is already queued for longer than twice
        /// ``LockoutPolicy/throttleMaxDelaySeconds``.
        case refuse
    }

    /// Checks from one address running or waiting at once before the excess counts as failures
    /// for the throttle: a burst of parallel guesses is slowed before its outcomes are known,
    /// while a client binding on many connections at once (an application server) is not.
    public static let inFlightAllowance = 32
    /// An admitted check that never reported its end is forgotten after this many seconds.
    static let inFlightExpiry: Double = 60

    private struct State {
        var accounts: [String: [Date]] = [:]
        /// The failures that locked an account, shown until its next successful bind (the count
        /// itself starts again at the lock).
        var atLock: [String: [Date]] = [:]
        var addresses: [String: AddressState] = [:]
    }

    private let state = Mutex(State())

    /// - Parameter policy: the lockout and throttle settings.
    public init(policy: LockoutPolicy = LockoutPolicy()) { self.policy = policy }

    /// Whether a bind from `address` may be checked now, after a wait, or not at all. Reserves
    /// the slot: concurrent binds from one address are spaced, not batched. Every admitted check
    /// must be followed by ``finished(address:)``.
    public func admit(address: String, now: Date = Date()) -> Admission {
        guard policy.throttleAfter > 0 else { return .now }
        return state.withLock { s in
            var a = s.addresses[address] ?? AddressState()
            if s.addresses[address] == nil, s.addresses.count >= Self.maximumTracked { Self.forgetStalest(&s.addresses) }
            let since = now.addingTimeInterval(-policy.throttleWindowSeconds)
            a.failures.removeAll { $0 < since }
            a.inFlight.removeAll { $0 < now.addingTimeInterval(-Self.inFlightExpiry) }
            let counted = a.failures.count + max(0, a.inFlight.count - Self.inFlightAllowance)
            let excess = counted - policy.throttleAfter
            guard excess >= 0 else {
                a.inFlight.append(now)
                s.addresses[address] = a
                return .now
            }
            let delay = min(policy.throttleBaseDelaySeconds * pow(2, Double(min(excess, 30))), policy.throttleMaxDelaySeconds)
            let slot = max(now, a.nextSlot).addingTimeInterval(delay)
            guard slot.timeIntervalSince(now) <= 2 * policy.throttleMaxDelaySeconds else {
                s.addresses[address] = a
                return .refuse
            }
            a.nextSlot = slot
            a.inFlight.append(now)
            s.addresses[address] = a
            return .wait(slot.timeIntervalSince(now))
        }
    }

    /// An admitted check has ended (answered, or its connection closed).
    public func finished(address: String) {
        guard policy.throttleAfter > 0 else { return }
        state.withLock { s in
            guard var a = s.addresses[address] else { return }
            if !a.inFlight.isEmpty { a.inFlight.removeFirst() }
            s.addresses[address] = a.inFlight.isEmpty && a.failures.isEmpty ? nil : a
        }
    }

    /// Records a failed bind; returns whether `account` has now failed often enough to lock (its
    /// count then starts again).
    public func failed(account: BindAccount?, address: String, now: Date = Date()) -> Bool {
        state.withLock { s in
            if policy.throttleAfter > 0 {
                var a = s.addresses[address] ?? AddressState()
                let since = now.addingTimeInterval(-policy.throttleWindowSeconds)
                a.failures.removeAll { $0 < since }
                // Enough to decide the delay; an address never holds more.
                if a.failures.count < policy.throttleAfter + 40 { a.failures.append(now) }
                if s.addresses[address] == nil, s.addresses.count >= Self.maximumTracked { Self.forgetStalest(&s.addresses) }
                s.addresses[address] = a
            }
            guard let account, policy.maxFailures > 0 else { return false }
            let since = now.addingTimeInterval(-policy.failureWindowSeconds)
            var failures = (s.accounts[account.key] ?? []).filter { $0 >= since }
            failures.append(now)
            if failures.count >= policy.maxFailures {
                s.accounts[account.key] = nil
                s.atLock[account.key] = failures
                if s.atLock.count > Self.maximumTracked { s.atLock.removeAll() }
                return true
            }
            if s.accounts[account.key] == nil, s.accounts.count >= Self.maximumTracked {
                if let stalest = s.accounts.min(by: { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }) {
                    s.accounts[stalest.key] = nil
                }
            }
            s.accounts[account.key] = failures
            return false
        }
    }

    /// Records a successful bind: the account's failures are forgotten.
    public func succeeded(account: BindAccount) {
        state.withLock { s in
            s.accounts[account.key] = nil
            s.atLock[account.key] = nil
        }
    }

    /// Forgets an account's failures (it was unlocked, or its password was reset).
    public func clear(account: BindAccount) { succeeded(account: account) }

    /// The account's failed binds still counted, oldest first.
    public func failures(of account: BindAccount, now: Date = Date()) -> [Date] {
        let since = now.addingTimeInterval(-policy.failureWindowSeconds)
        return state.withLock { s in (s.accounts[account.key] ?? []).filter { $0 >= since } }
    }

    /// The failed binds to show an administrator, oldest first: those still counted, after the
    /// ones that last locked the account (until its next successful bind).
    public func recordedFailures(of account: BindAccount, now: Date = Date()) -> [Date] {
        let counted = failures(of: account, now: now)
        return state.withLock { s in (s.atLock[account.key] ?? []) + counted }
    }

    private static func forgetStalest(_ addresses: inout [String: AddressState]) {
        // Drops the quarter of addresses whose last failure is oldest: amortised, not per insert.
        let sorted = addresses.sorted { $0.value.lastSeen < $1.value.lastSeen }
        for (key, _) in sorted.prefix(max(1, addresses.count / 4)) { addresses[key] = nil }
    }
}
