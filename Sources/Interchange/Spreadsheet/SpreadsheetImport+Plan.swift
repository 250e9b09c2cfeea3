import Directory
import Foundation
import Synchronization

/// The import's steps: read the rows, plan them against a snapshot, apply the plan in group
/// commits, report.
struct Importer {
    let sheet: TemplateSheet
    var options: SpreadsheetImportOptions
    let context: CommandContext
    /// Whether row reasons may name the member who holds a value (see ``Reasons/from``).
    let namesHolders: Bool
    let hasher: any PasswordHasher
    var plans: [RowPlan] = []
    var blankRows = 0
    var departmentsCreated = 0
    /// Failures found while applying (another writer changed the directory after the plan).
    var applyFailures: [Int: RowReason] = [:]

    init(
        sheet: TemplateSheet, options: SpreadsheetImportOptions, context: CommandContext, hasher: any PasswordHasher,
        namesHolders: Bool = false
    ) {
        self.sheet = sheet
        self.options = options
        self.context = context
        self.namesHolders = namesHolders
        self.hasher = hasher
    }

    // MARK: - Rows

    mutating func readRows() {
        for row in sheet.rows {
            if row.isBlank && row.problems.isEmpty {
                blankRows += 1
                continue
            }
            plans.append(read(row))
        }
        // The same account on several rows: every one of them is reported.
        var rowsByKey: [String: [Int]] = [:]
        for (i, p) in plans.enumerated() where !p.account.isEmpty { rowsByKey[p.key, default: []].append(i) }
        for (_, indexes) in rowsByKey where indexes.count > 1 {
            let numbers = indexes.map { plans[$0].row.number }
            for i in indexes { plans[i].reasons.append(Reasons.duplicate(plans[i].account, rows: numbers)) }
        }
    }

    func read(_ row: SpreadsheetRow) -> RowPlan {
        var plan = RowPlan(row: row)
        for p in row.problems where p.hasPrefix("merged:") { plan.reasons.append(Reasons.merged(String(p.dropFirst(7)))) }
        for (index, field) in sheet.columns {
            let cell = row[index]
            if cell.isBlank { continue }
            let text: String
            switch TemplateSheet.value(cell, for: field) {
            case .failure(let reason):
                plan.reasons.append(reason)
                continue
            case .success(let t): text = t.trimmingWhitespace
            }
            if text.isEmpty { continue }
            if TemplateColumns.isSingleLine(field) && (text.contains("\n") || text.contains("\r")) {
                plan.reasons.append(Reasons.lineBreak(field))
                continue
            }
            switch field {
            case .account: plan.account = text
            case .department:
                switch Self.paths(text) {
                case .success(let paths): plan.departments = paths
                case .failure(let reason): plan.reasons.append(reason)
                }
            case .password: plan.password = text
            default: plan.fields[field] = text
            }
        }
        if plan.account.isEmpty { plan.reasons.append(Reasons.required(.account)) }
        return plan
    }

    /// `营销中心->大客户部->工业制造;市场部` (full-width `；` and `－>` too) as name paths; `/` is the
    /// organisation itself.
    static func paths(_ text: String) -> Result<[[String]], RowReason> {
        let normalized = text.replacingOccurrences(of: "；", with: ";").replacingOccurrences(of: "－>", with: "->")
            .replacingOccurrences(of: "－＞", with: "->").replacingOccurrences(of: "—>", with: "->").replacingOccurrences(of: "-＞", with: "->")
        var out: [[String]] = []
        for part in normalized.split(separator: ";", omittingEmptySubsequences: false) {
            let path = String(part).trimmingWhitespace
            // `A;`, `;A`, `A;;B`: an empty path, refused (found by review: it was skipped).
            if path.isEmpty { return .failure(Reasons.emptyDepartmentPath(text)) }
            if path == "/" {
                if !out.contains([]) { out.append([]) }
                continue
            }
            let names = path.components(separatedBy: "->").map { (n: String) in n.trimmingWhitespace }
            if names.contains(where: { $0.isEmpty }) { return .failure(Reasons.emptyDepartmentName(path)) }
            if names.count > DirectoryModel.maxDepth { return .failure(Reasons.tooDeep(path, names.count)) }
            for name in names {
                do throws(DirectoryError) {
                    _ = try FieldRules.departmentName(name)
                } catch {
                    return .failure(Reasons.from(error, value: name))
                }
            }
            if !out.contains(names) { out.append(names) }
        }
        return .success(out)
    }

