public import Directory
public import Foundation
import Synchronization

/// The spreadsheet formats the importer reads and the reports it writes.
public enum SpreadsheetFormat: String, Sendable, Hashable {
    case xlsx, csv

    /// The format a file name's extension names (`.csv`, `.txt`: CSV; anything else: xlsx).
    public static func from(filename: String) -> SpreadsheetFormat {
        let lower = filename.lowercased()
        return lower.hasSuffix(".csv") || lower.hasSuffix(".txt") ? .csv : .xlsx
    }

    /// The bytes of a workbook or CSV file holding one sheet.
    public func write(sheetName: String, rows: [[String]]) throws -> Data {
        switch self {
        case .csv: CSVWriter.write(rows)
        case .xlsx: try XLSXWriter.write([XLSXWriter.Sheet(name: sheetName, rows: rows)])
        }
    }
}

/// How an import runs.
public struct SpreadsheetImportOptions: Sendable {
    /// Update existing accounts (only their non-empty cells); otherwise they are errors.
    public var update: Bool
    /// Check every row against the directory and report, change nothing.
    public var dryRun: Bool
    /// An e-mail pattern (`{account}@example.com`) for new members with no WeChat id, mobile
    /// or e-mail.
    public var placeholderEmail: String?
    /// Give every new member without a password a random one (returned in the report).
    public var generatePasswords: Bool
    public var limits: SpreadsheetLimits
    /// The error report's format (default: the imported file's).
    public var errorReportFormat: SpreadsheetFormat?
    /// Writes per group commit (one durable transaction each): small enough that the write
    /// lock is held for a fraction of a second (1 000 rows: about 0.2 s), so a server on the
    /// same database keeps taking its clients' writes during an import; large enough that the
    /// indexes' nodes a group copies once are shared by many rows.
    public var groupSize: Int
    /// The pause between two group commits when a writer of another process waits for the
    /// database (the store tells: ``DirectoryService/anotherWriterIsWaiting``), in seconds: it
    /// gets its turn (it polls every 5 ms). No pause when none waits.
    public var pauseBetweenGroups: Double = 0.03
    /// Called as rows are checked and applied: a phase (`check`, `apply`), rows done, rows in all.
    public var progress: (@Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void)?

    /// - Parameters: see the properties.
    public init(
        update: Bool = false, dryRun: Bool = false, placeholderEmail: String? = nil, generatePasswords: Bool = false,
        limits: SpreadsheetLimits = SpreadsheetLimits(), errorReportFormat: SpreadsheetFormat? = nil, groupSize: Int = 1000,
        progress: (@Sendable (String, Int, Int) -> Void)? = nil
    ) {
        self.update = update
        self.dryRun = dryRun
        self.placeholderEmail = placeholderEmail
        self.generatePasswords = generatePasswords
        self.limits = limits
        self.errorReportFormat = errorReportFormat
        self.groupSize = max(1, groupSize)
        self.progress = progress
    }
}

/// A password the import generated for a new member, for the admin to hand out.
public struct GeneratedPassword: Sendable, Hashable {
    public var account: String
    public var name: String
    public var password: String
}

/// What an import did (or, in a dry run, would do).
public struct ImportReport: Sendable {
    /// A row not imported, and why.
    public struct Failure: Sendable, Hashable {
        /// The row's number in the file (as the spreadsheet shows it).
        public var row: Int
        public var account: String
        public var reason: String
    }

    public var dryRun: Bool
    public var created = 0
    public var updated = 0
    /// Existing accounts whose non-empty cells already held the file's values.
    public var unchanged = 0
    public var departmentsCreated = 0
    /// Blank rows, skipped.
    public var blankRows = 0
    public var failures: [Failure] = []
    /// The failed rows in the file's columns plus 错误原因 (error); nil when every row went in.
    public var errorReport: Data?
    public var generatedPasswords: [GeneratedPassword] = []
    /// Headers the template does not have; their cells were not imported.
    public var ignoredColumns: [String] = []
    /// Whether the file's headers are Chinese (the reasons are).
    public var chinese: Bool

