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
    }

    private struct State {
        var accounts: [String: [Date]] = [:]
        var addresses: [String: AddressState] = [:]
    }

    private let state = Mutex(State())

    /// - Parameter policy: the lockout and throttle settings.
    public init(policy: LockoutPolicy = LockoutPolicy()) { self.policy = policy }

    /// How long a bind from `address` must wait before its password is checked, in seconds (0:
    /// at once). Reserves the slot: concurrent binds from one address are spaced, not batched.
    public func admit(address: String, now: Date = Date()) -> Double {
        guard policy.throttleAfter > 0 else { return 0 }
        return state.withLock { s in
            guard var a = s.addresses[address] else { return 0 }
            let since = now.addingTimeInterval(-policy.throttleWindowSeconds)
            a.failures.removeAll { $0 < since }
            let excess = a.failures.count - policy.throttleAfter
            guard excess >= 0 else {
                s.addresses[address] = a
                return 0
            }
            let delay = min(policy.throttleBaseDelaySeconds * pow(2, Double(min(excess, 30))), policy.throttleMaxDelaySeconds)
            let slot = max(now, a.nextSlot).addingTimeInterval(delay)
            a.nextSlot = slot
            s.addresses[address] = a
            return slot.timeIntervalSince(now)
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
        state.withLock { s in s.accounts[account.key] = nil }
    }

    /// Forgets an account's failures (it was unlocked, or its password was reset).
    public func clear(account: BindAccount) { succeeded(account: account) }

    /// The account's failed binds still counted, oldest first.
    public func failures(of account: BindAccount, now: Date = Date()) -> [Date] {
        let since = now.addingTimeInterval(-policy.failureWindowSeconds)
        return state.withLock { s in (s.accounts[account.key] ?? []).filter { $0 >= since } }
    }

    private static func forgetStalest(_ addresses: inout [String: AddressState]) {
        // Drops the quarter of addresses whose last failure is oldest: amortised, not per insert.
        let sorted = addresses.sorted { ($0.value.failures.last ?? .distantPast) < ($1.value.failures.last ?? .distantPast) }
        for (key, _) in sorted.prefix(max(1, addresses.count / 4)) { addresses[key] = nil }
    }
}