    // MARK: - Plan

    /// Checks every row against `snapshot`, as the import would apply it: the departments it
    /// needs, then its member, each through the domain's commands on a copy of the model. A row
    /// that breaks a rule is reported and leaves no trace in the plan.
    mutating func plan(against snapshot: DirectoryModel) {
        var model = snapshot
        _ = model.takeChanges()
        let before = model.departments.count
        let total = plans.count
        for i in plans.indices {
            if i % 1000 == 0 { options.progress?("check", i, total) }
            guard plans[i].ok else { continue }
            // The row is taken out and put back: planning it in place would copy every row.
            var row = plans[i]
            var work = model
            do {
                try plan(&row, &work)
                // The plan's model never reaches a store: drop its record of what changed, which
                // would otherwise grow with every row and be copied by each command.
                _ = work.takeChanges()
                model = work
            } catch {
                let value: String? = error.field == .account ? row.account : error.field.flatMap { row.fields[$0] }
                row.reasons.append(Reasons.from(error, value: value, namingHolders: namesHolders))
                row.newPaths = []
            }
            plans[i] = row
        }
        options.progress?("check", total, total)
        departmentsCreated = model.departments.count - before
        hashPasswords()
    }

    private func plan(_ p: inout RowPlan, _ model: inout DirectoryModel) throws(DirectoryError) {
        let existing = model.member(p.key)
        if let existing {
            guard options.update else {
                throw DirectoryError(.alreadyExists, field: .account, "\(existing.account) already exists")
            }
            guard existing.isActive else {
                throw DirectoryError(.constraintViolation, field: .account, "\(existing.account) has departed")
            }
        }
        for path in p.departments ?? [] where model.department(atPath: path) == nil {
            guard let command = Self.createPath(path, in: model) else { continue }
            _ = try model.apply(command, by: context)
            p.newPaths.append(path)
        }
        let ids = try Self.resolve(p.departments, in: model)
        if let existing {
            p.kind = .update
            let (fields, ids) = try Self.changes(p, existing, ids)
            if let password = p.password {
                let hash = try checkPassword(password, owner: model.passwordOwner(existing), policy: model.passwordPolicy)
                p.setsPassword = hash == nil || hash != existing.passwordHash
                p.hash = hash
            }
            if fields.isEmpty && ids == nil && !p.setsPassword {
                p.kind = .unchanged
                return
            }
            if !fields.isEmpty || p.setsPassword {
                // The plan stands in for a plain password's hash, computed once the rows are known.
                let hash = p.setsPassword ? (p.hash ?? "{PLANNED}") : nil
                _ = try model.apply(.updateMember(existing.account, fields: fields, passwordHash: hash), by: context)
            }
            if let ids { _ = try model.apply(.setDepartments(existing.account, ids), by: context) }
            return
        }
        var fields = p.fields
        if let pattern = options.placeholderEmail, fields[.wechat] == nil, fields[.mobile] == nil, fields[.email] == nil {
            fields[.email] = pattern.replacingOccurrences(of: "{account}", with: p.account)
            p.fields = fields
        }
        _ = try model.apply(.createMember(account: p.account, fields: fields, departments: ids ?? [.root], passwordHash: nil), by: context)
        guard let created = model.member(p.key) else { return }
        if let password = p.password {
            p.hash = try checkPassword(password, owner: model.passwordOwner(created), policy: model.passwordPolicy)
            p.setsPassword = true
        } else if options.generatePasswords {
            p.generated = Self.generatePassword(policy: model.passwordPolicy, owner: model.passwordOwner(created))
            p.setsPassword = true
        }
    }

    /// A `{SCHEME}` value is checked and kept (returned); a plain password is checked against
    /// the rules and hashed later (nil here).
    private func checkPassword(_ password: String, owner: PasswordOwner, policy: PasswordPolicy) throws(DirectoryError) -> String? {
        if Self.isStoredHash(password) {
            try hasher.validate(storedHash: password)
            return password
        }
        // `{MD5}…` and other schemes Roster does not verify: refused, never taken for a plain
        // password (found by review: the member could never bind with it).
        if let scheme = PasswordRules.hashScheme(of: password) {
            throw DirectoryError(
                .invalidValue, field: .password,
                "password: \(scheme) is not a scheme Roster verifies (\(Self.storedSchemes.joined(separator: ", ")) are; or give a plain password)")
        }
        try PasswordRules.check(password, policy: policy, owner: owner)
        return nil
    }

