/// Public group (公共群组) commands: create, rename, change members, delete.
extension DirectoryModel {
    // MARK: - Commands

    mutating func createGroup(
        _ rawName: String, _ description: String?, _ members: [Account], _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        try requireSuperAdmin(ctx, "create a group")
        let name = try Self.groupName(rawName)
        guard group(name) == nil else { throw DirectoryError(.alreadyExists, "group: \(name) already exists") }
        var accounts: [Account] = []
        for a in members {
            let m = try requireMember(a)
            guard m.isActive else { throw DirectoryError(.constraintViolation, "group: \(m.account) has departed") }
            if !accounts.contains(m.account) { accounts.append(m.account) }
        }
        let g = Group(name: name, description: try FieldRules.description(description, of: "group"), members: accounts, created: ctx.stamp)
        put(g)
        record.target = g.name
        record.after = groupValues(g)
    }

    mutating func updateGroup(
        _ name: String, _ newName: String?, _ description: String??, _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
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
        if let description { g.description = try FieldRules.description(description, of: "group") }
        g.modified = ctx.stamp
        put(g)
        record.after = groupValues(g)
    }

    /// Adds and removes members: a delta against the group as it is, never a replacement list.
    mutating func changeGroupMembers(
        _ name: String, adding: [Account], removing: [Account], _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        var g = try requireGroup(name)
        record.target = g.name
        record.before = groupValues(g)
        for a in adding {
            let m = try requireMember(a)
            try authorize(member: m, ctx)
            guard m.isActive else {
                throw DirectoryError(.constraintViolation, "group: \(m.account) has departed and cannot join \(g.name)")
            }
            if !g.members.contains(m.account) { g.members.append(m.account) }
        }
        for a in removing {
            let m = try requireMember(a)
            try authorize(member: m, ctx)
            guard g.members.contains(m.account) else {
                throw DirectoryError(.notFound, "group: \(m.account) is not a member of \(g.name)")
            }
            g.members.removeAll { $0 == m.account }
        }
        g.modified = ctx.stamp
        put(g)
        record.after = groupValues(g)
    }

    mutating func setGroup(
        _ name: String, _ accounts: [Account], _ description: String??, _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
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
            g.description = try FieldRules.description(description, of: "group")
        }
        g.members = members
        g.modified = ctx.stamp
        put(g)
        record.after = groupValues(g)
    }

    mutating func deleteGroup(_ name: String, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        try requireSuperAdmin(ctx, "delete a group")
        let g = try requireGroup(name)
        record.target = g.name
        record.before = groupValues(g)
        removeGroup(g.key)
    }

    // MARK: - Rules

    static func groupName(_ raw: String) throws(DirectoryError) -> String {
        let name = raw.trimmingWhitespace
        guard !name.isEmpty, FieldRules.displayWidth(name) <= 64 else {
            throw DirectoryError(.invalidValue, "group: the name must have 1–64 columns")
        }
        // As for department and member names (found by review: BEL and U+202E were accepted).
        if let bad = FieldRules.invisibleCharacter(in: name) {
            throw DirectoryError(
                .invalidValue,
                "group: the name contains U+\(String(bad.value, radix: 16, uppercase: true)); control and invisible characters are not allowed")
        }
        return name
    }

    private func requireGroup(_ name: String) throws(DirectoryError) -> Group {
        guard let g = group(name) else { throw DirectoryError(.notFound, "group: \(name) does not exist") }
        return g
    }
}