    public var failed: Int { failures.count }

    /// One line: created, updated, unchanged, failed, departments created.
    public var summary: String {
        var s = dryRun ? "dry run (nothing changed): would create \(created), update \(updated)" : "created \(created), updated \(updated)"
        s += ", unchanged \(unchanged), failed \(failed), departments \(dryRun ? "to create" : "created") \(departmentsCreated)"
        if blankRows > 0 { s += ", blank rows skipped \(blankRows)" }
        if !ignoredColumns.isEmpty { s += "; ignored columns: \(ignoredColumns.joined(separator: ", "))" }
        return s
    }

    /// The generated passwords as a CSV file (账号, 姓名, 密码).
    public var generatedPasswordsCSV: Data {
        CSVWriter.write([["账号", "姓名", "密码"]] + generatedPasswords.map { [$0.account, $0.name, $0.password] })
    }
}

/// The spreadsheet import (DESIGN §6): the template's rows, planned against a snapshot of the
/// directory and applied through the domain's commands, departments first, in group commits.
/// Every row is applied or reported; a row is one unit (the departments it needs and its member's
/// create or update), checked whole against the directory before anything is written.
public enum SpreadsheetImport {
    /// Imports a template file.
    /// - Parameters:
    ///   - data: the file's bytes (.xlsx or CSV, told apart by the bytes).
    ///   - filename: its name, for messages and the error report's format.
    ///   - options: update, dry run, placeholder e-mail, generated passwords, limits.
    ///   - service: the directory.
    ///   - context: who imports, from where (the audit's actor and source).
    ///   - hasher: hashes plain passwords and checks `{SCHEME}` hashes.
    /// - Returns: the counts, the failed rows with their reasons and the error report.
    /// - Throws: ``InterchangeError`` when the file as a whole is refused (nothing imported).
    public static func run(
        data: Data, filename: String, options: SpreadsheetImportOptions, service: DirectoryService, context: CommandContext,
        hasher: any PasswordHasher
    ) throws(InterchangeError) -> ImportReport {
        let table = try SpreadsheetTable.read(data, filename: filename, limits: options.limits)
        let sheet = try TemplateSheet(table, filename: filename)
        // The CLI on the database file, or the super admin signed in, may see every member:
        // only they are told who holds a value already taken.
        let snapshot = service.live.snapshot()
        let superAdmin = context.viewer.map { snapshot.role(of: $0) == .superAdmin } ?? (context.role == .superAdmin)
        var importer = Importer(sheet: sheet, options: options, context: context, hasher: hasher, namesHolders: superAdmin)
        importer.readRows()
        if options.dryRun {
            importer.plan(against: service.live.snapshot())
        } else {
            importer.write(to: service)
        }
        return importer.report(format: options.errorReportFormat ?? SpreadsheetFormat.from(filename: filename))
    }
}

/// One data row on its way in.
struct RowPlan {
    enum Kind { case create, update, unchanged }

    var row: SpreadsheetRow
    var account = ""
    var fields: [MemberField: String] = [:]
    var departments: [[String]]?
    var password: String?
    var reasons: [RowReason] = []
    var kind = Kind.create
    /// The hash to store (of the cell's password, a generated one, or the cell's `{SCHEME}` value).
    var hash: String?
    var generated: String?
    /// Whether the row sets a password (a new one: not the `{SCHEME}` value already stored).
    var setsPassword = false
    /// Departments (paths) this row's plan creates, and how many departments that is.
    var newPaths: [[String]] = []
    var departmentsCreated = 0
    /// Its password, checked and hashed ahead of the writes.
    var prepared: PreparedPassword?

    /// The row as read, before a plan or a write decided anything about it.
    var undecided: RowPlan {
        var p = self
        p.kind = .create
        p.hash = nil
        p.generated = nil
        p.setsPassword = false
        p.newPaths = []
        p.departmentsCreated = 0
        return p
    }

    var key: String { account.lowercased() }
    var ok: Bool { reasons.isEmpty }
}
