public import Directory
public import Foundation

/// How a reconcile runs.
public struct ReconcileOptions: Sendable {
    /// Carry the plan out (otherwise only plan).
    public var apply: Bool
    /// Apply even when the safety valve would refuse.
    public var force: Bool
    public var limits: SpreadsheetLimits
    public var progress: (@Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void)?

    /// - Parameters: see the properties.
    public init(apply: Bool = false, force: Bool = false, limits: SpreadsheetLimits = SpreadsheetLimits(),
                progress: (@Sendable (String, Int, Int) -> Void)? = nil) {
        self.apply = apply
        self.force = force
        self.limits = limits
        self.progress = progress
    }
}

/// The plan of a reconcile, and what was done.
public struct ReconcileReport: Sendable {
    /// One line of the plan.
    public struct Step: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case hire, change, transfer, leave }
        public var kind: Kind
        public var account: String
        public var name: String
        /// What changes: `mobile: 13800138000 → 13900139000`, `营销中心 → 市场部`.
        public var detail: String
    }

    public var steps: [Step] = []
    /// HR rows that cannot be applied, and why (their people are not departed).
    public var failures: [ImportReport.Failure] = []
    /// Departments the plan creates for hires and transfers (applied: the ones created).
    public var departmentsCreated = 0
    /// Active members of the directory when the plan was made.
    public var directorySize = 0
    /// Why the safety valve refuses the plan, if it does.
    public var refusal: String?
    public var applied = false
    /// What applying did (nil when the plan was not applied).
    public var applyFailures: [String] = []

    public func count(_ kind: Step.Kind) -> Int { steps.filter { $0.kind == kind }.count }

    /// The plan, one step a line, then a summary.
    public var planText: String {
        var lines = steps.map { s in "\(s.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(s.account) \(s.name)\(s.detail.isEmpty ? "" : ": " + s.detail)" }
        for f in failures { lines.append("error    row \(f.row) \(f.account): \(f.reason)") }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }

    public var summary: String {
        let counts = "hires \(count(.hire)), changes \(count(.change)), transfers \(count(.transfer)), leavers \(count(.leave)), departments \(applied ? "created" : "to create") \(departmentsCreated), errors \(failures.count) (directory: \(directorySize) active members)"
        if applied { return "applied: " + counts }
        if let refusal { return "refused: " + counts + "; " + refusal }
        return "plan (not applied; --apply carries it out): " + counts
    }
}

/// The HR roster reconcile (DESIGN §6): the file is the truth for the whole directory. People in
/// the file and not in the directory are hired, those in both get the file's non-empty cells
/// (changes) and departments (transfers), active members not in the file leave (depart, never
/// erased). Rows with errors are reported, and their people are never taken for leavers.
public enum SpreadsheetReconcile {
    /// The safety valve (issue 10): whether departing `leavers` of `size` active members is
    /// refused without `--force` — more than 50 that are more than 20% of the directory, or fewer
    /// than 50 that are more than 80% (exactly 50 is neither). Decided on the exact ratio.
    public static func refuses(leavers: Int, of size: Int) -> Bool {
        guard leavers > 0 else { return false }
        if leavers > 50 { return leavers * 5 > size }
        if leavers < 50 { return leavers * 5 > size * 4 }
        return false
    }