    static let storedSchemes = ["{SSHA}", "{SSHA256}", "{SSHA512}", "{SHA}", "{CRYPT}", "{PBKDF2}", "{PBKDF2-SHA1}", "{PBKDF2-SHA256}", "{PBKDF2-SHA512}"]

    static func isStoredHash(_ s: String) -> Bool {
        let upper = s.prefix(20).uppercased()
        return s.hasPrefix("{") && storedSchemes.contains { upper.hasPrefix($0) }
    }

    /// The fields an update changes (the non-empty cells whose value differs) and the new
    /// departments (nil when the cell is empty or names the same ones).
    static func changes(_ p: RowPlan, _ m: Member, _ ids: [DepartmentID]?) throws(DirectoryError) -> ([MemberField: String?], [DepartmentID]?) {
        var fields: [MemberField: String?] = [:]
        for (f, raw) in p.fields {
            let value = try FieldRules.memberField(f, raw)
            if value != m.value(of: f) { fields[f] = raw }
        }
        return (fields, ids.flatMap { $0 == m.departments ? nil : $0 })
    }

    /// The command creating a path's missing departments (nil when it exists).
    static func createPath(_ path: [String], in model: DirectoryModel) -> DirectoryCommand? {
        var parent = DepartmentID.root
        var depth = 0
        while depth < path.count, let d = model.child(of: parent, named: path[depth]) {
            parent = d.id
            depth += 1
        }
        guard depth < path.count, let leaf = path.last else { return nil }
        return .createDepartmentPath(parents: Array(path[depth..<(path.count - 1)]), leaf: DepartmentDraft(name: leaf, parent: parent))
    }

    static func resolve(_ paths: [[String]]?, in model: DirectoryModel) throws(DirectoryError) -> [DepartmentID]? {
        guard let paths else { return nil }
        var ids: [DepartmentID] = []
        for path in paths {
            guard let d = model.department(atPath: path) else {
                throw DirectoryError(.notFound, field: .department, "\(path.joined(separator: "->")) does not exist")
            }
            if !ids.contains(d.id) { ids.append(d.id) }
        }
        return ids.isEmpty ? [.root] : ids
    }

    /// A random password meeting the policy: 14 characters of letters and digits without
    /// look-alikes (0/O, 1/l/I), with a lower-case letter, an upper-case letter and a digit.
    static func generatePassword(policy: PasswordPolicy, owner: PasswordOwner) -> String {
        let lower = Array("abcdefghijkmnopqrstuvwxyz"), upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ"), digits = Array("23456789")
        let all = lower + upper + digits
        var rng = SystemRandomNumberGenerator()
        let length = max(14, policy.minimumLength)
        for _ in 0..<100 {
            var chars = [lower.randomElement(using: &rng)!, upper.randomElement(using: &rng)!, digits.randomElement(using: &rng)!]
            while chars.count < length { chars.append(all.randomElement(using: &rng)!) }
            chars.shuffle(using: &rng)
            let s = String(chars)
            if (try? PasswordRules.check(s, policy: policy, owner: owner)) != nil { return s }
        }
        return String((0..<length).map { _ in all.randomElement(using: &rng)! })
    }

    /// Hashes the plain and generated passwords of the rows that passed, on all cores.
    mutating func hashPasswords() {
        guard !options.dryRun else { return }
        let work = plans.indices.filter { plans[$0].ok && plans[$0].setsPassword && plans[$0].hash == nil }
        guard !work.isEmpty else { return }
        let inputs = work.map { plans[$0].generated ?? plans[$0].password ?? "" }
        let hashes = Mutex([String?](repeating: nil, count: inputs.count))
        let hasher = hasher
        DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
            let h = hasher.hash(inputs[i])
            hashes.withLock { $0[i] = h }
        }
        let done = hashes.withLock { $0 }
        for (n, i) in work.enumerated() { plans[i].hash = done[n] }
    }
}
