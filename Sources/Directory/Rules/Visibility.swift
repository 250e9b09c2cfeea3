/// Whether anonymous clients may read the directory.
public enum AnonymousPolicy: Sendable, Hashable {
    /// Anonymous clients see only the rootDSE and the subschema (the default).
    case nothing
    /// Anonymous clients read the directory with the fields the field policy shows (an intranet
    /// address book).
    case readShownFields
}

/// What one viewer may see of the directory: decided here, before anything becomes an LDAP entry.
///
/// Rules (DESIGN §2): a member sees the union, over their departments, of what each department's
/// effective scope allows (`all`: everything; `department`: the subtree of the department carrying
/// the setting; `subdepartment`: the subtree of the department they are directly in; `inherit`:
/// the nearest ancestor's setting, top level `all`), always their own entry, and the departments on
/// the path to anything they see. Hidden departments and members are seen only by administrators
/// in scope and by themselves; departed members by administrators only. A member whose primary
/// department (where the entry lives) is hidden from the viewer is invisible however it is
/// reached: base search, group members, manager, leaders, memberOf, counts. Fields whose policy is
/// "not shown" are visible only to the member and to administrators. Sub-admins see their subtrees
/// whole; service accounts read their scopes (all when none) without hidden or departed entries,
/// limited to their attribute allow-list.
///
/// Every decision costs O(tree depth).
public struct Visibility: Sendable {
    public let viewer: Viewer
    public let model: DirectoryModel
    /// Roots of the subtrees whose members and departments the viewer sees (nil: everything).
    let roots: Set<DepartmentID>?
    /// Departments on the path to something visible (seen for navigation).
    let navigation: Set<DepartmentID>
    let kind: Kind
    /// The viewer's own departments (a hidden department is visible to its members).
    let own: Set<DepartmentID>

    enum Kind: Sendable, Hashable {
        case superAdmin, subAdmin, service, member, anonymous, nobody
    }

    /// - Parameters:
    ///   - viewer: who is reading.
    ///   - model: the directory as of this read.
    ///   - anonymous: what anonymous clients may read.
    public init(viewer: Viewer, model: DirectoryModel, anonymous: AnonymousPolicy = .nothing) {
        self.viewer = viewer
        self.model = model
        var roots: Set<DepartmentID>? = nil
        var own: Set<DepartmentID> = []
        switch viewer {
        case .anonymous:
            kind = anonymous == .readShownFields ? .anonymous : .nobody
            roots = anonymous == .readShownFields ? nil : []
        case .administrator(let key):
            switch model.administrator(key)?.role {
            case .superAdmin?: kind = .superAdmin
            case .subAdmin(let scopes)?:
                // A scope naming a deleted department grants nothing (ids are never reused, but a
                // departed member's previous department may be that same deleted id).
                kind = .subAdmin
                roots = Set(scopes.filter { model.department($0) != nil })
            case .service(let scopes, _)?:
                // No scopes: the whole directory; scopes that all name deleted departments: nothing.
                kind = .service
                roots = scopes.isEmpty ? nil : Set(scopes.filter { model.department($0) != nil })
            case nil:
                kind = .nobody
                roots = []
            }
        case .member(let account):
            guard let me = model.member(account.key), me.isActive else {
                kind = .nobody
                roots = []
                break
            }
            kind = .member
            own = Set(me.departments)
            var set = Set<DepartmentID>()
            for d in me.departments {
                switch Self.effectiveScope(of: d, in: model) {
                case (.all, _): set = [.root]
                case (.department, let carrier): set.insert(carrier)
                case (.subdepartment, _), (.inherit, _): set.insert(d)
                }
                if set == [.root] { break }
            }
            roots = set.contains(.root) ? nil : set
        }
        self.roots = roots
        self.own = own
        var navigation = Set<DepartmentID>()
        for r in roots ?? [] { navigation.formUnion(model.path(to: r)) }
        for d in own { navigation.formUnion(model.path(to: d)) }
        // A visible member whose primary department lies outside the visible subtrees (a class
        // teacher seen by the class) is reached through that department: its path is navigation.
        if let roots, !roots.isEmpty {
            func within(_ id: DepartmentID) -> Bool {
                var cursor: DepartmentID? = id
                while let c = cursor {
                    if roots.contains(c) { return true }
                    cursor = model.department(c)?.parent
                }
                return false
            }
            // Only members in several departments can be in a subtree while their primary
            // department is outside it: the model keeps them apart, so this costs what they are,
            // not what the viewer's scope holds (found by the benchmark: a member's every search
            // walked every member of its scope).
            for m in model.membersInSeveralDepartments where !within(m.primaryDepartment) {
                if m.departments.contains(where: { $0 != m.primaryDepartment && within($0) }) {
                    navigation.formUnion(model.path(to: m.primaryDepartment))
                }
            }
        }
        self.navigation = navigation
    }

