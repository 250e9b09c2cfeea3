import Directory
import Foundation

extension Importer {
    // MARK: - Apply

    /// Carries the plan out through the domain's commands: the missing departments first, then
    /// the members, in group commits. Each command is built from the directory as it is when it
    /// is applied (by names and accounts, never by the plan's ids), so a change another process
    /// committed since the plan is taken into account, and a row it breaks is reported.
    mutating func apply(to service: DirectoryService) {
        let context = context
        // Departments, each path once, in the order rows need them.
        var pathRows: [[String]: [Int]] = [:]
        var paths: [[String]] = []
        for (i, p) in plans.enumerated() where p.ok {
            for path in p.newPaths {
                if pathRows[path] == nil { paths.append(path) }
                pathRows[path, default: []].append(i)
            }
        }
        var created = 0
        for (n, chunk) in paths.chunked(options.groupSize).enumerated() {
            if n > 0 { Self.yieldTheDatabase(options, service) }
            let builders = chunk.map { path in
                { (model: DirectoryModel) throws -> DirectoryCommand? in Importer.createPath(path, in: model) }
            }
            for (path, result) in zip(chunk, service.execute(group: builders, by: context)) {
                switch result {
                case .success(let record):
                    created += record?.after["created"]?.split(separator: ";").count ?? 0
                case .failure(let error):
                    for i in pathRows[path] ?? [] { applyFailures[i] = Self.reason(error) }
                }
            }
        }
        departmentsCreated = created
        // Members: one or two writes per row (an update's fields, then its departments).
        let rows = plans.indices.filter { plans[$0].ok && plans[$0].kind != .unchanged && applyFailures[$0] == nil }
        var done = 0
        for (n, chunk) in rows.chunked(max(1, options.groupSize)).enumerated() {
            if n > 0 || created > 0 { Self.yieldTheDatabase(options, service) }
            var builders: [(DirectoryModel) throws -> DirectoryCommand?] = []
            var owners: [Int] = []
            for i in chunk {
                let p = plans[i]
                let flag = RowFlag()
                switch p.kind {
                case .create:
                    builders.append { (model: DirectoryModel) throws -> DirectoryCommand? in
                        let ids = try Importer.resolve(p.departments, in: model) ?? [.root]
                        return .createMember(account: p.account, fields: p.fields, departments: ids, passwordHash: p.hash)
                    }
                    owners.append(i)
                case .update:
                    builders.append { (model: DirectoryModel) throws -> DirectoryCommand? in
                        guard let m = model.member(p.key), m.isActive else {
                            flag.failed = true
                            throw DirectoryError(.notFound, field: .account, "\(p.account) no longer exists or has departed")
                        }
                        let ids = try Importer.resolve(p.departments, in: model)
                        let (fields, newIDs) = try Importer.changes(p, m, ids)
                        guard !fields.isEmpty || p.setsPassword else { return nil }
                        let command = DirectoryCommand.updateMember(m.account, fields: fields, passwordHash: p.setsPassword ? p.hash : nil)
                        if newIDs != nil {
                            // The row's second write follows only if this one holds: try it first.
                            var trial = model
                            do {
                                _ = try trial.apply(command, by: context)
                            } catch {
                                flag.failed = true
                                throw error
                            }
                        }
                        return command
                    }
                    owners.append(i)
                    if p.departments != nil {
                        builders.append { (model: DirectoryModel) throws -> DirectoryCommand? in
                            guard !flag.failed, let m = model.member(p.key) else { return nil }
                            guard let ids = try Importer.resolve(p.departments, in: model), ids != m.departments else { return nil }
                            return .setDepartments(m.account, ids)
                        }
                        owners.append(i)
                    }
                case .unchanged: break
                }
            }
            let results = service.execute(group: builders, by: context)
            var touched = Set<Int>()
            for (i, result) in zip(owners, results) {
                if case .failure(let error) = result, applyFailures[i] == nil { applyFailures[i] = Self.reason(error) }
                if case .success(.some) = result { touched.insert(i) }
            }
            for i in chunk where !touched.contains(i) && applyFailures[i] == nil && plans[i].kind == .update {
                plans[i].kind = .unchanged
            }
            done += chunk.count
            options.progress?("apply", done, rows.count)
        }
    }

