/// Applying commands: the dispatch. Each concern's rules live in its own file
/// (`DirectoryModel+Departments`, `+Members`, `+Groups`, `+Administrators`); who may do what is
/// decided in `Rules/Authorization.swift`; audit values in `DirectoryModel+AuditValues`.
extension DirectoryModel {
    /// Applies a command: validates it against every rule, then changes the model. Nothing is
    /// changed when it throws.
    /// - Parameters:
    ///   - command: the write.
    ///   - context: who issued it, from where, when, and with what rights (decided from its
    ///     viewer against this model when it has one).
    /// - Returns: the audit record of what it did.
    /// - Throws: ``DirectoryError`` naming the field and the rule broken.
    public mutating func apply(_ command: DirectoryCommand, by context: CommandContext) throws(DirectoryError) -> AuditRecord {
        let ctx = resolved(context)
        // A member's creation checks every rule before its one change (`put`): it runs on the
        // model itself, so the indexes' nodes are changed in place, not copied (an import's
        // rows: a copy of the model per row made every index write copy its path of nodes).
        if case .createMember = command { return try perform(command, ctx) }
        var next = self
        let record = try next.perform(command, ctx)
        self = next
        return record
    }

    // MARK: - Dispatch

    private mutating func perform(_ command: DirectoryCommand, _ ctx: CommandContext) throws(DirectoryError) -> AuditRecord {
        var record = AuditRecord(time: ctx.time, actor: ctx.actor, source: ctx.source, action: command.action, target: "")
        switch command {
        case .createDepartment(let draft):
            try createDepartment(draft, ctx, &record)
        case .createDepartmentPath(let parents, let leaf):
            try createDepartmentPath(parents, leaf, ctx, &record)
        case .updateDepartment(let id, let changes):
            try updateDepartment(id, changes, ctx, &record)
        case .moveDepartment(let id, let parent, let rename):
            try moveDepartment(id, to: parent, rename: rename, ctx, &record)
        case .deleteDepartment(let id):
            try deleteDepartment(id, ctx, &record)
        case .createMember(let account, let fields, let departments, let hash):
            try createMember(account, fields, departments, hash, ctx, &record)
        case .updateMember(let account, let fields, let hash):
            try updateMember(account, fields, hash, ctx, &record)
        case .setDepartments(let account, let ids):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in
                try m.setDepartments(old, ids, ctx)
            }
        case .depart(let account):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in try m.depart(old, ctx) }
        case .reinstate(let account, let into):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in
                try m.reinstate(old, into, ctx)
            }
        case .erase(let account):
            try transition(account, &record) { (m: inout DirectoryModel, old) throws(DirectoryError) in
                try m.erase(old, ctx)
                return nil
            }
        case .setPassword(let account, let hash):
            try setPassword(account, hash, ctx, &record)
        case .createGroup(let name, let description, let members):
            try createGroup(name, description, members, ctx, &record)
        case .updateGroup(let name, let newName, let description):
            try updateGroup(name, newName, description, ctx, &record)
        case .addGroupMembers(let name, let accounts):
            try changeGroupMembers(name, adding: accounts, removing: [], ctx, &record)
        case .removeGroupMembers(let name, let accounts):
            try changeGroupMembers(name, adding: [], removing: accounts, ctx, &record)
        case .setGroup(let name, let accounts, let description):
            try setGroup(name, accounts, description, ctx, &record)
        case .deleteGroup(let name):
            try deleteGroup(name, ctx, &record)
        case .setFieldPolicy(let field, let rule):
            try setFieldPolicy(field, rule, ctx, &record)
        case .setPasswordPolicy(let policy):
            try requireSuperAdmin(ctx, "change the password policy")
            try policy.validate()
            record.target = "password"
            record.before = passwordPolicy.auditValues
            put(policy)
            record.after = policy.auditValues
        case .lockAccount(let account, let until):
            try lockAccount(account, until: until, ctx, &record)
        case .upgradePasswordHash(let account, let from, let to):
            try upgradePasswordHash(account, from: from, to: to, ctx, &record)
        case .putAdministrator(let admin):
            try putAdministrator(admin, ctx, &record)
        case .setAdministratorPassword(let name, let hash):
            try setAdministratorPassword(name, hash, ctx, &record)
        case .removeAdministrator(let name):
            try removeAdministrator(name, ctx, &record)
        case .renameOrganization(let name):
            try renameOrganization(name, ctx, &record)
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

    // MARK: - Field policy

    private mutating func setFieldPolicy(
        _ field: MemberField, _ rule: FieldPolicy.Rule, _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        try requireSuperAdmin(ctx, "change the field policy")
        var policy = fieldPolicy
        record.target = field.rawValue
        let old = policy.rule(field)
        record.before = ["shown": old.shown ? "yes" : "no", "selfEditable": old.selfEditable ? "yes" : "no"]
        try policy.set(field, rule)
        put(policy)
        record.after = ["shown": rule.shown ? "yes" : "no", "selfEditable": rule.selfEditable ? "yes" : "no"]
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
