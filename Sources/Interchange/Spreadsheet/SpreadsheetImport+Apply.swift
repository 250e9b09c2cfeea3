import Directory
import Foundation

extension Importer {
    // MARK: - Write

    /// Writes the rows in group commits. Each row is decided and applied once, under the write
    /// lock, against the directory as it is then — by ``write(_:in:)``, the decisions the plan
    /// makes — so a change another process committed meanwhile is taken into account, and a row
    /// it breaks is reported. The passwords are checked and hashed first, on all cores.
    mutating func write(to service: DirectoryService) {
        let snapshot = service.live.snapshot()
        Pinyin.remembering(newNames(in: snapshot)) { writeRows(to: service, snapshot) }
    }

    private mutating func writeRows(to service: DirectoryService, _ snapshot: DirectoryModel) {
        preparePasswords(against: snapshot)
        // The builders' copy of the importer holds no rows: capturing `self` would share the
        // rows' array with them, and every row put back below would copy all of it.
        var decider = self
        decider.plans = []
        let rows = plans.indices.filter { plans[$0].ok }
        var created = 0
        var done = 0
        for (n, chunk) in rows.chunked(options.groupSize).enumerated() {
            if n > 0 { Self.yieldTheDatabase(options, service) }
            let boxes = chunk.map { i in
                let box = RowBox(plans[i].undecided)
                plans[i] = RowPlan(row: box.plan.row)
                return box
            }
            let builders = boxes.map { box in
                { [decider] (model: DirectoryModel) throws -> GroupWrite in try decider.write(box, in: model) }
            }
            let results = service.execute(writes: builders, by: context)
            for (i, (box, result)) in zip(chunk, zip(boxes, results)) {
                switch result {
                case .success(let records):
                    if records.isEmpty && box.plan.kind == .update { box.plan.kind = .unchanged }
                    created += box.plan.departmentsCreated
                case .failure(let error):
                    applyFailures[i] = box.reason(error, namingHolders: namesHolders)
                    box.plan.newPaths = []
                }
                plans[i] = box.plan
            }
            done += chunk.count
            options.progress?("apply", done, rows.count)
        }
        departmentsCreated = created
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

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
