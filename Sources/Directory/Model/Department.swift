public import Foundation

/// A department (部门): a node of the tree rooted at the organisation.
public struct Department: Sendable, Hashable, Identifiable {
    public var id: DepartmentID
    /// 1–50 display columns, unique among siblings.
    public var name: String
    /// nil only for the root.
    public var parent: DepartmentID?
    /// Smaller first, then by name.
    public var order: Int
    public var scope: VisibilityScope
    /// 部门负责人.
    public var leaders: [Account]
    public var hidden: Bool
    public var description: String?
    public var uuid: UUID
    public var created: AuditStamp
    public var modified: AuditStamp

    /// - Parameters: the department's fields; see the properties.
    public init(
        id: DepartmentID, name: String, parent: DepartmentID?, order: Int = 0, scope: VisibilityScope = .inherit,
        leaders: [Account] = [], hidden: Bool = false, description: String? = nil, uuid: UUID = UUID(),
        created: AuditStamp = .system, modified: AuditStamp? = nil
    ) {
        self.id = id
        self.name = name
        self.parent = parent
        self.order = order
        self.scope = scope
        self.leaders = leaders
        self.hidden = hidden
        self.description = description
        self.uuid = uuid
        self.created = created
        self.modified = modified ?? created
    }
}

/// Who did something, and when.
public struct AuditStamp: Sendable, Hashable {
    /// The actor's name (an LDAP DN or a CLI identity).
    public var actor: String
    public var time: Date

    /// - Parameters:
    ///   - actor: who.
    ///   - time: when.
    public init(actor: String, time: Date) {
        self.actor = actor
        self.time = time
    }

    /// The stamp of entries created by the system itself.
    public static var system: AuditStamp { AuditStamp(actor: "roster", time: Date()) }
}
