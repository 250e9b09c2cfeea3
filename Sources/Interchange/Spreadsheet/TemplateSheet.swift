import Directory

/// A reason a row was not imported, in both languages; the report picks the file's.
public struct RowReason: Error, Sendable, Hashable {
    public var chinese: String
    public var english: String

    /// - Parameters: the reason in Chinese and in English.
    public init(_ chinese: String, _ english: String) {
        self.chinese = chinese
        self.english = english
    }

    /// The reason in the file's language.
    public func text(chinese: Bool) -> String { chinese ? self.chinese : english }
}

/// A sheet read as the template: its header row mapped to fields, and its data rows.
struct TemplateSheet {
    var headerRow: SpreadsheetRow
    /// The header cells as the file has them (the error report repeats them).
    var headers: [String]
    var columns: [(index: Int, field: MemberField)]
    /// Whether the headers are Chinese (the report's reasons follow).
    var chinese: Bool
    /// Headers the template does not have (ignored; the summary names them).
    var ignored: [String]
    var rows: [SpreadsheetRow]

    /// Finds the header row (the first of the first 20 rows that names the account and the name
    /// columns) and maps its cells.
    /// - Throws: ``InterchangeError`` naming a missing required column or a column given twice.
    init(_ table: SpreadsheetTable, filename: String) throws(InterchangeError) {
        let candidates = table.rows.prefix(20)
        func fields(_ row: SpreadsheetRow) -> [MemberField] { row.cells.compactMap { Self.text($0).flatMap(TemplateColumns.field(forHeader:)) } }
        guard let headerIndex = candidates.firstIndex(where: { row in TemplateColumns.required.allSatisfy(fields(row).contains) }) else {
            let best = candidates.first { !$0.isBlank }
            let found = best.map(fields) ?? []
            let chinese = best.map { $0.cells.contains { Self.text($0)?.unicodeScalars.contains { $0.value > 0x7F } ?? false } } ?? true
            let missing = TemplateColumns.required.filter { !found.contains($0) }
                .map { "\($0.templateColumn ?? $0.rawValue) (\($0.rawValue))" }.joined(separator: ", ")
            throw InterchangeError(
                .missingColumn,
                chinese
                    ? "\(filename)：缺少必填列 \(missing)；表头应在第一行（见 roster template 生成的模板）"
                    : "\(filename): the required column \(missing) is missing; the header row comes first (see the template `roster template` writes)")
        }
        headerRow = table.rows[headerIndex]
        headers = headerRow.cells.map { Self.text($0) ?? "" }
        var columns: [(Int, MemberField)] = []
        var ignored: [String] = []
        var chinese = false
        for (i, h) in headers.enumerated() where !h.trimmingWhitespace.isEmpty {
            if TemplateColumns.isErrorColumn(h) { continue }
            guard let f = TemplateColumns.field(forHeader: h) else {
                ignored.append(h)
                continue
            }
            if let other = columns.first(where: { $0.1 == f }) {
                throw InterchangeError(
                    .missingColumn,
                    "\(filename): columns \(XLSXWriter.columnName(other.0)) (\(headers[other.0])) and \(XLSXWriter.columnName(i)) (\(h)) are both \(f.templateColumn ?? f.rawValue) (\(f.rawValue)); keep one")
            }
            if h.unicodeScalars.contains(where: { $0.value > 0x7F }) { chinese = true }
            columns.append((i, f))
        }
        self.columns = columns
        self.chinese = chinese
        self.ignored = ignored
        rows = Array(table.rows[(headerIndex + 1)...])
    }

    static func text(_ cell: SpreadsheetCell) -> String? {
        switch cell {
        case .text(let s): s
        case .number(let n): ExcelNumber.plain(n) ?? n
        case .date(let d): d
        case .bool(let b): b ? "TRUE" : "FALSE"
        case .unreadable: nil
        }
    }

    /// A cell as its field's text: numbers in digit columns exactly (`1.38001380E10` →
    /// `13800138000`), serial numbers in date columns as days, text dates (`2023/5/1`,
    /// `2023年5月1日`) as `YYYY-MM-DD`.
    static func value(_ cell: SpreadsheetCell, for field: MemberField) -> Result<String, RowReason> {
        let column = field.templateColumn ?? field.rawValue
        switch cell {
        case .unreadable(let why):
            return .failure(RowReason("\(column)：\(chineseUnreadable(why))", "\(field.rawValue): \(why)"))
        case .text(let s):
            return .success(TemplateColumns.isDate(field) ? normalizedDate(s) : s)
        case .date(let d):
            return .success(d)
        case .bool(let b):
            return .success(b ? "TRUE" : "FALSE")
        case .number(let n):
            if TemplateColumns.isDate(field) {
                guard let d = ExcelNumber.date(serial: n, date1904: false) else {
                    return .failure(RowReason("\(column)：\(n) 不是日期（应为 YYYY-MM-DD）", "\(field.rawValue): \(n) is not a date (YYYY-MM-DD)"))
                }
                return .success(d)
            }
            if TemplateColumns.isDigits(field) {
                guard let digits = ExcelNumber.integerDigits(n) else {
                    if ExcelNumber.isNegative(n) {
                        return .failure(RowReason(
                            "\(column)：\(n) 是负数，电话号码不能为负；请将此列设为文本后重新填写",
                            "\(field.rawValue): \(n) is a negative number, which no phone number is; format the column as text and type it again"))
                    }
                    return .failure(RowReason(
                        "\(column)：\(n) 是带小数的数字；请将此列设为文本后重新填写",
                        "\(field.rawValue): \(n) is a number with a fraction; format the column as text and type it again"))
                }
                return .success(digits)
            }
            return .success(ExcelNumber.plain(n) ?? n)
        }
    }

    static func chineseUnreadable(_ why: String) -> String {
        if why.hasPrefix("formula") { return "公式没有计算结果：请在 Excel 或 LibreOffice 中打开并保存，或直接填写数值" }
        if why.hasPrefix("holds the error value") { return "单元格是错误值（\(why.dropFirst("holds the error value ".count))）" }
        if why.contains("shown as a date") { return "日期不存在（Excel 的 1900-02-29 并不存在）" }
        return why
    }

    /// `2023/5/1`, `2023.05.01`, `2023年5月1日` → `2023-05-01`; anything else as it is (the
    /// field's rule then names it).
    static func normalizedDate(_ raw: String) -> String {
        let s = raw.trimmingWhitespace
        var t = s.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "-")
            .replacingOccurrences(of: "日", with: "").replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
        // An ISO date-time (`2023-05-01T00:00:00`, LibreOffice's t="d" cells) keeps its day.
        if let tIndex = t.firstIndex(of: "T"), t.distance(from: t.startIndex, to: tIndex) == 10 { t = String(t[..<tIndex]) }
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return s }
        func two(_ p: Substring) -> String { p.count == 1 ? "0" + p : String(p) }
        return "\(parts[0])-\(two(parts[1]))-\(two(parts[2]))"
    }
}
