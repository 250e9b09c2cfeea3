/// Member commands: create, update, place, depart, reinstate, erase, set the password.
extension DirectoryModel {
    // MARK: - Commands

    mutating func createMember(
        _ account: String, _ fields: [MemberField: String], _ departments: [DepartmentID], _ hash: String?,
        _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        let m = try createMember(account, fields, departments, hash, ctx)
        record.target = m.account.value
        record.after = memberValues(m)
    }

    mutating func updateMember(
        _ account: Account, _ fields: [MemberField: String?], _ hash: String?, _ ctx: CommandContext,
        _ record: inout AuditRecord
    ) throws(DirectoryError) {
        let old = try requireMember(account)
        record.target = old.account.value
        record.before = memberValues(old)
        if let hash { try authorizePasswordChange(of: old, ctx) }
        var m = try updateMember(old, fields, ctx)
        if let hash {
            m.passwordHash = hash
            m.security.passwordChanged(at: ctx.time)
            put(m)
            record.after["password"] = "(changed)"
        }
        record.after.merge(memberValues(m)) { a, _ in a }
    }

    mutating func setPassword(_ account: Account, _ hash: String, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        var m = try requireMember(account)
        try authorizePasswordChange(of: m, ctx)
        record.target = m.account.value
        m.passwordHash = hash
        m.security.passwordChanged(at: ctx.time)
        m.modified = ctx.stamp
        put(m)
        record.after = ["password": "(changed)"]
    }

    // MARK: - Rules

    func requireMember(_ account: Account) throws(DirectoryError) -> Member {
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

    /// Checks that no other member holds this mobile or e-mail. The error names the holder and
    /// carries the message for a requester who may not see them.
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
        if hash != nil { m.security.passwordChangedAt = ctx.time }
        put(m)
        return m
    }

    private mutating func updateMember(_ old: Member, _ fields: [MemberField: String?], _ ctx: CommandContext) throws(DirectoryError) -> Member {
        var m = old
        if !isSelf(old.account, as: ctx.role) { try authorize(member: old, ctx) }
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
            try authorizeFieldChange(field, of: old, ctx)
            m.set(field, validated: try FieldRules.memberField(field, change))
        }
        try checkContact(m)
        try checkUnique(m)
        m.modified = ctx.stamp
        put(m)
        return m
    }

    mutating func setDepartments(_ old: Member, _ ids: [DepartmentID], _ ctx: CommandContext) throws(DirectoryError) -> Member {
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

    mutating func depart(_ old: Member, _ ctx: CommandContext) throws(DirectoryError) -> Member {
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

    mutating func reinstate(_ old: Member, _ into: [DepartmentID]?, _ ctx: CommandContext) throws(DirectoryError) -> Member {
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

    mutating func erase(_ old: Member, _ ctx: CommandContext) throws(DirectoryError) {
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
}
