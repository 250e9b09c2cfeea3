/// An account that administers or reads the directory rather than being a member of it.
public struct Administrator: Sendable, Hashable {
    /// What the account may do.
    public enum Role: Sendable, Hashable {
        /// `cn=admin,<base>`: everything, everywhere.
        case superAdmin
        /// 分管理员: administers the given department subtrees only.
        case subAdmin(scopes: [DepartmentID])
        /// A read-only service account (GitLab, SSSD…): reads the given subtrees (all when empty),
        /// optionally only the listed attributes.
        case service(scopes: [DepartmentID], attributes: [String]?)
    }

    public var name: String
    public var role: Role
    public var passwordHash: String?
    /// A member every login of this admin is recorded against.
    public var boundMember: Account?
    /// The lock after failed binds and the last password change.
    public var security = AccountSecurity()

    /// - Parameters: the account's fields; see the properties.
    public init(name: String, role: Role, passwordHash: String? = nil, boundMember: Account? = nil) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.boundMember = boundMember
    }

    /// The case-folded name that identifies the account.
    public var key: String { name.lowercased() }
}
