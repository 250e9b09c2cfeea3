import Foundation

/// Account security commands: lock and unlock, and the upgrade of an imported hash.
extension DirectoryModel {
    mutating func lockAccount(_ account: BindAccount, until: Date?, _ ctx: CommandContext, _ record: inout AuditRecord) throws(DirectoryError) {
        switch account {
        case .member(let a):
            var m = try requireMember(a)
            try authorize(member: m, ctx)
            record.target = m.account.value
            record.before = m.security.auditValues
            m.security.lockedAt = until == nil ? nil : ctx.time
            m.security.lockedUntil = until
            put(m)
            record.after = m.security.auditValues
        case .administrator(let key):
            try requireSuperAdmin(ctx, "lock or unlock administrators")
            guard var admin = administrator(key) else { throw DirectoryError(.notFound, "admin: \(key) does not exist") }
            record.target = admin.name
            record.before = admin.security.auditValues
            admin.security.lockedAt = until == nil ? nil : ctx.time
            admin.security.lockedUntil = until
            put(admin)
            record.after = admin.security.auditValues
        }
    }

    mutating func upgradePasswordHash(
        _ account: BindAccount, from: String, to: String, _ ctx: CommandContext, _ record: inout AuditRecord
    ) throws(DirectoryError) {
        try requireSuperAdmin(ctx, "upgrade stored passwords")
        let changed = DirectoryError(.constraintViolation, field: .password, "changed since it was verified; not upgraded")
        func scheme(_ hash: String) -> String {
            guard hash.hasPrefix("{"), let close = hash.firstIndex(of: "}") else { return "?" }
            return String(hash[hash.index(after: hash.startIndex)..<close])
        }
        switch account {
        case .member(let a):
            var m = try requireMember(a)
            guard m.passwordHash == from else { throw changed }
            m.passwordHash = to
            put(m)
            record.target = m.account.value
        case .administrator(let key):
            guard var admin = administrator(key), admin.passwordHash == from else { throw changed }
            admin.passwordHash = to
            put(admin)
            record.target = admin.name
        }
        record.before = ["scheme": scheme(from)]
        record.after = ["scheme": scheme(to)]
    }
}

extension AccountSecurity {
    var auditValues: [String: String] {
        var out: [String: String] = [:]
        if let lockedUntil { out["lockedUntil"] = lockedUntil.ISO8601Format() }
        return out
    }
}

extension PasswordPolicy {
    var auditValues: [String: String] {
        [
            "minimumLength": String(minimumLength), "requiredClasses": String(requiredClasses),
            "refusePersonalData": refusePersonalData ? "yes" : "no",
        ]
    }
}
