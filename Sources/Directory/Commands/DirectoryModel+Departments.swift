/// Department commands: create (one, or a whole path at once), change, move, delete.
extension DirectoryModel {
    /// The deepest a department may be: top-level departments are level 1.
    public static let maxDepth = 15

    /// A department's path as the template writes it: `营销中心->大客户部` (the root is `/`; an id
    /// no department has any more is `(deleted department 7)`, never the root).
    public func pathString(of id: DepartmentID) -> String {
        guard department(id) != nil else { return "(deleted department \(id))" }
        let names = pathNames(of: id)
        return names.isEmpty ? "/" : names.joined(separator: "->")
    }

    // MARK: - Commands

    mutating func createDepartment(_ draft: DepartmentDraft, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        let id = try createDepartment(draft, ctx)
        record.target = pathString(of: id)
        record.after = departmentValues(id)
    }

    /// Walks `parents` down from `leaf.parent`, creating what is missing, then creates `leaf`.
    /// Runs on the command's own copy of the model, so a rule broken at any level leaves none of
    /// the levels behind.
    mutating func createDepartmentPath(
        _ parents: [String], _ leaf: DepartmentDraft, _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        var parent = try requireDepartment(leaf.parent).id
        var created: [DepartmentID] = []
        for raw in parents {
            let name = try FieldRules.departmentName(raw)
            if let existing = child(of: parent, named: name) {
                parent = existing.id
            } else {
                parent = try createDepartment(DepartmentDraft(name: name, parent: parent), ctx)
                created.append(parent)
            }
        }
        var draft = leaf
        draft.parent = parent
        let id = try createDepartment(draft, ctx)
        created.append(id)
        record.target = pathString(of: id)
        record.after = departmentValues(id)
        record.after["created"] = created.map { pathString(of: $0) }.joined(separator: ";")
    }

    mutating func updateDepartment(
        _ id: DepartmentID, _ changes: DepartmentChanges, _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        let before = try requireDepartment(id)
        try authorize(department: id, ctx)
        record.before = departmentValues(id)
        try updateDepartment(before, changes, ctx)
        record.target = pathString(of: id)
        record.after = departmentValues(id)
    }

    mutating func moveDepartment(
        _ id: DepartmentID, to parent: DepartmentID, rename: String?, _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        _ = try requireDepartment(id)
        record.before = ["path": pathString(of: id)]
        try moveDepartment(id, to: parent, rename: rename, ctx)
        record.target = pathString(of: id)
        record.after = ["path": pathString(of: id)]
    }

    mutating func deleteDepartment(_ id: DepartmentID, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        let d = try requireDepartment(id)
        try authorize(department: id, ctx)
        record.target = pathString(of: id)
        record.before = departmentValues(id)
        try deleteDepartment(d)
    }

    mutating func renameOrganization(_ name: String, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        try requireSuperAdmin(ctx, "rename the organisation")
        guard var root = department(.root) else { throw DirectoryError(.notFound, "organisation: missing") }
        record.before = ["name": root.name]
        let trimmed = name.trimmingWhitespace
        guard !trimmed.isEmpty, trimmed.count <= 64 else {
            throw DirectoryError(.invalidValue, "organisation: the name must have 1–64 characters")
        }
        root.name = trimmed
        root.modified = ctx.stamp
        put(root)
        record.target = "/"
        record.after = ["name": trimmed]
    }

    // MARK: - Rules

    func requireDepartment(_ id: DepartmentID) throws(DirectoryError) -> Department {
        guard let d = department(id) else { throw DirectoryError(.notFound, "department: no department with id \(id)") }
        return d
    }

    private func checkSiblingName(_ name: String, under parent: DepartmentID, except: DepartmentID?) throws(DirectoryError) {
        if let other = child(of: parent, named: name), other.id != except {
            let where_ = parent == .root ? "the organisation" : pathString(of: parent)
            throw DirectoryError(
                .alreadyExists, field: .department, "\(where_) already has a sub-department named \(other.name)")
        }
    }

    func checkLeaders(_ leaders: [Account]) throws(DirectoryError) {
        for l in leaders {
            guard let m = member(l.key), m.isActive else {
                throw DirectoryError(.notFound, field: .department, "leader \(l) is not an active member")
            }
        }
    }

    /// Height of a subtree: 0 for a department without sub-departments.
    private func height(of id: DepartmentID) -> Int {
        children(of: id).map { height(of: $0) + 1 }.max() ?? 0
    }

