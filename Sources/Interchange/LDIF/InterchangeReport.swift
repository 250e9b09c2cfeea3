import Directory

/// What an LDIF or WeCom import did: what was applied, what failed and why (with the line or the
/// item), and what was deliberately left out. Every record or item is either applied or named
/// here.
public struct InterchangeReport: Sendable, Hashable {
    /// One thing that was not applied.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// The line of the record (LDIF), when there is one.
        public var line: Int?
        /// What failed: a DN, an account, a department id.
        public var item: String
        /// Why, naming the field and the rule.
        public var message: String

        public init(line: Int?, item: String, message: String) {
            self.line = line
            self.item = item
            self.message = message
        }

        public var description: String {
            (line.map { "line \($0): " } ?? "") + (item.isEmpty ? "" : "\(item): ") + message
        }
    }

    /// Applied commands by action (`member.create`, `department.create`, `member.depart` …).
    public var applied: [String: Int] = [:]
    /// What was not applied.
    public var failures: [Failure] = []
    /// What was read and deliberately not imported (administrators, operational attributes…).
    public var notes: [String] = []
    /// Whether this was a dry run (nothing written).
    public var dryRun = false

    public init() {}

    /// How many commands of `action` were applied.
    public func count(_ action: String) -> Int { applied[action] ?? 0 }

    /// A one-paragraph summary for a terminal.
    public var summary: String {
        let order = [
            ("member.create", "members created"), ("department.create", "departments created"),
            ("department.createPath", "department paths created"), ("group.create", "groups created"),
            ("member.depart", "departures"), ("member.update", "members updated"),
            ("department.update", "departments updated"), ("member.setDepartments", "members moved"),
            ("department.move", "departments moved"), ("member.reinstate", "reinstated"), ("member.erase", "erased"),
            ("department.delete", "departments deleted"), ("group.delete", "groups deleted"),
            ("organization.rename", "organisation renamed"),
        ]
        var parts = order.compactMap { key, label in applied[key].map { "\(label): \($0)" } }
        let known = Set(order.map(\.0))
        for (k, v) in applied.sorted(by: { $0.key < $1.key }) where !known.contains(k) { parts.append("\(k): \(v)") }
        parts.append("failed: \(failures.count)")
        return (dryRun ? "dry run (nothing written): " : "") + parts.joined(separator: ", ")
    }

    mutating func record(_ outcome: AuditRecord) { applied[outcome.action, default: 0] += 1 }
}

/// One command of an import plan: built from the model as the commands before it left it, with
/// the line and the item it came from.
struct PlannedStep {
    var line: Int?
    var item: String
    var make: (DirectoryModel) throws(DirectoryError) -> DirectoryCommand
}

extension Interchange {
    /// Applies a plan (or tries it on a copy of the model, for a dry run) and reports.
    static func applyPlan(
        _ steps: [PlannedStep], into service: DirectoryService, by context: CommandContext, allOrNothing: Bool,
        dryRun: Bool, report: inout InterchangeReport
    ) throws {
        report.dryRun = dryRun
        var outcomes: [Result<AuditRecord, any Error>] = []
        if dryRun {
            var model = service.live.snapshot()
            for s in steps {
                do {
                    outcomes.append(.success(try model.apply(try s.make(model), by: context)))
                } catch {
                    outcomes.append(.failure(error))
                }
            }
            if allOrNothing, let bad = outcomes.firstIndex(where: { if case .failure = $0 { true } else { false } }) {
                let first = outcomes[bad]
                outcomes = outcomes.enumerated().map { i, o in
                    i == bad ? first : .failure(DirectoryError(.constraintViolation, "not applied: step \(bad + 1) failed, so nothing was"))
                }
            }
        } else {
            outcomes = try service.executeAll(by: context, allOrNothing: allOrNothing, steps.map(\.make))
        }
        // One failure per record or item: the first; later steps of a failed record say nothing new.
        var failedKeys = Set<String>()
        for (s, o) in zip(steps, outcomes) {
            switch o {
            case .success(let r): report.record(r)
            case .failure(let e):
                let key = "\(s.line ?? -1) \(s.item)"
                if failedKeys.insert(key).inserted {
                    report.failures.append(.init(line: s.line, item: s.item, message: (e as? DirectoryError)?.message ?? "\(e)"))
                }
            }
        }
        if allOrNothing, !report.failures.isEmpty {
            // Only the failure that stopped the import matters; the rest were never tried.
            report.failures = report.failures.filter { !$0.message.hasPrefix("not applied:") }
            report.applied = [:]
        }
    }
}
