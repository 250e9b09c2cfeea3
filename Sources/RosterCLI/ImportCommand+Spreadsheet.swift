import ArgumentParser
import Directory
import Foundation
import Interchange

#if canImport(Glibc)
import Glibc
#endif

// Spreadsheet import/export/template/reconcile (xlsx, csv): thin callers of `Interchange`.

extension ImportCommand {
    func runSpreadsheetImport() throws {
        guard files.count == 1 else { throw CLIError("import: give one .xlsx or .csv file (\(files.count) given)") }
        let path = files[0]
        let data = try readSpreadsheet(path, maxSize: maxSize)
        if let generatePasswords, !dryRun { try createPrivateFile(generatePasswords, flag: "--generate-passwords") }
        // Checked before anything is applied (found by review: an unwritable report path failed
        // after the rows were in, and the output read as if nothing had been).
        let errorsExisted = errors.map { FileManager.default.fileExists(atPath: $0) } ?? false
        if let errors { try checkWritable(errors, flag: "--errors") }
        let service = try db.open()
        var options = SpreadsheetImportOptions(
            update: update, dryRun: dryRun, placeholderEmail: placeholderEmail, generatePasswords: generatePasswords != nil,
            limits: SpreadsheetLimits(maxFileSize: maxSize), progress: progressLine())
        if let errors { options.errorReportFormat = SpreadsheetFormat.from(filename: errors) }
        var context = cliContext()
        context.source = "import \(URL(fileURLWithPath: path).lastPathComponent)"
        let report: ImportReport
        do {
            report = try SpreadsheetImport.run(
                data: data, filename: path, options: options, service: service, context: context, hasher: passwordHasher)
        } catch {
            throw CLIError("import: \(error.message)")
        }
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        for f in report.failures.prefix(20) { print("row \(f.row)\(f.account.isEmpty ? "" : " " + f.account): \(f.reason)") }
        if report.failures.count > 20 { print("… and \(report.failures.count - 20) more rows (see --errors)") }
        if let generatePasswords, !dryRun {
            try writePrivateFile(generatePasswords, report.generatedPasswordsCSV, flag: "--generate-passwords")
            if !report.generatedPasswords.isEmpty { print("passwords of \(report.generatedPasswords.count) new members: \(generatePasswords)") }
        }
        if let errors {
            if let bytes = report.errorReport {
                try writePrivateFile(errors, bytes, flag: "--errors")
                print("error report: \(errors) (\(report.failed) rows; fix them and import it again)")
            } else {
                // The check above may have created it; a file that was there is left alone.
                if !errorsExisted { try? FileManager.default.removeItem(atPath: errors) }
                print("no rows failed: no error report written")
            }
        }
        print(report.summary)
        if report.failed > 0 { throw ExitCode(1) }
    }
}

extension ExportCommand {
    func runSpreadsheetExport() throws {
        let service = try db.open()
        let model = service.live.snapshot()
        let id = try department.map { try resolve($0, in: model) } ?? .root
        let format: SpreadsheetFormat = try resolvedFormat() == .csv ? .csv : .xlsx
        let bytes = try SpreadsheetExport.write(model, department: id, format: format)
        guard FileManager.default.createFile(atPath: output, contents: bytes) else { throw CLIError("export: cannot write \(output)") }
        let rows = SpreadsheetExport.rows(of: model, department: id).count - 1
        print("exported \(rows) members to \(output)")
    }
}

extension TemplateCommand {
    func runTemplate() throws {
        let bytes = try XLSXWriter.write(TemplateColumns.template())
        guard FileManager.default.createFile(atPath: output, contents: bytes) else { throw CLIError("template: cannot write \(output)") }
        print("template written to \(output): fill in 人员组织, see 通讯录模板填写说明")
    }
}

extension ReconcileCommand {
    func runReconcile() throws {
        let data = try readSpreadsheet(file, maxSize: maxSize)
        let service = try db.open()
        var context = cliContext()
        context.source = "reconcile \(URL(fileURLWithPath: file).lastPathComponent)"
        let report: ReconcileReport
        do {
            report = try SpreadsheetReconcile.run(
                data: data, filename: file,
                options: ReconcileOptions(apply: apply, force: force, limits: SpreadsheetLimits(maxFileSize: maxSize), progress: progressLine()),
                service: service, context: context, hasher: passwordHasher)
        } catch {
            throw CLIError("reconcile: \(error.message)")
        }
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print(report.planText)
        for f in report.applyFailures { print("not applied: \(f)") }
        if apply && !report.applied { throw CLIError("reconcile: nothing applied; \(report.refusal ?? "")") }
        // Like import: a row that could not be applied (or planned) is a failure of the run.
        if !report.applyFailures.isEmpty || (apply && !report.failures.isEmpty) { throw ExitCode(1) }
    }
}

/// Reads a spreadsheet file, refusing one over the size limit before reading it.
func readSpreadsheet(_ path: String, maxSize: Int) throws -> Data {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
        throw CLIError("\(path): no such file")
    }
    if let size = attributes[.size] as? Int, size > maxSize {
        throw CLIError("\(path) is \(size) bytes; at most \(maxSize) are accepted (--max-size)")
    }
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(path): cannot read it") }
    return data
}

/// Creates (or empties) a file only its owner may read: for passwords and error reports (which
/// hold people's personal data).
func createPrivateFile(_ path: String, flag: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw CLIError("\(flag): cannot create \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    guard fchmod(fd, 0o600) == 0 else { throw CLIError("\(flag): cannot make \(path) private") }
}

/// Checks that a file can be written (creating it, private, when it is not there) without
/// truncating one that is.
func checkWritable(_ path: String, flag: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT, 0o600)
    guard fd >= 0 else { throw CLIError("\(flag): cannot create \(path): \(String(cString: strerror(errno)))") }
    close(fd)
}

func writePrivateFile(_ path: String, _ data: Data, flag: String) throws {
    try createPrivateFile(path, flag: flag)
    guard let handle = FileHandle(forWritingAtPath: path) else { throw CLIError("\(flag): cannot write \(path)") }
    defer { try? handle.close() }
    handle.write(data)
}

/// A progress line on standard error (count and estimate) when it is a terminal; none otherwise.
func progressLine() -> (@Sendable (String, Int, Int) -> Void)? {
    guard isatty(STDERR_FILENO) == 1 else { return nil }
    let start = Date()
    return { phase, done, total in
        let elapsed = Date().timeIntervalSince(start)
        var line = "\r\u{1B}[K\(phase) \(done)/\(total) rows"
        if done > 0 && done < total {
            let left = elapsed / Double(done) * Double(total - done)
            line += String(format: ", about %.0f s left", left)
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension InterchangeError {
    var message: String { description }
}
