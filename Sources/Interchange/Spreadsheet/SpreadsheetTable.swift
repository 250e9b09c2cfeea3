public import Foundation

/// One cell as a spreadsheet stores it, before the column's field decides what it means.
public enum SpreadsheetCell: Sendable, Hashable {
    /// Text (shared, inline, or a formula's text result; every CSV cell).
    case text(String)
    /// A number as its decimal text in the file (`13800138000`, `1.38001380E10`), never a Double.
    case number(String)
    /// A number whose style is a date format, as the day it stands for (`YYYY-MM-DD`).
    case date(String)
    case bool(Bool)
    /// A cell the reader could not take a value from (an error value, a formula without a
    /// computed value), with the reason.
    case unreadable(String)

    /// Whether the cell holds nothing.
    public var isBlank: Bool {
        if case .text(let s) = self { return s.allSatisfy(\.isWhitespace) }
        return false
    }
}

/// A row of a sheet: its number in the file (1-based, as the spreadsheet shows it) and its cells
/// by column (0-based; missing cells are blank).
public struct SpreadsheetRow: Sendable, Hashable {
    public var number: Int
    public var cells: [SpreadsheetCell]
    /// Problems with the row as a whole (a merged range covering it).
    public var problems: [String] = []

    /// - Parameters: see the properties.
    public init(number: Int, cells: [SpreadsheetCell], problems: [String] = []) {
        self.number = number
        self.cells = cells
        self.problems = problems
    }

    /// The cell in a column (blank when the row is shorter).
    public subscript(column: Int) -> SpreadsheetCell {
        column >= 0 && column < cells.count ? cells[column] : .text("")
    }

    /// Whether every cell is blank.
    public var isBlank: Bool { cells.allSatisfy(\.isBlank) }
}

/// One sheet's rows, in file order (blank rows included as the file has them).
public struct SpreadsheetTable: Sendable, Hashable {
    public var rows: [SpreadsheetRow]

    public init(rows: [SpreadsheetRow]) { self.rows = rows }
}

/// The limits a file is read within.
public struct SpreadsheetLimits: Sendable, Hashable {
    /// The largest file accepted, in bytes (default 10 MiB).
    public var maxFileSize: Int
    /// The most bytes all the parts of an xlsx may expand to (default 20 times the file limit,
    /// at least 100 MiB): a zip bomb stops here, whatever sizes its entries declare.
    public var maxExpandedSize: Int
    /// The most rows a sheet may have (default 1 000 000).
    public var maxRows: Int
    /// The most columns a row may have (default 256).
    public var maxColumns: Int

    /// - Parameters: see the properties.
    public init(maxFileSize: Int = 10 * 1024 * 1024, maxExpandedSize: Int? = nil, maxRows: Int = 1_000_000, maxColumns: Int = 256) {
        self.maxFileSize = maxFileSize
        self.maxExpandedSize = maxExpandedSize ?? max(100 * 1024 * 1024, maxFileSize.multipliedReportingOverflow(by: 20).partialValue)
        self.maxRows = maxRows
        self.maxColumns = maxColumns
    }
}

extension SpreadsheetTable {
    /// Reads a sheet from a file's bytes: an `.xlsx` (its first sheet, or the one named
    /// 人员组织) or a CSV, told apart by the bytes (a zip starts with `PK`), not the name.
    /// - Parameters:
    ///   - data: the file.
    ///   - filename: the file's name, for messages.
    ///   - limits: sizes beyond which the file is refused.
    /// - Throws: ``InterchangeError`` naming what is wrong with the file.
    public static func read(_ data: Data, filename: String, limits: SpreadsheetLimits = SpreadsheetLimits()) throws(InterchangeError) -> SpreadsheetTable {
        guard data.count <= limits.maxFileSize else {
            throw InterchangeError(
                .tooLarge, "\(filename) is \(data.count) bytes; at most \(limits.maxFileSize) are accepted (--max-size)")
        }
        let isZip = data.starts(with: [0x50, 0x4B])
        let isXLSXName = filename.lowercased().hasSuffix(".xlsx")
        if isZip { return try XLSXReader.read(data, filename: filename, limits: limits) }
        if isXLSXName {
            throw InterchangeError(.notReadable, "\(filename) is not an xlsx file (not a zip archive); save it from Excel as .xlsx, or as CSV UTF-8")
        }
        return try CSVReader.read(data, filename: filename, limits: limits)
    }
}
