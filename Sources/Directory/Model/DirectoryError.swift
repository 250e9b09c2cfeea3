/// A domain rule broken by a command or a lookup that found nothing. The frontend maps the code to
/// an LDAP result code; the message names the field and the rule.
public struct DirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure.
    public enum Code: Sendable, Hashable {
        /// A value breaks a field's format rule.
        case invalidValue
        /// A value another entry already holds (account, mobile, e-mail, sibling name).
        case alreadyExists
        /// The named department, member or group does not exist.
        case notFound
        /// A rule about the whole entry (at least one contact; 15 levels; immutable account).
        case constraintViolation
        /// The entry has children or members and cannot be removed.
        case notEmpty
        /// The actor may not do this.
        case forbidden
        /// The credentials are wrong or the account may not bind.
        case invalidCredentials
        /// A member changing their own password did not prove the current one.
        case currentPasswordRequired
    }

    public var code: Code
    /// The field concerned, when there is one.
    public var field: MemberField?
    /// The message: the field and the rule, ready for a diagnosticMessage or a CLI error.
    public var message: String
    /// When the message names another member (`… is already used by zhangsan001`): that member,
    /// and the message to give a requester who may not see them.
    public var conflict: (account: Account, anonymousMessage: String)?

    public static func == (a: DirectoryError, b: DirectoryError) -> Bool {
        a.code == b.code && a.field == b.field && a.message == b.message
    }

    public func hash(into h: inout Hasher) {
        h.combine(code)
        h.combine(message)
    }

    /// - Parameters:
    ///   - code: the class of failure.
    ///   - field: the field concerned.
    ///   - message: the rule broken; the field name is prefixed when given.
    public init(_ code: Code, field: MemberField? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = field.map { "\($0.rawValue): \(message)" } ?? message
    }

    public var description: String { message }
}
