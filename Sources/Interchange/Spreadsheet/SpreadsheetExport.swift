public import Directory
public import Foundation

/// Export in the import template's columns (without the password), so export → edit →
/// `import --update` changes exactly what was edited.
public enum SpreadsheetExport {
    /// The active members of the directory, or of one department's subtree (members in any of
    /// its departments), in the tree's order, one row each; the header row first (Chinese).
    public static func rows(of model: DirectoryModel, department: DepartmentID = .root) -> [[String]] {
        var rows = [TemplateColumns.exportFields.map { TemplateColumns.header($0, chinese: true) }]
        var seen = Set<String>()
        var stack = [department]
        while let id = stack.popLast() {
            for m in model.members(in: id) where m.isActive && !seen.contains(m.account.key) {
                seen.insert(m.account.key)
                rows.append(row(m, model))
            }
            stack.append(contentsOf: model.children(of: id).reversed())
        }
        return rows
    }

    static func row(_ m: Member, _ model: DirectoryModel) -> [String] {
        TemplateColumns.exportFields.map { f in
            switch f {
            case .department: m.departments.map { model.pathString(of: $0) }.joined(separator: ";")
            // In the template's words (import reads both); unset and not pinned are empty cells.
            case .birthdayReminder: m.birthdayReminder.map { $0 == .lunar ? "农历" : "阳历" } ?? ""
            case .pinned: m.pinned ? "是" : ""
            default: m.value(of: f) ?? ""
            }
        }
    }

    /// The export's bytes.
    /// - Parameters:
    ///   - model: the directory.
    ///   - department: the subtree to export (the whole directory by default).
    ///   - format: xlsx (sheet 人员组织) or CSV (UTF-8 with a BOM).
    /// - Throws: the writer's error.
    public static func write(_ model: DirectoryModel, department: DepartmentID = .root, format: SpreadsheetFormat) throws -> Data {
        let rows = rows(of: model, department: department)
        switch format {
        case .csv: return CSVWriter.write(rows)
        case .xlsx:
            let widths: [Double] = TemplateColumns.exportFields.map { f in
                switch f {
                case .department, .address, .remarks: 36
                case .email: 26
                default: 14
                }
            }
            return try XLSXWriter.write([XLSXWriter.Sheet(name: TemplateColumns.sheetName, rows: rows, widths: widths)])
        }
    }
}
