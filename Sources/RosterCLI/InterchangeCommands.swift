public import ArgumentParser
import Directory
import Foundation

// The file commands: `roster template`, `roster import`, `roster export`, `roster reconcile`.
// Each is a thin caller of the `Interchange` target; the format work lives there. The per-format
// `run…` functions are in the ImportCommand+… / ExportCommand+… files.

/// The formats `roster import` reads.
enum ImportFormat: String, ExpressibleByArgument, CaseIterable {
    case xlsx, csv, ldif, wecom

    /// The format a file's extension names.
    static func from(path: String) -> ImportFormat? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "xlsx": .xlsx
        case "csv", "txt": .csv
        case "ldif": .ldif
        case "json": .wecom
        default: nil
        }
    }
}

/// The formats `roster export` writes.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case xlsx, csv, ldif, vcf

    static func from(path: String) -> ExportFormat? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "xlsx": .xlsx
        case "csv": .csv
        case "ldif": .ldif
        case "vcf", "vcard": .vcf
        default: nil
        }
    }
}

/// `roster template OUT.xlsx`.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Write the import template (人员组织 and 通讯录模板填写说明).")
    @Argument(help: "Where to write the template (.xlsx).") var output: String

    func run() throws { try runTemplate() }
}

/// `roster import FILE…`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import members from the template (.xlsx/.csv), LDIF, or WeCom JSON (DEPARTMENTS.json USERS.json).")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The file to import (two for --format wecom: departments, then users).") var files: [String]
    @Option(name: .long, help: "xlsx, csv, ldif or wecom (default: from the file's extension).") var format: ImportFormat?
    @Flag(name: .long, help: "Update existing accounts (only the non-empty cells); otherwise they are errors.") var update = false
    @Flag(name: .long, help: "Check and report, change nothing.") var dryRun = false
    @Option(name: .long, help: "Write the rows that failed, with 错误原因, to this file (.xlsx or .csv).") var errors: String?
    @Option(name: .long, help: "An e-mail pattern for members with no contact at all, e.g. '{account}@example.com'.")
    var placeholderEmail: String?
    @Option(name: .long, help: "Give every new member without a password a random one, written to this CSV file.")
    var generatePasswords: String?
    @Option(name: .long, help: "The largest file accepted, in bytes.") var maxSize: Int = 10 * 1024 * 1024

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("import: name the file to import") }
        guard maxSize > 0 else { throw ValidationError("--max-size: must be positive") }
    }

    /// The format: `--format`, or the first file's extension.
    func resolvedFormat() throws -> ImportFormat {
        if let format { return format }
        guard let f = ImportFormat.from(path: files[0]) else {
            throw CLIError("import: cannot tell the format of \(files[0]) from its extension; give --format xlsx|csv|ldif|wecom")
        }
        return f
    }

    func run() throws {
        switch try resolvedFormat() {
        case .xlsx, .csv: try runSpreadsheetImport()
        case .ldif: try runLDIFImport()
        case .wecom: try runWeComImport()
        }
    }
}

/// `roster export OUT`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export the directory as the template (.xlsx/.csv), LDIF, or vCard.")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "Where to write (.xlsx, .csv, .ldif, .vcf).") var output: String
    @Option(name: .long, help: "xlsx, csv, ldif or vcf (default: from the file's extension).") var format: ExportFormat?
    @Option(name: .long, help: "Only this department's subtree (a path like 营销中心->大客户部).") var department: String?
    @Option(name: .long, help: "vCard: only this member (an account).") var member: String?
    @Flag(name: .long, help: "LDIF: include members' stored password hashes (userPassword); never by default.")
    var withPasswordHashes = false

    func resolvedFormat() throws -> ExportFormat {
        if let format { return format }
        guard let f = ExportFormat.from(path: output) else {
            throw CLIError("export: cannot tell the format of \(output) from its extension; give --format xlsx|csv|ldif|vcf")
        }
        return f
    }

    func run() throws {
        switch try resolvedFormat() {
        case .xlsx, .csv: try runSpreadsheetExport()
        case .ldif: try runLDIFExport()
        case .vcf: try runVCardExport()
        }
    }
}

/// `roster reconcile HR.xlsx`.
struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare an HR roster (.xlsx/.csv in the template's columns) with the directory; --apply carries the plan out.")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The HR roster.") var file: String
    @Flag(name: .long, help: "Carry the plan out (leavers depart, never erased).") var apply = false
    @Flag(name: .long, help: "Apply even when the plan departs a large share of the directory.") var force = false
    @Option(name: .long, help: "The largest file accepted, in bytes.") var maxSize: Int = 10 * 1024 * 1024

    func run() throws { try runReconcile() }
}
