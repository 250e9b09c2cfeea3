import ArgumentParser
import Directory
import Foundation
import Interchange
import PasswordHashing

// LDIF import/export, vCard export, WeCom JSON import: thin callers of the Interchange target.
extension ImportCommand {
    func runLDIFImport() throws {
        guard files.count == 1 else { throw CLIError("import: an LDIF import reads one file (got \(files.count))") }
        try refuseSpreadsheetOptions("ldif")
        let data = try readImportFile(files[0])
        let service = try db.open()
        var ctx = cliContext()
        ctx.source = "import \(files[0])"
        let report = try LDIF.importLDIF(
            data, into: service, by: ctx,
            options: LDIF.ImportOptions(hasher: passwordHasher, dryRun: dryRun, placeholderEmail: placeholderEmail))
        try finish(report)
    }

    func runWeComImport() throws {
        guard files.count == 2 else {
            throw CLIError("import --format wecom: give two files, DEPARTMENTS.json (department/list) then USERS.json (user/list)")
        }
        guard update == false, errors == nil, generatePasswords == nil else {
            throw CLIError("import --format wecom: --update, --errors and --generate-passwords apply to spreadsheets")
        }
        let departments = try readImportFile(files[0])
        let users = try readImportFile(files[1])
        let service = try db.open()
        var ctx = cliContext()
        ctx.source = "import wecom \(files[0]) \(files[1])"
        let report = try WeCom.importDirectory(
            departments: departments, users: users, into: service, by: ctx,
            options: WeCom.ImportOptions(placeholderEmail: placeholderEmail, dryRun: dryRun))
        try finish(report)
    }

    private func refuseSpreadsheetOptions(_ format: String) throws {
        guard update == false, errors == nil, generatePasswords == nil else {
            throw CLIError("import --format \(format): --update, --errors and --generate-passwords apply to spreadsheets")
        }
    }

    private func readImportFile(_ path: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: path)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw CLIError("import: cannot read \(path)")
        }
        if let size = attributes[.size] as? Int, size > maxSize {
            throw CLIError("import: \(path) is \(size) bytes, over the limit of \(maxSize) (--max-size)")
        }
        return Array(try Data(contentsOf: url))
    }

    /// Prints the failures, the notes and the summary; exits 1 when something failed.
    private func finish(_ report: InterchangeReport) throws {
        for f in report.failures { FileHandle.standardError.write(Data("error: \(f)\n".utf8)) }
        for n in report.notes { print("note: \(n)") }
        print(report.summary)
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}

extension ExportCommand {
    func runLDIFExport() throws {
        guard department == nil, member == nil else {
            throw CLIError("export --format ldif: an LDIF export holds the whole directory; --department and --member apply to xlsx, csv and vcf")
        }
        let service = try db.open()
        let text: String
        do {
            text = try LDIF.export(
                service.live.snapshot(), baseDN: service.baseDN, options: LDIF.ExportOptions(withPasswordHashes: withPasswordHashes))
        } catch {
            throw CLIError("export: \(error)")
        }
        try writeExport(Data(text.utf8), secret: withPasswordHashes)
        print("wrote \(output)")
    }

    func runVCardExport() throws {
        guard !withPasswordHashes else { throw CLIError("export --format vcf: --with-password-hashes applies to LDIF") }
        let service = try db.open()
        let model = service.live.snapshot()
        var members: [Member]
        if let member {
            guard let m = model.member(member) else { throw CLIError("export: no member \(member)") }
            members = [m]
        } else if let department {
            let names = department.replacingOccurrences(of: "－>", with: "->").components(separatedBy: "->").map(\.trimmingWhitespace)
            guard let d = model.department(atPath: names) else { throw CLIError("export --department: no department \(department)") }
            var seen = Set<String>()
            members = []
            for id in model.subtree(of: d.id) {
                for m in model.members(in: id) where seen.insert(m.account.key).inserted { members.append(m) }
            }
        } else {
            var seen = Set<String>()
            members = []
            for id in model.subtree(of: .root) {
                for m in model.members(in: id) where seen.insert(m.account.key).inserted { members.append(m) }
            }
        }
        // The CLI administers the directory: every field but the password.
        let fields = Set(MemberField.allCases).subtracting([.password])
        try writeExport(Data(VCard.cards(for: members, in: model, fields: fields).utf8), secret: false)
        print("wrote \(members.count) \(members.count == 1 ? "card" : "cards") to \(output)")
    }

    /// Writes the file in one step; one holding password hashes is readable by its owner only.
    private func writeExport(_ data: Data, secret: Bool) throws {
        // A temporary file beside the target, created with its final permissions, then renamed.
        let temporary = output + ".tmp-\(UUID().uuidString)"
        let mode: Int = secret ? 0o600 : 0o644
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode_t(mode))
        guard fd >= 0 else { throw CLIError("export: cannot write \(output): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        close(fd)
        guard written else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CLIError("export: cannot write \(output)")
        }
        guard rename(temporary, output) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw CLIError("export: cannot write \(output): \(reason)")
        }
    }
}
