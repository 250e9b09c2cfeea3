public import Foundation

/// A public group (公共群组): a named set of members across departments.
public struct Group: Sendable, Hashable {
    public var name: String
    public var description: String?
    /// Members, in the order they were added.
    public var members: [Account]
    public var uuid: UUID
    public var created: AuditStamp
    public var modified: AuditStamp

    /// - Parameters:
    ///   - name: the group's name, unique ignoring case.
    ///   - description: what the group is for.
    ///   - members: its members.
    public init(name: String, description: String? = nil, members: [Account] = [], uuid: UUID = UUID(),
                created: AuditStamp = .system) {
        self.name = name
        self.description = description
        self.members = members
        self.uuid = uuid
        self.created = created
        self.modified = created
    }

    /// The case-folded name that identifies the group.
    public var key: String { name.lowercased() }
}
