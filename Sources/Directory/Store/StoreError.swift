/// A failure of the store itself, not of a domain rule: the storage layer's error type, defined
/// here so that frontends can map it (LDAP `busy` (51)) without importing a storage module.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure.
    public enum Code: Sendable, Hashable {
        /// Another writer held the database longer than the store waits; nothing was applied.
        case busy
    }

    /// The class of failure.
    public var code: Code
    /// What happened, ready for a diagnosticMessage or a CLI error (never a password or a hash,
    /// nor where the database is or what its driver said: that goes in `detail`).
    public var message: String
    /// The technical cause, for the operator (the server's log, the CLI's error): the
    /// database's address, the driver's error. Never sent to an LDAP or web client.
    public var detail: String?

    /// - Parameters:
    ///   - code: the class of failure.
    ///   - message: what happened.
    ///   - detail: the technical cause, for the operator only.
    public init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    /// The message and, in parentheses, the detail: for the operator.
    public var description: String { detail.map { "\(message) (\($0))" } ?? message }
}
