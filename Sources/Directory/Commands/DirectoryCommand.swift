public import Foundation

/// Every write to the directory, whatever its source (LDAP, CLI, import, reconcile), is one of
/// these, validated by ``DirectoryModel/apply(_:by:)`` with the same rules and recorded in the
/// same audit log. Commands carry everything they need (hashes, not passwords), so applying one
/// is deterministic.
public enum DirectoryCommand: Sendable, Hashable {
    case createDepartment(DepartmentDraft)
    /// Creates a department and the missing departments above it, all or nothing: `parents` are
    /// the names walked down from `leaf.parent` (existing ones are used, missing ones created with
    /// default settings), then `leaf` is created below the last of them.
    case createDepartmentPath(parents: [String], leaf: DepartmentDraft)
    case updateDepartment(DepartmentID, DepartmentChanges)
    /// Moves a department (with its subtree) and optionally renames it, in one step.
    case moveDepartment(DepartmentID, to: DepartmentID, rename: String? = nil)
    case deleteDepartment(DepartmentID)

    /// Creates a member; `fields` uses the one vocabulary (name, mobile, email…).
    case createMember(account: String, fields: [MemberField: String], departments: [DepartmentID], passwordHash: String?)
    /// Sets (or, with nil, clears) fields of a member, and optionally its password, in one step.
    case updateMember(Account, fields: [MemberField: String?], passwordHash: String? = nil)
    /// Replaces a member's departments; the first is the primary one.
    case setDepartments(Account, [DepartmentID])
    /// Departure (离职): keeps the data, hides the member from all but admins, forbids binds.
    case depart(Account)
    /// Reinstatement (复职): into the given departments, or the previous ones when nil.
    case reinstate(Account, into: [DepartmentID]?)
    /// Erasure: only for a departed member; irreversible.
    case erase(Account)
    case setPassword(Account, hash: String)

    case createGroup(name: String, description: String?, members: [Account])
    case updateGroup(String, newName: String?, description: String??)
    case addGroupMembers(String, [Account])
    case removeGroupMembers(String, [Account])
    case deleteGroup(String)
    /// Sets a group's members (and optionally its description) to exactly these, in one step.
    case setGroup(String, members: [Account], description: String??)

    case setFieldPolicy(MemberField, FieldPolicy.Rule)
    /// Replaces the rules new passwords must meet.
    case setPasswordPolicy(PasswordPolicy)
    /// Locks an account until the given time (after repeated failed binds), or unlocks it (nil).
    case lockAccount(BindAccount, until: Date?)
    /// Replaces a stored hash by one of the same password in the default scheme (after a
    /// successful bind with an imported hash); refused when the stored hash is no longer `from`.
    case upgradePasswordHash(BindAccount, from: String, to: String)
    case putAdministrator(Administrator)
    /// Sets an administrator's or service account's password (the super admin, or the account itself).
    case setAdministratorPassword(String, hash: String)
    case removeAdministrator(String)
    case renameOrganization(String)

    /// A short name of the command for the audit log.
    public var action: String {
        switch self {
        case .createDepartment: "department.create"
        case .createDepartmentPath: "department.createPath"
        case .updateDepartment: "department.update"
        case .moveDepartment: "department.move"
        case .deleteDepartment: "department.delete"
        case .createMember: "member.create"
        case .updateMember: "member.update"
        case .setDepartments: "member.setDepartments"
        case .depart: "member.depart"
        case .reinstate: "member.reinstate"
        case .erase: "member.erase"
        case .setPassword: "member.setPassword"
        case .createGroup: "group.create"
        case .updateGroup: "group.update"
        case .addGroupMembers: "group.addMembers"
        case .removeGroupMembers: "group.removeMembers"
        case .deleteGroup: "group.delete"
        case .setGroup: "group.set"
        case .setFieldPolicy: "policy.field"
        case .setPasswordPolicy: "policy.password"
        case .lockAccount(_, let until): until == nil ? "account.unlock" : "account.lock"
        case .upgradePasswordHash: "password.upgrade"
        case .putAdministrator: "admin.put"
        case .setAdministratorPassword: "admin.setPassword"
        case .removeAdministrator: "admin.remove"
        case .renameOrganization: "organization.rename"
        }
    }
}

/// The fields of a new department.
public struct DepartmentDraft: Sendable, Hashable {
    public var name: String
    public var parent: DepartmentID
    public var order: Int
    public var scope: VisibilityScope
    public var hidden: Bool
    public var leaders: [Account]
    public var description: String?

