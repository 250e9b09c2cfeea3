extension DirectoryModel {
    /// The deepest a department may be: top-level departments are level 1.
    public static let maxDepth = 15

    /// A department's path as the template writes it: `营销中心->大客户部` (the root is `/`).
    public func pathString(of id: DepartmentID) -> String {
        let names = pathNames(of: id)
        return names.isEmpty ? "/" : names.joined(separator: "->")
    }

    /// Applies a command: validates it against every rule, then changes the model. Nothing is
    /// changed when it throws.
    /// - Parameters:
    ///   - command: the write.
    ///   - context: who issued it, from where, when, and with what rights.
    /// - Returns: the audit record of what it did.
    /// - Throws: ``DirectoryError`` naming the field and the rule broken.
    public mutating func apply(_ command: DirectoryCommand, by context: CommandContext) throws(DirectoryError) -> AuditRecord {
        var next = self
        let record = try next.perform(command, context)
        self = next
        return record
    }

    // MARK: - Dispatch

    private mutating func perform(_ command: DirectoryCommand, _ ctx: CommandContext) throws(DirectoryError) -> AuditRecord {
        var record = AuditRecord(time: ctx.time, actor: ctx.actor, source: ctx.source, action: command.action, target: "")
        switch command {
        case .createDepartment(let draft):
            let id = try createDepartment(draft, ctx)
            record.target = pathString(of: id)
            record.after = departmentValues(id)
        case .updateDepartment(let id, let changes):
            let before = try requireDepartment(id)
            try authorize(department: id, ctx)
            record.before = departmentValues(id)
            try updateDepartment(before, changes, ctx)
            record.target = pathString(of: id)
            record.after = departmentValues(id)
        case .moveDepartment(let id, let parent, let rename):
            _ = try requireDepartment(id)
            record.before = ["path": pathString(of: id)]
            try moveDepartment(id, to: parent, rename: rename, ctx)
            record.target = pathString(of: id)
            record.after = ["path": pathString(of: id)]
        case .deleteDepartment(let id):
            let d = try requireDepartment(id)
            try authorize(department: id, ctx)
            record.target = pathString(of: id)
            record.before = departmentValues(id)
            try deleteDepartment(d)
        case .createMember(let account, let fields, let departments, let hash):
            let m = try createMember(account, fields, departments, hash, ctx)
            record.target = m.account.value
            record.after = memberValues(m)
        case .updateMember(let account, let fields, let hash):
            let old = try requireMember(account)
            record.target = old.account.value
            record.before = memberValues(old)
            var m = try updateMember(old, fields, ctx)
            if let hash {
                if case .member(let me) = ctx.role, me == m.account, !fieldPolicy.rule(.password).selfEditable {
                    throw DirectoryError(.forbidden, field: .password, "is not self-editable; ask an administrator")
                }
                m.passwordHash = hash
                put(m)
                record.after["password"] = "(changed)"
            }
            record.after.merge(memberValues(m)) { a, _ in a }
        case .setDepartments(let account, let ids):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in try m.setDepartments(old, ids, ctx) }
        case .depart(let account):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in try m.depart(old, ctx) }
        case .reinstate(let account, let into):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in try m.reinstate(old, into, ctx) }
        case .erase(let account):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in
                try m.erase(old, ctx)
                return nil
            }
        case .setPassword(let account, let hash):
            var m = try requireMember(account)
            if case .member(let me) = ctx.role, me == m.account {
                // Members may always change their own password.
            } else {
                try authorize(member: m, ctx)
            }
            record.target = m.account.value
            m.passwordHash = hash
            m.modified = ctx.stamp
            put(m)
            record.after = ["password": "(changed)"]
        case .createGroup(let name, let description, let members):
            try requireSuperAdmin(ctx, "create a group")
            let g = try createGroup(name, description, members, ctx)
            record.target = g.name
            record.after = groupValues(g)
        case .updateGroup(let name, let newName, let description):
            try requireSuperAdmin(ctx, "change a group")
            var g = try requireGroup(name)
            record.target = g.name
            record.before = groupValues(g)
            if let newName {
                let valid = try Self.groupName(newName)
                if valid.lowercased() != g.key, self.group(valid) != nil {
                    throw DirectoryError(.alreadyExists, "group: \(valid) already exists")
                }
                removeGroup(g.key)
                g.name = valid
            }
            if let description { g.description = description?.trimmingWhitespace.nilIfEmpty }
            g.modified = ctx.stamp
            put(g)
            record.after = groupValues(g)
        case .addGroupMembers(let name, let accounts), .removeGroupMembers(let name, let accounts):
            var g = try requireGroup(name)
            record.target = g.name
            record.before = groupValues(g)
            var adding = false
            if case .addGroupMembers = command { adding = true }
            for a in accounts {
                let m = try requireMember(a)
                try authorize(member: m, ctx)
                if adding {
                    guard m.isActive else {
                        throw DirectoryError(.constraintViolation, "group: \(m.account) has departed and cannot join \(g.name)")
                    }
                    if !g.members.contains(m.account) { g.members.append(m.account) }
                } else {
                    guard g.members.contains(m.account) else {
                        throw DirectoryError(.notFound, "group: \(m.account) is not a member of \(g.name)")
                    }
                    g.members.removeAll { $0 == m.account }
                }
            }
            g.modified = ctx.stamp
            put(g)
            record.after = groupValues(g)
        case .setGroup(let name, let accounts, let description):
            var g = try requireGroup(name)
            record.target = g.name
            record.before = groupValues(g)
            let old = Set(g.members)
            var members: [Account] = []
            for a in accounts {
                let m = try requireMember(a)
                if !old.contains(m.account) {
                    try authorize(member: m, ctx)
                    guard m.isActive else {
                        throw DirectoryError(.constraintViolation, "group: \(m.account) has departed and cannot join \(g.name)")
                    }
                }
                if !members.contains(m.account) { members.append(m.account) }
            }
            for a in old where !members.contains(a) {
                if let m = member(a.key) { try authorize(member: m, ctx) }
            }
            if let description {
                try requireSuperAdmin(ctx, "change a group's description")
                g.description = description?.trimmingWhitespace.nilIfEmpty
            }
            g.members = members
            g.modified = ctx.stamp
            put(g)
            record.after = groupValues(g)
        case .deleteGroup(let name):
            try requireSuperAdmin(ctx, "delete a group")
            let g = try requireGroup(name)
            record.target = g.name
            record.before = groupValues(g)
            removeGroup(g.key)
        case .setFieldPolicy(let field, let rule):
            try requireSuperAdmin(ctx, "change the field policy")
            var policy = fieldPolicy
            record.target = field.rawValue
            let old = policy.rule(field)
            record.before = ["shown": old.shown ? "yes" : "no", "selfEditable": old.selfEditable ? "yes" : "no"]
            try policy.set(field, rule)
            put(policy)
            record.after = ["shown": rule.shown ? "yes" : "no", "selfEditable": rule.selfEditable ? "yes" : "no"]
        case .putAdministrator(let admin):
            try requireSuperAdmin(ctx, "manage administrators")
            try validate(admin)
            record.target = admin.name
            record.after = adminValues(admin)
            if let old = administrator(admin.key) { record.before = adminValues(old) }
            put(admin)
        case .setAdministratorPassword(let name, let hash):
            guard var a = administrator(name) else { throw DirectoryError(.notFound, "admin: \(name) does not exist") }
            if case .superAdmin = ctx.role {} else if ctx.actorAdministrator?.lowercased() != a.key {
                throw DirectoryError(.forbidden, "insufficient access: only the super admin or \(a.name) may set this password")
            }
            a.passwordHash = hash
            put(a)
            record.target = a.name
            record.after = ["password": "(changed)"]
        case .removeAdministrator(let name):
            try requireSuperAdmin(ctx, "manage administrators")
            guard let old = administrator(name) else {
                throw DirectoryError(.notFound, "admin: \(name) does not exist")
            }
            if case .superAdmin = old.role {
                throw DirectoryError(.constraintViolation, "admin: the super admin cannot be removed")
            }
            record.target = old.name
            record.before = adminValues(old)
            removeAdministrator(name)
        case .renameOrganization(let name):
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
        return record
    }

    /// Runs a change of one member's state and records it: target, values before, values after
    /// (none when the member is gone).
    private mutating func transition(
        _ account: Account, _ record: inout AuditRecord,
        _ change: (inout DirectoryModel, Member) throws(DirectoryError) -> Member?
    ) throws(DirectoryError) {
        let old = try requireMember(account)
        record.target = old.account.value
        record.before = memberValues(old)
        if let m = try change(&self, old) { record.after = memberValues(m) }
    }

    // MARK: - Authorisation

    private func requireSuperAdmin(_ ctx: CommandContext, _ what: String) throws(DirectoryError) {
        guard case .superAdmin = ctx.role else {
            throw DirectoryError(.forbidden, "insufficient access: only the super admin may \(what)")
        }
    }

    /// Whether the actor administers this department (sub-admins: inside their subtrees).
    private func authorize(department id: DepartmentID, _ ctx: CommandContext) throws(DirectoryError) {
        switch ctx.role {
        case .superAdmin: return
        case .subAdmin(let scopes):
            if scopes.contains(where: { isDepartment(id, within: $0) }) { return }
        case .member, .readOnly: break
        }
        throw DirectoryError(.forbidden, "insufficient access to this department")
    }

    /// Whether the actor administers this member: all of its departments (current, or previous
    /// for a departed member) lie inside the actor's subtrees.
    private func authorize(member: Member, _ ctx: CommandContext) throws(DirectoryError) {
        switch ctx.role {
        case .superAdmin: return
        case .subAdmin(let scopes):
            var departments = member.departments
            if case .departed(_, _, let previous) = member.status { departments = previous }
            if departments.allSatisfy({ d in scopes.contains { isDepartment(d, within: $0) } }) { return }
        case .member, .readOnly: break
        }
        throw DirectoryError(.forbidden, "insufficient access to member \(member.account)")
    }

    // MARK: - Departments

    private func requireDepartment(_ id: DepartmentID) throws(DirectoryError) -> Department {
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

    private func checkLeaders(_ leaders: [Account]) throws(DirectoryError) {
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
        let name = try FieldRules.departmentName(draft.name)
        try checkSiblingName(name, under: draft.parent, except: nil)
        let level = depth(of: draft.parent) + 1
        guard level <= Self.maxDepth else {
            throw DirectoryError(
                .constraintViolation, field: .department,
                "\(pathString(of: draft.parent))->\(name) would be level \(level); at most \(Self.maxDepth) levels are allowed")
        }
        try checkLeaders(draft.leaders)
        let id = nextDepartmentID
        put(
            Department(
                id: id, name: name, parent: draft.parent, order: draft.order, scope: draft.scope,
                leaders: draft.leaders, hidden: draft.hidden, description: draft.description?.trimmingWhitespace.nilIfEmpty,
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
        if let description = c.description { d.description = description?.trimmingWhitespace.nilIfEmpty }
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
        removeDepartment(d.id)
    }

    // MARK: - Members

    private func requireMember(_ account: Account) throws(DirectoryError) -> Member {
        guard let m = member(account.key) else { throw DirectoryError(.notFound, field: .account, "\(account) does not exist") }
        return m
    }

    private func validDepartments(_ ids: [DepartmentID]) throws(DirectoryError) -> [DepartmentID] {
        var seen = Set<DepartmentID>()
        var out: [DepartmentID] = []
        for id in ids where !seen.contains(id) {
            guard department(id) != nil else {
                throw DirectoryError(.notFound, field: .department, "no department with id \(id)")
            }
            seen.insert(id)
            out.append(id)
        }
        guard out.count <= 20 else {
            throw DirectoryError(.constraintViolation, field: .department, "a member may be in at most 20 departments")
        }
        return out.isEmpty ? [.root] : out
    }

    /// Checks that no other member holds this mobile or e-mail; names the holder only if `named`.
    private func checkUnique(_ m: Member) throws(DirectoryError) {
        if let mobile = m.mobile, let other = member(mobile: mobile), other.account != m.account {
            var e = DirectoryError(.alreadyExists, field: .mobile, "\(mobile) is already used by \(other.account)")
            e.conflict = (other.account, DirectoryError(.alreadyExists, field: .mobile, "\(mobile) is already used").message)
            throw e
        }
        if let email = m.email, let other = member(email: email), other.account != m.account {
            var e = DirectoryError(.alreadyExists, field: .email, "\(email) is already used by \(other.account)")
            e.conflict = (other.account, DirectoryError(.alreadyExists, field: .email, "\(email) is already used").message)
            throw e
        }
    }

    private func checkContact(_ m: Member) throws(DirectoryError) {
        guard m.hasContact else {
            throw DirectoryError(
                .constraintViolation, "contact: \(m.account) needs at least one of wechat, mobile and email")
        }
    }

    private mutating func createMember(
        _ rawAccount: String, _ fields: [MemberField: String], _ departments: [DepartmentID], _ hash: String?,
        _ ctx: CommandContext
    ) throws(DirectoryError) -> Member {
        let account = try Account(parsing: rawAccount.trimmingWhitespace)
        if let existing = member(account.key) {
            throw DirectoryError(
                .alreadyExists, field: .account,
                existing.account.value == account.value
                    ? "\(account) already exists" : "\(account) already exists as \(existing.account) (accounts ignore case)")
        }
        let ids = try validDepartments(departments)
        var m = Member(account: account, name: "", departments: ids, uuid: .init(), created: ctx.stamp)
        guard let name = try FieldRules.memberField(.name, fields[.name]) else {
            throw DirectoryError(.invalidValue, field: .name, "a name is required")
        }
        m.name = name
        for field in MemberField.allCases where field != .name && field != .account {
            guard let raw = fields[field] else { continue }
            if field == .department || field == .password {
                throw DirectoryError(.invalidValue, field: field, "is set through its own command")
            }
            m.set(field, validated: try FieldRules.memberField(field, raw))
        }
        try checkContact(m)
        try checkUnique(m)
        try authorize(member: m, ctx)
        m.passwordHash = hash
        put(m)
        return m
    }

    private mutating func updateMember(_ old: Member, _ fields: [MemberField: String?], _ ctx: CommandContext) throws(DirectoryError) -> Member {
        var m = old
        let isSelf: Bool
        if case .member(let me) = ctx.role, me == old.account { isSelf = true } else { isSelf = false }
        if !isSelf { try authorize(member: old, ctx) }
        for field in MemberField.allCases {
            guard let change = fields[field] else { continue }
            switch field {
            case .account:
                let wanted = change?.trimmingWhitespace ?? ""
                guard wanted == old.account.value else {
                    throw DirectoryError(
                        .constraintViolation, field: .account,
                        "accounts are immutable (\(old.account) cannot become \(wanted.isEmpty ? "empty" : wanted))")
                }
                continue
            case .department, .password:
                throw DirectoryError(.invalidValue, field: field, "is set through its own command")
            default: break
            }
            if isSelf && !fieldPolicy.rule(field).selfEditable {
                throw DirectoryError(.forbidden, field: field, "is not self-editable; ask an administrator")
            }
            m.set(field, validated: try FieldRules.memberField(field, change))
        }
        try checkContact(m)
        try checkUnique(m)
        m.modified = ctx.stamp
        put(m)
        return m
    }

    private mutating func setDepartments(_ old: Member, _ ids: [DepartmentID], _ ctx: CommandContext) throws(DirectoryError) -> Member {
        guard old.isActive else {
            throw DirectoryError(.constraintViolation, field: .department, "\(old.account) has departed; reinstate them instead")
        }
        try authorize(member: old, ctx)
        var m = old
        m.departments = try validDepartments(ids)
        try authorize(member: m, ctx)
        m.modified = ctx.stamp
        put(m)
        return m
    }

    private mutating func depart(_ old: Member, _ ctx: CommandContext) throws(DirectoryError) -> Member {
        guard old.isActive else {
            throw DirectoryError(.constraintViolation, field: .account, "\(old.account) has already departed")
        }
        try authorize(member: old, ctx)
        var m = old
        m.status = .departed(at: ctx.time, by: ctx.actor, previousDepartments: old.departments)
        m.modified = ctx.stamp
        put(m)
        // Department leaders stay recorded but are shown only while active; groups likewise.
        for g in groups(of: m.account) { touchGroup(g.key) }
        return m
    }

    private mutating func reinstate(_ old: Member, _ into: [DepartmentID]?, _ ctx: CommandContext) throws(DirectoryError) -> Member {
        guard case .departed(_, _, let previous) = old.status else {
            throw DirectoryError(.constraintViolation, field: .account, "\(old.account) is active; only a departed member can be reinstated")
        }
        var m = old
        if let into {
            m.departments = try validDepartments(into)
        } else {
            let existing = previous.filter { department($0) != nil }
            guard !existing.isEmpty else {
                throw DirectoryError(
                    .notFound, field: .department,
                    "none of \(old.account)'s previous departments exists any more; reinstate into a given department")
            }
            m.departments = existing
        }
        m.status = .active
        try authorize(member: m, ctx)
        m.modified = ctx.stamp
        put(m)
        for g in groups(of: m.account) { touchGroup(g.key) }
        return m
    }

    private mutating func erase(_ old: Member, _ ctx: CommandContext) throws(DirectoryError) {
        guard !old.isActive else {
            throw DirectoryError(
                .constraintViolation, field: .account,
                "\(old.account) is active; only a departed member can be erased (depart them first)")
        }
        try authorize(member: old, ctx)
        // Leaders that name the member go too: no dangling references.
        for d in departments.values where d.leaders.contains(old.account) {
            var changed = d
            changed.leaders.removeAll { $0 == old.account }
            put(changed)
        }
        removeMember(old.account)
    }

    // MARK: - Groups

    static func groupName(_ raw: String) throws(DirectoryError) -> String {
        let name = raw.trimmingWhitespace
        guard !name.isEmpty, FieldRules.displayWidth(name) <= 64 else {
            throw DirectoryError(.invalidValue, "group: the name must have 1–64 columns")
        }
        return name
    }

    private func requireGroup(_ name: String) throws(DirectoryError) -> Group {
        guard let g = group(name) else { throw DirectoryError(.notFound, "group: \(name) does not exist") }
        return g
    }

    private mutating func createGroup(_ rawName: String, _ description: String?, _ members: [Account], _ ctx: CommandContext) throws(DirectoryError) -> Group {
        let name = try Self.groupName(rawName)
        guard group(name) == nil else { throw DirectoryError(.alreadyExists, "group: \(name) already exists") }
        var accounts: [Account] = []
        for a in members {
            let m = try requireMember(a)
            guard m.isActive else { throw DirectoryError(.constraintViolation, "group: \(m.account) has departed") }
            if !accounts.contains(m.account) { accounts.append(m.account) }
        }
        let g = Group(name: name, description: description?.trimmingWhitespace.nilIfEmpty, members: accounts, created: ctx.stamp)
        put(g)
        return g
    }

    // MARK: - Administrators

    private func validate(_ admin: Administrator) throws(DirectoryError) {
        let name = admin.name.trimmingWhitespace
        guard !name.isEmpty, name.count <= 64, !name.contains(","), !name.contains("=") else {
            throw DirectoryError(.invalidValue, "admin: the name must have 1–64 characters and no , or =")
        }
        switch admin.role {
        case .superAdmin:
            guard admin.key == "admin" else { throw DirectoryError(.invalidValue, "admin: only cn=admin is the super admin") }
        case .subAdmin(let scopes):
            guard !scopes.isEmpty else { throw DirectoryError(.invalidValue, "admin: a sub-admin needs at least one --scope") }
            for s in scopes where department(s) == nil {
                throw DirectoryError(.notFound, "admin: no department with id \(s)")
            }
        case .service(let scopes, _):
            for s in scopes where department(s) == nil {
                throw DirectoryError(.notFound, "service: no department with id \(s)")
            }
        }
        if let existing = administrator(admin.key), existing.role.kind != admin.role.kind {
            throw DirectoryError(.alreadyExists, "admin: \(admin.name) already exists as a \(existing.role.kind)")
        }
        if let bound = admin.boundMember, member(bound.key) == nil {
            throw DirectoryError(.notFound, "admin: member \(bound) does not exist")
        }
    }

    // MARK: - Audit values

    private func departmentValues(_ id: DepartmentID) -> [String: String] {
        guard let d = department(id) else { return [:] }
        var out = ["name": d.name, "path": pathString(of: id), "order": String(d.order), "scope": d.scope.rawValue]
        if d.hidden { out["hidden"] = "yes" }
        if !d.leaders.isEmpty { out["leaders"] = d.leaders.map(\.value).joined(separator: ",") }
        if let desc = d.description { out["description"] = desc }
        return out
    }

    private func memberValues(_ m: Member) -> [String: String] {
        var out = m.fieldValues
        out["department"] = m.departments.map { pathString(of: $0) }.joined(separator: ";")
        out["status"] = m.isActive ? "active" : "departed"
        return out
    }

    private func groupValues(_ g: Group) -> [String: String] {
        var out = ["name": g.name, "members": g.members.map(\.value).joined(separator: ",")]
        if let d = g.description { out["description"] = d }
        return out
    }

    private func adminValues(_ a: Administrator) -> [String: String] {
        var out = ["name": a.name, "role": a.role.kind]
        switch a.role {
        case .subAdmin(let scopes): out["scope"] = scopes.map { pathString(of: $0) }.joined(separator: ";")
        case .service(let scopes, let attributes):
            out["scope"] = scopes.map { pathString(of: $0) }.joined(separator: ";")
            if let attributes { out["attributes"] = attributes.joined(separator: ",") }
        case .superAdmin: break
        }
        if let b = a.boundMember { out["member"] = b.value }
        return out
    }
}

extension Administrator.Role {
    /// `super-admin`, `sub-admin` or `service`.
    public var kind: String {
        switch self {
        case .superAdmin: "super-admin"
        case .subAdmin: "sub-admin"
        case .service: "service"
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