    static func reason(_ error: any Error) -> RowReason {
        if let e = error as? DirectoryError { return Reasons.from(e) }
        if let e = error as? StoreError { return RowReason("未能写入：\(e.message)", e.message) }
        return RowReason("未能写入：\(error)", "\(error)")
    }

    // MARK: - Report

    func report(format: SpreadsheetFormat) -> ImportReport {
        var report = ImportReport(dryRun: options.dryRun, chinese: sheet.chinese)
        report.blankRows = blankRows
        report.ignoredColumns = sheet.ignored
        report.departmentsCreated = departmentsCreated
        var failedRows: [(RowPlan, RowReason)] = []
        for (i, p) in plans.enumerated() {
            if let reason = applyFailures[i] {
                failedRows.append((p, reason))
                continue
            }
            guard p.ok else {
                let joined = RowReason(
                    p.reasons.map(\.chinese).joined(separator: "；"), p.reasons.map(\.english).joined(separator: "; "))
                failedRows.append((p, joined))
                continue
            }
            switch p.kind {
            case .create:
                report.created += 1
                if let pw = p.generated, !options.dryRun {
                    report.generatedPasswords.append(GeneratedPassword(account: p.account, name: p.fields[.name] ?? "", password: pw))
                }
            case .update: report.updated += 1
            case .unchanged: report.unchanged += 1
            }
        }
        report.failures = failedRows.map { ImportReport.Failure(row: $0.0.row.number, account: $0.0.account, reason: $0.1.text(chinese: sheet.chinese)) }
        if !failedRows.isEmpty {
            report.errorReport = try? format.write(sheetName: TemplateColumns.sheetName, rows: errorRows(failedRows))
        }
        return report
    }

    /// The failed rows in the file's own columns (as their cells read), plus the reason.
    /// Lets other processes' writers take the database between two group commits.
    /// Only when one is waiting (found by review: a pause after every group of 500 rows was 6 s
    /// of a 100 000-row import).
    static func yieldTheDatabase(_ options: SpreadsheetImportOptions, _ service: DirectoryService) {
        if options.pauseBetweenGroups > 0 && service.anotherWriterIsWaiting {
            Thread.sleep(forTimeInterval: options.pauseBetweenGroups)
        }
    }

    func errorRows(_ failed: [(RowPlan, RowReason)]) -> [[String]] {
        let fieldOf = Dictionary(sheet.columns.map { ($0.index, $0.field) }, uniquingKeysWith: { a, _ in a })
        var keep = sheet.headers.indices.filter { !TemplateColumns.isErrorColumn(sheet.headers[$0]) }
        while let last = keep.last, sheet.headers[last].trimmingWhitespace.isEmpty { keep.removeLast() }
        let header = keep.map { sheet.headers[$0] } + [sheet.chinese ? TemplateColumns.errorColumn.chinese : TemplateColumns.errorColumn.english]
        var rows = [header]
        for (p, reason) in failed {
            // A password (plain or a hash) never goes into the report: the cell is left empty and
            // the reason says so (found by review: the report carried every failed row's password).
            var removedPassword = false
            var cells: [String] = keep.map { c in
                let cell = p.row[c]
                if fieldOf[c] == .password {
                    if !(TemplateSheet.text(cell) ?? "").isEmpty { removedPassword = true }
                    return ""
                }
                if let f = fieldOf[c], case .success(let text) = TemplateSheet.value(cell, for: f) { return text }
                return TemplateSheet.text(cell) ?? ""
            }
            var text = reason.text(chinese: sheet.chinese)
            if removedPassword { text += sheet.chinese ? "（密码未写入本报告，请重新填写）" : " (the password is not copied into this report; fill it in again)" }
            cells.append(text)
            rows.append(cells)
        }
        return rows
    }
}

/// Whether a row's first write failed, so its second one is skipped. Safe unchecked: the
/// builders of one group run one after another on the committing thread.
final class RowFlag: @unchecked Sendable {
    var failed = false
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
