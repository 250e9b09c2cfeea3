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
    /// What happened, ready for a diagnosticMessage or a CLI error (never a password or a hash).
    public var message: String

    /// - Parameters:
    ///   - code: the class of failure.
    ///   - message: what happened.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
