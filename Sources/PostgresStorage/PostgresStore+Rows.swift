import Directory
import Foundation
import PostgresNIO

// The same columns as the SQLite store's tables, so that `roster migrate` moves every field.
extension PostgresStore {
    // MARK: - Writing rows

    /// `INSERT … ON CONFLICT (key) DO UPDATE` of one row.
    private static func upsert(_ table: String, key: String, columns: [String], _ b: Binds, _ marks: [String], _ s: PostgresSession) {
        let updates = columns.filter { $0 != key }.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        s.send(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(marks.joined(separator: ", "))) ON CONFLICT (\(key)) DO UPDATE SET \(updates)",
            b.bindings)
    }

    static func persist(_ batch: EntityBatch, _ s: PostgresSession, pinyin: (Account) -> String? = { _ in nil }) throws {
        for (id, d) in batch.departments {
            var b = Binds()
            guard let d else {
                s.send("DELETE FROM departments WHERE id = \(b.add(id.rawValue))", b.bindings)
                continue
            }
            let marks = [
                b.add(d.id.rawValue), b.add(d.name), b.add(d.parent?.rawValue), b.add(Int64(d.order)), b.add(d.scope.rawValue),
                b.add(d.leaders.map(\.value).joined(separator: "\n")), b.add(d.hidden), b.add(d.description),
                b.add(d.uuid.uuidString), b.add(d.created.actor), b.add(d.created.time.timeIntervalSince1970),
                b.add(d.modified.actor), b.add(d.modified.time.timeIntervalSince1970),
            ]
            upsert(
                "departments", key: "id",
                columns: [
                    "id", "name", "parent_id", "sort_order", "scope", "leaders", "hidden", "description", "uuid", "created_by",
                    "created_at", "modified_by", "modified_at",
                ], b, marks, s)
        }
        for (key, m) in batch.members {
            var b = Binds()
            guard let m else {
                s.send("DELETE FROM members WHERE account_key = \(b.add(key))", b.bindings)
                continue
            }
            var departedAt: Double?
            var departedBy: String?
            var previous: String?
            if case .departed(let at, let by, let prev) = m.status {
                departedAt = at.timeIntervalSince1970
                departedBy = by
                previous = prev.map { String($0.rawValue) }.joined(separator: ",")
            }
            let marks = [
                b.add(m.account.key), b.add(m.account.value), b.add(m.name), b.add(m.nickname), b.add(m.gender), b.add(m.wechat),
                b.add(m.mobile), b.add(m.email), b.add(m.phone), b.add(m.phone2), b.add(m.address), b.add(m.qq), b.add(m.title),
                b.add(m.birthday), b.add(m.lunarBirthday), b.add(m.birthdayReminder?.rawValue), b.add(m.hireDate),
                b.add(m.remarks), b.add(m.followStatus.rawValue), b.add(m.pinned), b.add(m.hidden),
                b.add(m.departments.map { String($0.rawValue) }.joined(separator: ",")), b.add(m.isActive ? "active" : "departed"),
                b.add(departedAt), b.add(departedBy), b.add(previous), b.add(m.passwordHash), b.add(m.uuid.uuidString),
                b.add(m.created.actor), b.add(m.created.time.timeIntervalSince1970), b.add(m.modified.actor),
                b.add(m.modified.time.timeIntervalSince1970), b.add(pinyin(m.account)),
                b.add(m.security.lockedAt?.timeIntervalSince1970), b.add(m.security.lockedUntil?.timeIntervalSince1970),
                b.add(m.security.passwordChangedAt?.timeIntervalSince1970),
            ]
            upsert("members", key: "account_key", columns: memberColumns, b, marks, s)
        }
        for (key, g) in batch.groups {
            var b = Binds()
            guard let g else {
                s.send("DELETE FROM groups WHERE key = \(b.add(key))", b.bindings)
                continue
            }
            let marks = [
                b.add(g.key), b.add(g.name), b.add(g.description), b.add(g.members.map(\.value).joined(separator: "\n")),
                b.add(g.uuid.uuidString), b.add(g.created.actor), b.add(g.created.time.timeIntervalSince1970),
                b.add(g.modified.actor), b.add(g.modified.time.timeIntervalSince1970),
            ]
            upsert(
                "groups", key: "key",
                columns: ["key", "name", "description", "members", "uuid", "created_by", "created_at", "modified_by", "modified_at"],
                b, marks, s)
        }
        for (key, a) in batch.administrators {
            var b = Binds()
            guard let a else {
                s.send("DELETE FROM administrators WHERE key = \(b.add(key))", b.bindings)
                continue
            }
            var scopes: [DepartmentID] = []
            var attributes: String?
            switch a.role {
            case .superAdmin: break
            case .subAdmin(let s): scopes = s
            case .service(let s, let attrs):
                scopes = s
                attributes = attrs?.joined(separator: ",")
            }
            let marks = [
                b.add(a.key), b.add(a.name), b.add(a.role.kind), b.add(scopes.map { String($0.rawValue) }.joined(separator: ",")),
                b.add(attributes), b.add(a.passwordHash), b.add(a.boundMember?.value), b.add(a.security.lockedAt?.timeIntervalSince1970),
                b.add(a.security.lockedUntil?.timeIntervalSince1970), b.add(a.security.passwordChangedAt?.timeIntervalSince1970),
            ]
            upsert(
                "administrators", key: "key",
                columns: [
                    "key", "name", "role", "scopes", "attributes", "password_hash", "bound_member", "locked_at", "locked_until",
                    "password_changed_at",
                ], b, marks, s)
        }
        if let policy = batch.passwordPolicy {
            var b = Binds()
            let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
            s.send(
                "INSERT INTO settings(key, value) VALUES ('password_policy', \(b.add(json))) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                b.bindings)
        }
        if let policy = batch.policy {
            s.send("DELETE FROM field_policy")
            for (field, rule) in policy.rules {
                var b = Binds()
                s.send(
                    "INSERT INTO field_policy VALUES (\(b.add(field.rawValue)), \(b.add(rule.shown)), \(b.add(rule.selfEditable)))",
                    b.bindings)
            }
        }
    }

    static let memberColumns = [
        "account_key", "account", "name", "nickname", "gender", "wechat", "mobile", "email", "phone", "phone2", "address", "qq",
        "title", "birthday", "lunar_birthday", "birthday_reminder", "hire_date", "remarks", "follow_status", "pinned", "hidden",
        "departments", "status", "departed_at", "departed_by", "previous_departments", "password_hash", "uuid", "created_by",
        "created_at", "modified_by", "modified_at", "pinyin", "locked_at", "locked_until", "password_changed_at",
    ]

    static func nextDepartmentID(_ s: PostgresSession) throws -> DepartmentID? {
        try s.run("SELECT value FROM settings WHERE key = 'next_department_id'").first
            .flatMap { Int64(try $0.string("value")) }.map { DepartmentID($0) }
    }

    static func saveNextDepartmentID(_ id: DepartmentID, _ s: PostgresSession) throws {
        var b = Binds()
        s.send(
            "INSERT INTO settings(key, value) VALUES ('next_department_id', \(b.add(String(id.rawValue)))) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            b.bindings)
    }

    static func appendAudit(_ records: [AuditRecord], _ s: PostgresSession) throws {
        guard !records.isEmpty else { return }
        var b = Binds()
        let values = records.map { r in
            "(" + [
                b.add(r.time.timeIntervalSince1970), b.add(r.actor), b.add(r.source), b.add(r.action), b.add(r.target),
                b.add(encodeMap(r.before)), b.add(encodeMap(r.after)),
            ].joined(separator: ", ") + ")"
        }
        s.send(
            "INSERT INTO audit(time, actor, source, action, target, before, after) VALUES \(values.joined(separator: ", "))", b.bindings)
    }

    static func encodeMap(_ map: [String: String]) -> String { JSONText.object(map) }

    static func decodeMap(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }

    // MARK: - Reading rows

    /// Rows of a table: all of them (`keys` nil), or those whose key is in `keys`.
    private static func rows(_ s: PostgresSession, table: String, key: String, keys: [String]?, type: String = "text") throws -> [PostgresRandomAccessRow] {
        guard let keys else { return try s.run("SELECT * FROM \(table)") }
        guard !keys.isEmpty else { return [] }
        var bindings = PostgresBindings()
        bindings.append(keys)
        return try s.run("SELECT * FROM \(table) WHERE \(key)::text = ANY($1::text[])", bindings)
    }

    static func ids(_ text: String?) -> [DepartmentID] {
        (text ?? "").split(separator: ",").compactMap { Int64($0).map { DepartmentID(rawValue: $0) } }
    }

    static func accounts(_ text: String) -> [Account] {
        text.split(separator: "\n").compactMap { try? Account(parsing: String($0)) }
    }

    static func stamp(_ row: PostgresRandomAccessRow, _ prefix: String) throws -> AuditStamp {
        AuditStamp(actor: try row.string("\(prefix)_by"), time: Date(timeIntervalSince1970: try row.double("\(prefix)_at")))
    }

    static func departments(_ s: PostgresSession, ids keys: Set<DepartmentID>?) throws -> [Department] {
        try rows(s, table: "departments", key: "id", keys: keys.map { $0.map { String($0.rawValue) } }).map { row in
            Department(
                id: DepartmentID(rawValue: try row.int64("id")), name: try row.string("name"),
                parent: try row.optionalInt64("parent_id").map { DepartmentID(rawValue: $0) }, order: Int(try row.int64("sort_order")),
                scope: VisibilityScope(rawValue: try row.string("scope")) ?? .inherit, leaders: accounts(try row.string("leaders")),
                hidden: try row.bool("hidden"), description: try row.optionalString("description"),
                uuid: UUID(uuidString: try row.string("uuid")) ?? UUID(), created: try stamp(row, "created"),
                modified: try stamp(row, "modified"))
        }
    }

    /// Members with their stored pinyin.
    static func members(_ s: PostgresSession, keys: Set<String>?) throws -> [(Member, String?)] {
        try rows(s, table: "members", key: "account_key", keys: keys.map(Array.init)).compactMap { row in
            guard let account = try? Account(parsing: try row.string("account")) else { return nil }
            var m = Member(
                account: account, name: try row.string("name"), departments: ids(try row.string("departments")),
                mobile: try row.optionalString("mobile"), email: try row.optionalString("email"),
                wechat: try row.optionalString("wechat"), title: try row.optionalString("title"),
                uuid: UUID(uuidString: try row.string("uuid")) ?? UUID(), created: try stamp(row, "created"))
            m.nickname = try row.optionalString("nickname")
            m.gender = try row.optionalString("gender")
            m.phone = try row.optionalString("phone")
            m.phone2 = try row.optionalString("phone2")
            m.address = try row.optionalString("address")
            m.qq = try row.optionalString("qq")
            m.birthday = try row.optionalString("birthday")
            m.lunarBirthday = try row.optionalString("lunar_birthday")
            m.birthdayReminder = try row.optionalString("birthday_reminder").flatMap(Member.BirthdayReminder.init(rawValue:))
            m.hireDate = try row.optionalString("hire_date")
            m.remarks = try row.optionalString("remarks")
            m.followStatus = Member.FollowStatus(rawValue: try row.string("follow_status")) ?? .notFollowing
            m.pinned = try row.bool("pinned")
            m.hidden = try row.bool("hidden")
            m.passwordHash = try row.optionalString("password_hash")
            m.modified = try stamp(row, "modified")
            m.security = try security(row)
            if try row.string("status") == "departed" {
                m.status = .departed(
                    at: Date(timeIntervalSince1970: try row.optionalDouble("departed_at") ?? 0), by: try row.optionalString("departed_by") ?? "",
                    previousDepartments: ids(try row.optionalString("previous_departments")))
            }
            return (m, try row.optionalString("pinyin"))
        }
    }

    static func groups(_ s: PostgresSession, keys: Set<String>?) throws -> [Group] {
        try rows(s, table: "groups", key: "key", keys: keys.map(Array.init)).map { row in
            var g = Group(
                name: try row.string("name"), description: try row.optionalString("description"),
                members: accounts(try row.string("members")), uuid: UUID(uuidString: try row.string("uuid")) ?? UUID(),
                created: try stamp(row, "created"))
            g.modified = try stamp(row, "modified")
            return g
        }
    }

    static func administrators(_ s: PostgresSession, keys: Set<String>?) throws -> [Administrator] {
        try rows(s, table: "administrators", key: "key", keys: keys.map(Array.init)).map { row in
            let scopes = ids(try row.string("scopes"))
            let role: Administrator.Role
            switch try row.string("role") {
            case "super-admin": role = .superAdmin
            case "sub-admin": role = .subAdmin(scopes: scopes)
            default:
                role = .service(scopes: scopes, attributes: try row.optionalString("attributes").map { $0.split(separator: ",").map(String.init) })
            }
            var admin = Administrator(
                name: try row.string("name"), role: role, passwordHash: try row.optionalString("password_hash"),
                boundMember: try row.optionalString("bound_member").flatMap { try? Account(parsing: $0) })
            admin.security = try security(row)
            return admin
        }
    }

    static func security(_ row: PostgresRandomAccessRow) throws -> AccountSecurity {
        func date(_ column: String) throws -> Date? { try row.optionalDouble(column).map { Date(timeIntervalSince1970: $0) } }
        return AccountSecurity(
            lockedAt: try date("locked_at"), lockedUntil: try date("locked_until"), passwordChangedAt: try date("password_changed_at"))
    }

    static func passwordPolicy(_ s: PostgresSession) throws -> PasswordPolicy {
        guard let json = try s.run("SELECT value FROM settings WHERE key = 'password_policy'").first?.string("value"),
            let policy = try? JSONDecoder().decode(PasswordPolicy.self, from: Data(json.utf8))
        else { return PasswordPolicy() }
        return policy
    }

    static func policy(_ s: PostgresSession) throws -> FieldPolicy {
        var policy = FieldPolicy()
        for row in try s.run("SELECT * FROM field_policy") {
            guard let field = MemberField(rawValue: try row.string("field")) else { continue }
            try? policy.set(field, FieldPolicy.Rule(shown: try row.bool("shown"), selfEditable: try row.bool("self_editable")))
        }
        return policy
    }
}
