/// The keys of everything one command changed: what a store writes, and what a follower reloads.
public struct ChangeSet: Sendable, Hashable, Codable {
    public var departments: Set<DepartmentID> = []
    public var members: Set<String> = []
    public var groups: Set<String> = []
    public var administrators: Set<String> = []
    public var policy = false

    public init() {}

    /// Whether nothing changed.
    public var isEmpty: Bool {
        departments.isEmpty && members.isEmpty && groups.isEmpty && administrators.isEmpty && !policy
    }

    /// Adds another change set's keys.
    public mutating func formUnion(_ other: ChangeSet) {
        departments.formUnion(other.departments)
        members.formUnion(other.members)
        groups.formUnion(other.groups)
        administrators.formUnion(other.administrators)
        policy = policy || other.policy
    }
}

extension DepartmentID: Codable {
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(Int64.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