    /// - Parameters: see ``Department``.
    public init(
        name: String, parent: DepartmentID, order: Int = 0, scope: VisibilityScope = .inherit, hidden: Bool = false,
        leaders: [Account] = [], description: String? = nil
    ) {
        self.name = name
        self.parent = parent
        self.order = order
        self.scope = scope
        self.hidden = hidden
        self.leaders = leaders
        self.description = description
    }
}

/// Changes to a department; nil leaves a field as it is.
public struct DepartmentChanges: Sendable, Hashable {
    public var name: String?
    public var order: Int?
    public var scope: VisibilityScope?
    public var hidden: Bool?
    public var leaders: [Account]?
    public var description: String??

    public init(
        name: String? = nil, order: Int? = nil, scope: VisibilityScope? = nil, hidden: Bool? = nil,
        leaders: [Account]? = nil, description: String?? = nil
    ) {
        self.name = name
        self.order = order
        self.scope = scope
        self.hidden = hidden
        self.leaders = leaders
        self.description = description
    }
}

/// Who issued a command, from where, and when.
public struct CommandContext: Sendable, Hashable {
    /// The actor's name: an LDAP DN, or `cli:<user>`.
    public var actor: String
    /// Where it came from: `ldap 127.0.0.1:51234`, `cli`, `import FILE`.
    public var source: String
    public var time: Date
    /// The actor's rights; commands check them.
    public var role: ActorRole
    /// The administrator or service account issuing the command, if it is one (by key).
    public var actorAdministrator: String?
    /// The identity issuing the command. When set, its rights are decided by the domain
    /// (``DirectoryModel/role(of:)``) against the model the command is applied to — under the
    /// write lock, not from an older snapshot — and ``role`` and ``actorAdministrator`` are
    /// derived from it.
    public var viewer: Viewer?
    /// Whether the issuer proved the current password of the account whose password the command
    /// changes (RFC 3062 `oldPasswd`, or a modify deleting the old value). A member changing
    /// their own password must have; an administrator resetting one in scope need not.
    public var currentPasswordVerified: Bool

    /// - Parameters: see the properties.
    public init(
        actor: String, source: String, time: Date = Date(), role: ActorRole = .superAdmin,
        actorAdministrator: String? = nil, currentPasswordVerified: Bool = false
    ) {
        self.actorAdministrator = actorAdministrator
        self.actor = actor
        self.source = source
        self.time = time
        self.role = role
        self.currentPasswordVerified = currentPasswordVerified
    }

    /// A context whose rights the domain derives from `viewer` when the command is applied.
    /// - Parameters:
    ///   - actor: the actor's name (an LDAP DN, `anonymous`).
    ///   - source: where the command came from.
    ///   - time: when.
    ///   - viewer: the bound identity.
    ///   - currentPasswordVerified: whether the current password was proven.
    public init(actor: String, source: String, time: Date = Date(), viewer: Viewer, currentPasswordVerified: Bool = false) {
        self.init(actor: actor, source: source, time: time, role: .readOnly, currentPasswordVerified: currentPasswordVerified)
        self.viewer = viewer
        if case .administrator(let key) = viewer { actorAdministrator = key }
    }

    var stamp: AuditStamp { AuditStamp(actor: actor, time: time) }
}

/// What the issuer of a command may change.
public enum ActorRole: Sendable, Hashable {
    /// Everything (the super admin, the CLI on the database file).
    case superAdmin
    /// Only inside these department subtrees.
    case subAdmin([DepartmentID])
    /// Only their own entry, and only self-editable fields.
    case member(Account)
    /// Nothing (service accounts, anonymous).
    case readOnly
}

/// What a command did, for the audit log.
public struct AuditRecord: Sendable, Hashable {
    public var time: Date
    public var actor: String
    public var source: String
    public var action: String
    /// What it acted on: an account, a department path, a group name.
    public var target: String
    /// Field values before and after (never a password or a hash).
    public var before: [String: String]
    public var after: [String: String]

    /// - Parameters: see the properties.
    public init(
        time: Date, actor: String, source: String, action: String, target: String, before: [String: String] = [:],
        after: [String: String] = [:]
    ) {
        self.time = time
        self.actor = actor
        self.source = source
        self.action = action
        self.target = target
        self.before = before
        self.after = after
    }
}