    /// `part` of `whole` as a percentage with one decimal (`20.4%`), rounded half up; never shown
    /// as the threshold it passes (`20.04%` is `20.1%` when 20% is the line: over is over).
    static func percentage(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "0.0%" }
        var tenths = (part * 2000 + whole) / (whole * 2)
        // Rounding must not land on a threshold the exact ratio passes.
        for line in [200, 800] where tenths == line && part * 1000 > line * whole { tenths += 1 }
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// Plans a reconcile and, with `options.apply`, carries it out.
    /// - Throws: ``InterchangeError`` when the file is refused as a whole.
    public static func run(
        data: Data, filename: String, options: ReconcileOptions, service: DirectoryService, context: CommandContext,
        hasher: any PasswordHasher
    ) throws(InterchangeError) -> ReconcileReport {
        let table = try SpreadsheetTable.read(data, filename: filename, limits: options.limits)
        let sheet = try TemplateSheet(table, filename: filename)
        let importOptions = SpreadsheetImportOptions(update: true, dryRun: true, limits: options.limits, progress: options.progress)
        var importer = Importer(sheet: sheet, options: importOptions, context: context, hasher: hasher, namesHolders: true)
        importer.readRows()
        let snapshot = service.live.snapshot()
        importer.plan(against: snapshot)
        var report = ReconcileReport()
        report.departmentsCreated = importer.departmentsCreated
        var inFile = Set<String>()
        for p in importer.plans where !p.account.isEmpty { inFile.insert(p.key) }
        for p in importer.plans {
            guard p.ok else {
                report.failures.append(ImportReport.Failure(
                    row: p.row.number, account: p.account,
                    reason: p.reasons.map { $0.text(chinese: sheet.chinese) }.joined(separator: sheet.chinese ? "；" : "; ")))
                continue
            }
            let name = p.fields[.name] ?? snapshot.member(p.key)?.name ?? ""
            switch p.kind {
            case .create:
                let where_ = (p.departments ?? [[]]).map { $0.isEmpty ? "/" : $0.joined(separator: "->") }.joined(separator: ";")
                report.steps.append(.init(kind: .hire, account: p.account, name: name, detail: where_))
            case .update:
                guard let m = snapshot.member(p.key) else { continue }
                let (fields, ids) = (try? Importer.changes(p, m, try Importer.resolveExisting(p.departments, in: snapshot))) ?? ([:], nil)
                if !fields.isEmpty || p.setsPassword {
                    var parts = fields.keys.sorted { $0.rawValue < $1.rawValue }.map { f in
                        "\(f.rawValue): \(m.value(of: f) ?? "") → \((fields[f] ?? nil) ?? "")"
                    }
                    if p.setsPassword { parts.append("password") }
                    report.steps.append(.init(kind: .change, account: m.account.value, name: m.name, detail: parts.joined(separator: ", ")))
                }
                if ids != nil || (p.departments != nil && Importer.needsNewDepartments(p.departments, in: snapshot)) {
                    let from = m.departments.map { snapshot.pathString(of: $0) }.joined(separator: ";")
                    let to = (p.departments ?? []).map { $0.isEmpty ? "/" : $0.joined(separator: "->") }.joined(separator: ";")
                    report.steps.append(.init(kind: .transfer, account: m.account.value, name: m.name, detail: "\(from) → \(to)"))
                }
            case .unchanged: break
            }
        }
        let active = snapshot.allMembers.filter(\.isActive)
        report.directorySize = active.count
        let leavers = active.filter { !inFile.contains($0.account.key) }.sorted { $0.account < $1.account }
        for m in leavers {
            report.steps.append(.init(kind: .leave, account: m.account.value, name: m.name, detail: m.departments.map { snapshot.pathString(of: $0) }.joined(separator: ";")))
        }
        if refuses(leavers: leavers.count, of: active.count) {
            report.refusal = "the plan departs \(leavers.count) of \(active.count) active members (\(percentage(leavers.count, of: active.count))); the safety valve refuses more than 50 that are more than 20% of the directory, or fewer than 50 that are more than 80% — check the file, or give --force"
        }
        guard options.apply, report.refusal == nil || options.force else { return report }
        // Apply: hires, changes and transfers as an import with --update, then the leavers.
        var applying = importer
        applying.options = SpreadsheetImportOptions(update: true, dryRun: false, limits: options.limits, progress: options.progress)
        applying.write(to: service)
        report.departmentsCreated = applying.departmentsCreated
        for (i, reason) in applying.applyFailures.sorted(by: { $0.key < $1.key }) {
            report.applyFailures.append("row \(applying.plans[i].row.number) \(applying.plans[i].account): \(reason.text(chinese: sheet.chinese))")
        }
        let builders = leavers.map { m in
            { (model: DirectoryModel) throws -> DirectoryCommand? in
                guard let current = model.member(m.account.key), current.isActive else { return nil }
                return .depart(current.account)
            }
        }
        for (m, result) in zip(leavers, service.execute(group: builders, by: context)) {
            if case .failure(let e) = result { report.applyFailures.append("leave \(m.account): \(e)") }
        }
        report.applied = true
        return report
    }
}

extension Importer {
    /// Departments of existing paths only (nil when the cell is empty or a path is new).
    static func resolveExisting(_ paths: [[String]]?, in model: DirectoryModel) throws -> [DepartmentID]? {
        guard let paths, !needsNewDepartments(paths, in: model) else { return nil }
        return try resolve(paths, in: model)
    }

    static func needsNewDepartments(_ paths: [[String]]?, in model: DirectoryModel) -> Bool {
        (paths ?? []).contains { model.department(atPath: $0) == nil }
    }
}
