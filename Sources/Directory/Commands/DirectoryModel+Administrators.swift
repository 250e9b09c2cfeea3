/// Administrator and service-account commands: put, set the password, remove.
extension DirectoryModel {
    // MARK: - Commands

    mutating func putAdministrator(_ admin: Administrator, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        try requireSuperAdmin(ctx, "manage administrators")
        try validate(admin)
        var admin = admin
        if let old = administrator(admin.key) {
            // The lock and the password's history stay with the account.
            admin.security = old.security
            if admin.passwordHash != old.passwordHash { admin.security.passwordChanged(at: ctx.time) }
        } else if admin.passwordHash != nil {
            admin.security.passwordChangedAt = ctx.time
        }
        record.target = admin.name
        record.after = adminValues(admin)
        if let old = administrator(admin.key) { record.before = adminValues(old) }
        put(admin)
    }

    mutating func setAdministratorPassword(_ name: String, _ hash: String, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        guard var a = administrator(name) else { throw DirectoryError(.notFound, "admin: \(name) does not exist") }
        if case .superAdmin = ctx.role {} else if ctx.actorAdministrator?.lowercased() != a.key {
            throw DirectoryError(.forbidden, "insufficient access: only the super admin or \(a.name) may set this password")
        }
        a.passwordHash = hash
        a.security.passwordChanged(at: ctx.time)
        put(a)
        record.target = a.name
        record.after = ["password": "(changed)"]
    }

    mutating func removeAdministrator(_ name: String, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
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
    }

    // MARK: - Rules

    private func validate(_ admin: Administrator) throws(DirectoryError) {
        let name = admin.name.trimmingWhitespace
        guard !name.isEmpty, name.count <= 64, !name.contains(","), !name.contains("=") else {
            throw DirectoryError(.invalidValue, "admin: the name must have 1–64 characters and no , or =")
        }
        // An administrator's name is the audit's actor: no control or invisible characters (found
        // by review: U+202E let a name spoof the audit log's display).
        if let bad = FieldRules.invisibleCharacter(in: name) {
            throw DirectoryError(
                .invalidValue,
                "admin: the name contains U+\(String(bad.value, radix: 16, uppercase: true)); control and invisible characters are not allowed")
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
