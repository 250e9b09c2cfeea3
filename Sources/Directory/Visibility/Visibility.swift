/// What one viewer may see of the directory: decided here, before anything becomes an LDAP entry.
///
/// This is the first cut: administrators see everything; everyone else sees every department and
/// active member that is not hidden, themselves, and the public groups. Per-department scopes,
/// field policy and service-account scopes refine it (see the domain-core issue).
public struct Visibility: Sendable {
    public let viewer: Viewer
    public let model: DirectoryModel

    /// - Parameters:
    ///   - viewer: who is reading.
    ///   - model: the directory as of this read.
    public init(viewer: Viewer, model: DirectoryModel) {
        self.viewer = viewer
        self.model = model
    }

    /// Whether the viewer is the super admin or a sub-admin (they see departed members and system entries).
    public var isAdministrator: Bool {
        guard case .administrator(let key) = viewer, let a = model.administrator(key) else { return false }
        switch a.role {
        case .superAdmin, .subAdmin: return true
        case .service: return false
        }
    }

    /// Whether the viewer may see this department.
    public func canSee(department id: DepartmentID) -> Bool {
        if isAdministrator { return true }
        for d in model.path(to: id) where model.department(d)?.hidden == true {
            return false
        }
        return model.department(id) != nil
    }

    /// Whether the viewer may see this member.
    public func canSee(member: Member) -> Bool {
        if case .member(let me) = viewer, me == member.account { return true }
        if isAdministrator { return true }
        guard member.isActive, !member.hidden else { return false }
        return member.departments.contains { canSee(department: $0) }
    }

    /// Whether the viewer may see the system entries: departed members, admins, services.
    public var canSeeSystemEntries: Bool { isAdministrator }
}
