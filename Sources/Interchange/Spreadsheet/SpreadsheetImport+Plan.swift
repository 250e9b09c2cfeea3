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
            if TemplateColumns.isSingleLine(field) && text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
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
        // The full-width forms are rare: looked for once, replaced only when there.
        let fullWidth = text.unicodeScalars.contains { s in s == "；" || s == "－" || s == "—" || s == "＞" }
        let normalized =
            !fullWidth
            ? text
            : text.replacingOccurrences(of: "；", with: ";").replacingOccurrences(of: "－>", with: "->")
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
            let names = path.split(separator: "->", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
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
    /// needs, then its member, each through the domain's commands (``write(_:in:)``, the same
    /// decisions a real import makes under the write lock). A row that breaks a rule is reported
    /// and leaves no trace in the plan.
    mutating func plan(against snapshot: DirectoryModel) {
        Pinyin.remembering(newNames(in: snapshot)) { planRows(against: snapshot) }
    }

    /// The names of the members the rows would create: their pinyin is computed ahead, on all
    /// cores, for the writes that follow one by one.
    func newNames(in snapshot: DirectoryModel) -> [String] {
        plans.compactMap { p in p.ok && snapshot.member(p.key) == nil ? p.fields[.name]?.trimmingWhitespace : nil }
    }

    private mutating func planRows(against snapshot: DirectoryModel) {
        preparePasswords(against: snapshot)
        var model = snapshot
        _ = model.takeChanges()
        let before = model.departments.count
        let total = plans.count
        for i in plans.indices {
            if i % 1000 == 0 { options.progress?("check", i, total) }
            guard plans[i].ok else { continue }
            // The row is taken out and put back: planning it in place would copy every row.
            let box = RowBox(plans[i])
            plans[i] = RowPlan(row: box.plan.row)
            do {
                _ = try CommandSteps.run(try write(box, in: model), on: &model, by: context)
                // The plan's model never reaches a store: drop its record of what changed, which
                // would otherwise grow with every row and be copied by each command.
                _ = model.takeChanges()
            } catch {
                box.fail(error, namingHolders: namesHolders)
            }
            plans[i] = box.plan
        }
        options.progress?("check", total, total)
        departmentsCreated = model.departments.count - before
    }

    /// What writing the row does to `model`: a new member whose departments all exist is one
    /// command (applied without a copy of the model); anything else is the row's commands in
    /// order on a copy (its missing departments, then the member; or an update and its
    /// departments), all or none. Records in `box` what the row does.
    func write(_ box: RowBox, in model: DirectoryModel) throws(DirectoryError) -> GroupWrite {
        let p = box.plan
        if model.member(p.key) == nil, (p.departments ?? []).allSatisfy({ model.department(atPath: $0) != nil }) {
            let ids = try Self.resolve(p.departments, in: model)
            var row = p
            let command = try createCommand(&row, ids, in: model)
            box.plan = row
            return .one(command)
        }
        return .several { (steps: inout CommandSteps) throws(DirectoryError) in
            var row = box.plan
            try self.plan(&row, &steps)
            box.plan = row
        }
    }

    private func plan(_ p: inout RowPlan, _ steps: inout CommandSteps) throws(DirectoryError) {
        let existing = steps.model.member(p.key)
        if let existing {
            guard options.update else {
                throw DirectoryError(.alreadyExists, field: .account, "\(existing.account) already exists")
            }
            guard existing.isActive else {
                throw DirectoryError(.constraintViolation, field: .account, "\(existing.account) has departed")
            }
        }
        for path in p.departments ?? [] where steps.model.department(atPath: path) == nil {
            guard let command = Self.createPath(path, in: steps.model) else { continue }
            let record = try steps.apply(command)
            p.newPaths.append(path)
            p.departmentsCreated += record.after["created"]?.split(separator: ";").count ?? 0
        }
        let ids = try Self.resolve(p.departments, in: steps.model)
        guard let existing else {
            try steps.apply(try createCommand(&p, ids, in: steps.model))
            return
        }
        p.kind = .update
        let (fields, newIDs) = try Self.changes(p, existing, ids)
        if let password = p.password {
            let hash = try passwordHash(password, for: &p, owner: steps.model.passwordOwner(existing), policy: steps.model.passwordPolicy)
            p.setsPassword = hash == nil || hash != existing.passwordHash
            p.hash = hash
        }
        if fields.isEmpty && newIDs == nil && !p.setsPassword {
            p.kind = .unchanged
            return
        }
        if !fields.isEmpty || p.setsPassword {
            // A dry run stands in for a plain password's hash, which it does not compute.
            let hash = p.setsPassword ? (p.hash ?? "{PLANNED}") : nil
            try steps.apply(.updateMember(existing.account, fields: fields, passwordHash: hash))
        }
        if let newIDs { try steps.apply(.setDepartments(existing.account, newIDs)) }
    }

    /// The command creating the row's member in `ids`, with its password's hash (a kept
    /// `{SCHEME}` value, the cell's password or a generated one, checked against the rules).
    private func createCommand(_ p: inout RowPlan, _ ids: [DepartmentID]?, in model: DirectoryModel) throws(DirectoryError) -> DirectoryCommand {
        p.kind = .create
        var fields = p.fields
        if let pattern = options.placeholderEmail, fields[.wechat] == nil, fields[.mobile] == nil, fields[.email] == nil {
            fields[.email] = pattern.replacingOccurrences(of: "{account}", with: p.account)
            p.fields = fields
        }
        if let password = p.password {
            if Self.isStoredHash(password) {
                p.hash = try checkPassword(password, owner: PasswordOwner(account: p.account), policy: model.passwordPolicy)
                p.setsPassword = true
            } else if let owner = Self.newOwner(p) {
                p.hash = try passwordHash(password, for: &p, owner: owner, policy: model.passwordPolicy)
                p.setsPassword = true
            }
            // Otherwise the member's own fields are refused (its name, its mobile): the command
            // says which, before the password is looked at.
        } else if options.generatePasswords, let owner = Self.newOwner(p) {
            let prepared = p.prepared.flatMap { $0.owner == owner && $0.policy == model.passwordPolicy ? $0 : nil }
            p.generated = prepared?.generated ?? Self.generatePassword(policy: model.passwordPolicy, owner: owner)
            p.hash = options.dryRun ? nil : (prepared?.hash ?? hasher.hash(p.generated!))
            p.setsPassword = true
        }
        return .createMember(account: p.account, fields: fields, departments: ids ?? [.root], passwordHash: options.dryRun ? nil : p.hash)
    }

    /// Whose password a new member's would be: its account, name, pinyin and mobile as the
    /// member will hold them (nil when those fields are refused).
    static func newOwner(_ p: RowPlan) -> PasswordOwner? {
        do throws(DirectoryError) {
            let account = try Account(parsing: p.account.trimmingWhitespace)
            guard let name = try FieldRules.memberField(.name, p.fields[.name]) else { return nil }
            let mobile = try FieldRules.memberField(.mobile, p.fields[.mobile])
            return PasswordOwner(account: account.value, pinyin: PinyinName(name).compact, mobile: mobile, name: name)
        } catch {
            return nil
        }
    }

    /// The hash to store for a password cell: a `{SCHEME}` value checked and kept; a plain
    /// password checked against the rules for `owner` and hashed (nil in a dry run) — taken
    /// from ``preparePasswords(against:)`` when it was prepared for the same owner and policy.
    private func passwordHash(
        _ password: String, for p: inout RowPlan, owner: PasswordOwner, policy: PasswordPolicy
    ) throws(DirectoryError) -> String? {
        if Self.isStoredHash(password) { return try checkPassword(password, owner: owner, policy: policy) }
        if let prepared = p.prepared, prepared.owner == owner, prepared.policy == policy {
            if let error = prepared.refusal { throw error }
            return prepared.hash
        }
        _ = try checkPassword(password, owner: owner, policy: policy)
        return options.dryRun ? nil : hasher.hash(password)
    }

    /// A `{SCHEME}` value is checked and kept (returned); a plain password is checked against
    /// the rules and hashed later (nil here).
    private func checkPassword(_ password: String, owner: PasswordOwner, policy: PasswordPolicy) throws(DirectoryError) -> String? {
        if Self.isStoredHash(password) {
            try hasher.validate(storedHash: password)
            return password
        }
        try Self.checkPlain(password, owner: owner, policy: policy)
        return nil
    }

    /// A plain password against the rules for `owner`.
    static func checkPlain(_ password: String, owner: PasswordOwner, policy: PasswordPolicy) throws(DirectoryError) {
        // `{MD5}…` and other schemes Roster does not verify: refused, never taken for a plain
        // password (found by review: the member could never bind with it).
        if let scheme = PasswordRules.hashScheme(of: password) {
            throw DirectoryError(
                .invalidValue, field: .password,
                "password: \(scheme) is not a scheme Roster verifies (\(Self.storedSchemes.joined(separator: ", ")) are; or give a plain password)")
        }
        try PasswordRules.check(password, policy: policy, owner: owner)
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

    /// Checks and hashes the plain and generated passwords of the rows, on all cores, for the
    /// owner each would have in `snapshot` (the member it updates, or the one it creates); a
    /// row whose owner or policy is different when it is written is checked again then.
    mutating func preparePasswords(against snapshot: DirectoryModel) {
        let policy = snapshot.passwordPolicy
        var work: [(index: Int, owner: PasswordOwner)] = []
        for (i, p) in plans.enumerated() where p.ok {
            if let password = p.password, Self.isStoredHash(password) { continue }
            guard p.password != nil || options.generatePasswords else { continue }
            if let existing = snapshot.member(p.key) {
                // An update sets a password only from its cell.
                if p.password != nil { work.append((i, snapshot.passwordOwner(existing))) }
            } else if let owner = Self.newOwner(p) {
                work.append((i, owner))
            }
        }
        guard !work.isEmpty else { return }
        let results = Mutex([PreparedPassword?](repeating: nil, count: work.count))
        let (hasher, dryRun, jobs) = (hasher, options.dryRun, work)
        let passwords = work.map { plans[$0.index].password }
        DispatchQueue.concurrentPerform(iterations: jobs.count) { n in
            let owner = jobs[n].owner
            var prepared = PreparedPassword(owner: owner, policy: policy)
            if let password = passwords[n] {
                do throws(DirectoryError) {
                    try Self.checkPlain(password, owner: owner, policy: policy)
                    if !dryRun { prepared.hash = hasher.hash(password) }
                } catch {
                    prepared.refusal = error
                }
            } else {
                let generated = Self.generatePassword(policy: policy, owner: owner)
                prepared.generated = generated
                if !dryRun { prepared.hash = hasher.hash(generated) }
            }
            results.withLock { $0[n] = prepared }
        }
        let done = results.withLock { $0 }
        for (n, w) in work.enumerated() { plans[w.index].prepared = done[n] }
    }
}

/// A password checked (and hashed) ahead of the writes, for one owner under one policy.
struct PreparedPassword: Sendable {
    var owner: PasswordOwner
    var policy: PasswordPolicy
    var hash: String?
    var generated: String?
    var refusal: DirectoryError?
}

/// A row's plan while a write decides it (the writes run one after another, on the thread that
/// commits the group: a box, not a copy, carries what they find).
final class RowBox: @unchecked Sendable {
    // Safe: read and written only by the row's write, on the committing thread, while the
    // import that made it waits for the group's result.
    var plan: RowPlan
    init(_ plan: RowPlan) { self.plan = plan }

    /// Records why the row cannot be written; it creates nothing.
    func fail(_ error: any Error, namingHolders: Bool) {
        plan.reasons.append(reason(error, namingHolders: namingHolders))
        plan.newPaths = []
        plan.departmentsCreated = 0
    }

    /// Why the row cannot be written, as the report says it (naming the cell's value).
    func reason(_ error: any Error, namingHolders: Bool) -> RowReason {
        guard let error = error as? DirectoryError else { return Importer.reason(error) }
        let value: String? = error.field == .account ? plan.account : error.field.flatMap { plan.fields[$0] }
        return Reasons.from(error, value: value, namingHolders: namingHolders)
    }
}
