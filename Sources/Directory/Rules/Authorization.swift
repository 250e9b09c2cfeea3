/// Write rights, in one place: which identity has which role, which administrator may change
/// what in which subtree, and what a member may change on their own entry. LDAP, the CLI and
/// imports ask here; none decides it itself.
extension DirectoryModel {
    // MARK: - Identity to rights

    /// The rights an identity has in this directory.
    ///
    /// Anonymous and service accounts (read-only) write nothing; an active member writes only
    /// their own entry; a sub-admin administers the subtrees of their scopes that still exist (a
    /// scope naming a deleted department grants nothing); the super admin everything.
    /// - Parameter viewer: the bound identity.
    /// - Returns: the actor's role for commands.
    public func role(of viewer: Viewer) -> ActorRole {
        switch viewer {
        case .anonymous: return .readOnly
        case .member(let account):
            guard let m = member(account.key), m.isActive else { return .readOnly }
            return .member(m.account)
        case .administrator(let key):
            switch administrator(key)?.role {
            case .superAdmin?: return .superAdmin
            case .subAdmin(let scopes)?: return .subAdmin(scopes.filter { department($0) != nil })
            case .service?, nil: return .readOnly
            }
        }
    }

    /// Whether `role` administers department `id`: the super admin everywhere, a sub-admin inside
    /// the subtrees of their (existing) scopes.
    public func mayAdminister(department id: DepartmentID, as role: ActorRole) -> Bool {
        switch role {
        case .superAdmin: return department(id) != nil
        case .subAdmin(let scopes): return scopes.contains { isDepartment(id, within: $0) }
        case .member, .readOnly: return false
        }
    }

    /// Whether `role` administers `member`: every one of its departments (current, or previous
    /// for a departed member) lies inside the actor's subtrees. A deleted previous department
    /// lies inside no sub-admin's subtree, so such a member is left to the super admin.
    public func mayAdminister(member: Member, as role: ActorRole) -> Bool {
        switch role {
        case .superAdmin: return true
        case .subAdmin(let scopes):
            var departments = member.departments
            if case .departed(_, _, let previous) = member.status { departments = previous }
            guard !departments.isEmpty else { return false }
            return departments.allSatisfy { d in scopes.contains { isDepartment(d, within: $0) } }
        case .member, .readOnly: return false
        }
    }

    /// Whether `role` is the member `account` acting on their own entry.
    public func isSelf(_ account: Account, as role: ActorRole) -> Bool {
        if case .member(let me) = role { return me == account }
        return false
    }

    /// Whether a member may change `field` on their own entry (成员自行修改).
    public func mayEditOwn(_ field: MemberField) -> Bool {
        switch field {
        case .account, .name, .department, .followStatus, .hidden, .pinned: return false
        default: return fieldPolicy.rule(field).selfEditable
        }
    }

    /// The context with its role and administrator decided from its viewer against this model.
    func resolved(_ context: CommandContext) -> CommandContext {
        guard let viewer = context.viewer else { return context }
        var ctx = context
        ctx.role = role(of: viewer)
        if case .administrator(let key) = viewer { ctx.actorAdministrator = key } else { ctx.actorAdministrator = nil }
        return ctx
    }

    // MARK: - Checks commands make

    func requireSuperAdmin(_ ctx: CommandContext, _ what: String) throws(DirectoryError) {
        guard case .superAdmin = ctx.role else {
            throw DirectoryError(.forbidden, "insufficient access: only the super admin may \(what)")
        }
    }

    /// Throws unless the actor administers this department.
    func authorize(department id: DepartmentID, _ ctx: CommandContext) throws(DirectoryError) {
        guard mayAdminister(department: id, as: ctx.role) else {
            throw DirectoryError(.forbidden, "insufficient access to this department")
        }
    }

    /// Throws unless the actor administers this member.
    func authorize(member: Member, _ ctx: CommandContext) throws(DirectoryError) {
        guard mayAdminister(member: member, as: ctx.role) else {
            throw DirectoryError(.forbidden, "insufficient access to member \(member.account)")
        }
    }

    /// Throws unless the actor may change `field` of `member`: an administrator in scope any
    /// field, the member themselves a self-editable one.
    func authorizeFieldChange(_ field: MemberField, of member: Member, _ ctx: CommandContext) throws(DirectoryError) {
        if isSelf(member.account, as: ctx.role) {
            guard mayEditOwn(field) else {
                throw DirectoryError(.forbidden, field: field, "is not self-editable; ask an administrator")
            }
            return
        }
        try authorize(member: member, ctx)
    }

    /// Throws unless the actor may set this member's password: an administrator in scope resets
    /// it; the member changes their own only when the policy lets members edit it and they
    /// proved the current password.
    func authorizePasswordChange(of member: Member, _ ctx: CommandContext) throws(DirectoryError) {
        guard isSelf(member.account, as: ctx.role) else {
            try authorize(member: member, ctx)
            return
        }
        guard mayEditOwn(.password) else {
            throw DirectoryError(.forbidden, field: .password, "is not self-editable; ask an administrator")
        }
        guard ctx.currentPasswordVerified else {
            throw DirectoryError(.currentPasswordRequired, field: .password, "give the current password to change it")
        }
    }

    /// A sub-admin may not widen what members see beyond what they saw: a setting that would
    /// let a department's members read the whole directory (`all`, or `inherit` resolving to it)
    /// is refused unless they already could, and so is one carried by a department outside the
    /// sub-admin's subtrees. Otherwise a sub-admin could let its members read everything.
    /// - Parameters:
    ///   - scope: the setting wanted.
    ///   - id: the department (nil: one being created).
    ///   - parent: its parent (where `inherit` looks).
    func authorizeVisibility(
        _ scope: VisibilityScope, of id: DepartmentID?, under parent: DepartmentID?, _ ctx: CommandContext
    ) throws(DirectoryError) {
        guard case .subAdmin(let scopes) = ctx.role else { return }
        func inherited() -> (VisibilityScope, DepartmentID?) {
            guard let parent, parent != .root else { return (.all, nil) }
            let (s, carrier) = Visibility.effectiveScope(of: parent, in: self)
            return (s, carrier)
        }
        let after: (VisibilityScope, DepartmentID?) = scope == .inherit ? inherited() : (scope, id ?? parent)
        let before: (VisibilityScope, DepartmentID?) = id.map { i in
            let (s, c) = Visibility.effectiveScope(of: i, in: self)
            return (s, c)
        } ?? inherited()
        func withinScopes(_ c: DepartmentID?) -> Bool {
            guard let c else { return false }
            return scopes.contains { isDepartment(c, within: $0) }
        }
        let wider = DirectoryError(
            .forbidden, field: .department,
            "a sub-admin may not let members see beyond what they see now (visibility \(scope.rawValue))")
        switch after.0 {
        case .all:
            if before.0 != .all { throw wider }
        case .department:
            if before.0 != .all, !withinScopes(after.1), !(before.0 == .department && before.1 == after.1) { throw wider }
        case .subdepartment, .inherit:
            return
        }
    }
}