    private mutating func createDepartment(_ draft: DepartmentDraft, _ ctx: CommandContext) throws(DirectoryError) -> DepartmentID {
        _ = try requireDepartment(draft.parent)
        try authorize(department: draft.parent, ctx)
        try authorizeVisibility(draft.scope, of: nil, under: draft.parent, ctx)
        let name = try FieldRules.departmentName(draft.name)
        try checkSiblingName(name, under: draft.parent, except: nil)
        let level = depth(of: draft.parent) + 1
        guard level <= Self.maxDepth else {
            let path = draft.parent == .root ? name : "\(pathString(of: draft.parent))->\(name)"
            throw DirectoryError(
                .constraintViolation, field: .department,
                "\(path) would be level \(level); at most \(Self.maxDepth) levels are allowed")
        }
        try checkLeaders(draft.leaders)
        let id = nextDepartmentID
        guard id.rawValue < Int64.max else {
            throw DirectoryError(.constraintViolation, field: .department, "no department id is left")
        }
        put(
            Department(
                id: id, name: name, parent: draft.parent, order: draft.order, scope: draft.scope,
                leaders: draft.leaders, hidden: draft.hidden, description: try FieldRules.description(draft.description, of: "department"),
                created: ctx.stamp))
        return id
    }

    private mutating func updateDepartment(_ old: Department, _ c: DepartmentChanges, _ ctx: CommandContext) throws(DirectoryError) {
        var d = old
        if let name = c.name {
            let valid = try FieldRules.departmentName(name)
            if let parent = d.parent { try checkSiblingName(valid, under: parent, except: d.id) }
            d.name = valid
        }
        if let order = c.order { d.order = order }
        if let scope = c.scope {
            if d.id == .root && scope != .all {
                throw DirectoryError(.constraintViolation, field: .department, "the organisation's own scope is always all")
            }
            if scope != d.scope { try authorizeVisibility(scope, of: d.id, under: d.parent, ctx) }
            d.scope = scope
        }
        if let hidden = c.hidden {
            if d.id == .root && hidden { throw DirectoryError(.constraintViolation, field: .department, "the organisation cannot be hidden") }
            d.hidden = hidden
        }
        if let leaders = c.leaders {
            try checkLeaders(leaders)
            d.leaders = leaders
        }
        if let description = c.description { d.description = try FieldRules.description(description, of: "department") }
        d.modified = ctx.stamp
        put(d)
    }

    private mutating func moveDepartment(_ id: DepartmentID, to parent: DepartmentID, rename: String?, _ ctx: CommandContext) throws(DirectoryError) {
        guard id != .root else {
            throw DirectoryError(.constraintViolation, field: .department, "the organisation itself cannot be moved")
        }
        var d = try requireDepartment(id)
        _ = try requireDepartment(parent)
        try authorize(department: id, ctx)
        try authorize(department: parent, ctx)
        if isDepartment(parent, within: id) {
            throw DirectoryError(
                .constraintViolation, field: .department,
                "cannot move \(pathString(of: id)) under \(parent == id ? "itself" : "its own sub-department \(pathString(of: parent))")")
        }
        if let rename { d.name = try FieldRules.departmentName(rename) }
        try checkSiblingName(d.name, under: parent, except: id)
        let deepest = depth(of: parent) + 1 + height(of: id)
        guard deepest <= Self.maxDepth else {
            throw DirectoryError(
                .constraintViolation, field: .department,
                "moving \(pathString(of: id)) under \(pathString(of: parent)) would make level \(deepest); at most \(Self.maxDepth) levels are allowed")
        }
        d.parent = parent
        d.modified = ctx.stamp
        put(d)
        // Member DNs follow the tree; record every member below so followers rebuild them.
        for sub in subtree(of: id) { for m in members(in: sub) { touchMember(m.account) } }
    }

    /// Deletes an empty department that is nobody's scope: a scope must never point at a
    /// department that no longer exists (and ids are never reused, so it would point at nothing).
    private mutating func deleteDepartment(_ d: Department) throws(DirectoryError) {
        guard d.id != .root else {
            throw DirectoryError(.constraintViolation, field: .department, "the organisation itself cannot be deleted")
        }
        let subs = children(of: d.id).count
        let members = members(in: d.id).count
        guard subs == 0 && members == 0 else {
            var parts: [String] = []
            if subs > 0 { parts.append("\(subs) sub-department\(subs == 1 ? "" : "s")") }
            if members > 0 { parts.append("\(members) member\(members == 1 ? "" : "s")") }
            throw DirectoryError(
                .notEmpty, field: .department,
                "\(pathString(of: d.id)) has \(parts.joined(separator: " and ")); only an empty department can be deleted")
        }
        for a in administrators.values.sorted(by: { $0.key < $1.key }) {
            let scopes: [DepartmentID]
            switch a.role {
            case .subAdmin(let s), .service(let s, _): scopes = s
            case .superAdmin: scopes = []
            }
            if scopes.contains(d.id) {
                throw DirectoryError(
                    .constraintViolation, field: .department,
                    "\(pathString(of: d.id)) is the scope of \(a.role.kind) \(a.name); remove it from the scope first")
            }
        }
        removeDepartment(d.id)
    }
}
