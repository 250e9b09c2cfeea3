public import Foundation

/// The security state of an account that binds: its lock and its last password change. Kept
/// with the account (durable, replicated through the change log), changed only by commands.
public struct AccountSecurity: Sendable, Hashable {
    /// When the account was locked after repeated failed binds (nil: not locked).
    public var lockedAt: Date?
    /// Until when it stays locked; a bind before then is refused as if the account did not exist.
    public var lockedUntil: Date?
    /// When its password was last set (nil: never, or before Roster recorded it).
    public var passwordChangedAt: Date?

    /// - Parameters: see the properties.
    public init(lockedAt: Date? = nil, lockedUntil: Date? = nil, passwordChangedAt: Date? = nil) {
        self.lockedAt = lockedAt
        self.lockedUntil = lockedUntil
        self.passwordChangedAt = passwordChangedAt
    }

    /// Records a new password: a new password also lifts a lock (an administrator's reset is how
    /// a locked member gets back in before the lock expires).
    public mutating func passwordChanged(at time: Date) {
        passwordChangedAt = time
        lockedAt = nil
        lockedUntil = nil
    }

    /// Whether the account is locked at `now`.
    public func isLocked(at now: Date) -> Bool {
        guard let lockedUntil else { return false }
        return lockedUntil > now
    }
}

/// An account that binds with a password: a member, or an administrator or service account.
public enum BindAccount: Sendable, Hashable {
    case member(Account)
    /// By key (the case-folded name).
    case administrator(String)

    /// A stable key for counting failures: `member:<account key>` or `admin:<key>`.
    public var key: String {
        switch self {
        case .member(let a): "member:\(a.key)"
        case .administrator(let k): "admin:\(k.lowercased())"
        }
    }

    /// The name as the audit log and the CLI show it.
    public var name: String {
        switch self {
        case .member(let a): a.value
        case .administrator(let k): k
        }
    }
}