    /// The scope in force for members directly in `id`, and the department that carries it.
    public static func effectiveScope(of id: DepartmentID, in model: DirectoryModel) -> (VisibilityScope, DepartmentID) {
        var cursor: DepartmentID? = id
        while let c = cursor, let d = model.department(c) {
            if d.scope != .inherit { return (d.scope, c) }
            if d.parent == .root || d.parent == nil { return (.all, c) }
            cursor = d.parent
        }
        return (.all, .root)
    }

    /// Whether the viewer is the super admin or a sub-admin.
    public var isAdministrator: Bool { kind == .superAdmin || kind == .subAdmin }

    /// Whether the viewer administers `member` (the super admin, or a sub-admin whose scope
    /// holds it): who sees its lock, failed binds and last password change.
    public func administers(member: Member) -> Bool {
        guard isAdministrator else { return false }
        return model.mayAdminister(member: member, as: model.role(of: viewer))
    }

    /// Whether the viewer is `member` itself.
    public func isSelf(_ member: Member) -> Bool {
        if case .member(let a) = viewer { return a.key == member.account.key }
        return false
    }

    /// Whether the viewer sees the node's health on the rootDSE (its store, change-log position,
    /// listening connection): the super admin and service accounts (monitoring) only, as it
    /// reveals the topology.
    public var seesNodeHealth: Bool { kind == .superAdmin || kind == .service }

    /// Whether the viewer can see anything beyond the rootDSE and the subschema.
    public var readsDirectory: Bool { kind != .nobody }

    /// Whether `id` lies in one of the visible subtrees.
    func inScope(_ id: DepartmentID) -> Bool {
        guard let roots else { return true }
        if roots.isEmpty { return false }
        var cursor: DepartmentID? = id
        while let c = cursor {
            if roots.contains(c) { return true }
            cursor = model.department(c)?.parent
        }
        return false
    }

    /// Whether a department or one of its ancestors is hidden (and the viewer is not in it).
    func hiddenFromViewer(_ id: DepartmentID) -> Bool {
        if kind == .superAdmin || kind == .subAdmin { return false }
        var cursor: DepartmentID? = id
        while let c = cursor, let d = model.department(c) {
            if d.hidden && !own.contains(c) { return true }
            cursor = d.parent
        }
        return false
    }

    /// Whether the viewer may see this department's entry.
    public func canSee(department id: DepartmentID) -> Bool {
        guard model.department(id) != nil, kind != .nobody else { return false }
        if kind == .superAdmin { return true }
        if navigation.contains(id) { return !hiddenFromViewer(id) || own.contains(id) }
        return inScope(id) && !hiddenFromViewer(id)
    }

    /// Whether the viewer may see this member's entry.
    public func canSee(member: Member) -> Bool {
        if case .member(let me) = viewer, me == member.account, member.isActive { return true }
        switch kind {
        case .nobody: return false
        case .superAdmin: return true
        case .subAdmin:
            if case .departed(_, _, let previous) = member.status { return previous.contains { inScope($0) } }
            return member.departments.contains { inScope($0) }
        case .service, .member, .anonymous:
            // The entry lives under its primary department: a member whose primary department is
            // hidden from the viewer is invisible by every path, not only in subtree walks.
            guard member.isActive, !member.hidden, !hiddenFromViewer(member.primaryDepartment) else { return false }
            return member.departments.contains { inScope($0) && !hiddenFromViewer($0) }
        }
    }

    /// Whether the viewer may see a field of a member it can see.
    public func canSee(field: MemberField, of member: Member) -> Bool {
        if field == .password { return false }
        if case .member(let me) = viewer, me == member.account { return true }
        switch kind {
        case .superAdmin, .subAdmin: return true
        case .service: return true
        case .member, .anonymous: return model.fieldPolicy.rule(field).shown
        case .nobody: return false
        }
    }

    /// The LDAP attribute names (lower-cased) a service account is limited to, if it has a list.
    public var attributeAllowList: Set<String>? {
        guard case .administrator(let key) = viewer, case .service(_, let attributes)? = model.administrator(key)?.role,
            let attributes
        else { return nil }
        return Set(attributes.map { $0.lowercased() })
    }

    /// Whether the viewer may see the system entries: departed members, admins, services.
    public var canSeeSystemEntries: Bool { isAdministrator }

    /// Whether the viewer may see the public groups.
    public var canSeeGroups: Bool { kind != .nobody }
}
