import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads the first sheet (or the one named 人员组织) of an Office Open XML workbook (ECMA-376
/// Part 1, SpreadsheetML): the zip container with ZIPFoundation, every part with XMLParser.
/// Shared strings (§18.4), inline strings, numbers kept as their decimal text, date-styled
/// numbers (§18.8.30 built-in formats and custom date codes), booleans, formulas' cached values
/// (§18.3.1.40) and merged ranges (§18.3.1.55).
enum XLSXReader {
    static let preferredSheet = "人员组织"

    static func read(_ data: Data, filename: String, limits: SpreadsheetLimits) throws(InterchangeError) -> SpreadsheetTable {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw InterchangeError(.notReadable, "\(filename) is not an xlsx file (not a readable zip archive); save it from Excel as .xlsx, or as CSV UTF-8")
        }
        var parts = Parts(archive: archive, filename: filename, limit: limits.maxExpandedSize)
        try parts.checkDeclaredSizes()
        guard let workbookPath = try parts.workbookPath(), let workbookXML = try parts.extract(workbookPath) else {
            throw InterchangeError(
                .notReadable, "\(filename) is a zip archive but not an xlsx workbook (no xl/workbook.xml); save it from Excel as .xlsx")
        }
        let workbook = WorkbookParser(data: workbookXML, filename: filename)
        try workbook.run()
        let dir = Parts.directory(of: workbookPath)
        let relsPath = dir + "_rels/" + Parts.file(of: workbookPath) + ".rels"
        let rels = RelationshipsParser(data: try parts.extract(relsPath) ?? Data(), filename: filename)
        try rels.run()
        guard let sheet = workbook.sheets.first(where: { $0.name == preferredSheet }) ?? workbook.sheets.first,
            let target = rels.targets[sheet.relationship]
        else {
            throw InterchangeError(.notReadable, "\(filename) has no worksheet")
        }
        var shared: [String] = []
        if let path = rels.sharedStrings.map({ Parts.resolve($0, in: dir) }), let xml = try parts.extract(path) {
            let p = SharedStringsParser(data: xml, filename: filename)
            try p.run()
            shared = p.strings
        }
        var dateStyles = Set<Int>()
        if let path = rels.styles.map({ Parts.resolve($0, in: dir) }), let xml = try parts.extract(path) {
            let p = StylesParser(data: xml, filename: filename)
            try p.run()
            dateStyles = p.dateStyles
        }
        guard let sheetXML = try parts.extract(Parts.resolve(target, in: dir)) else {
            throw InterchangeError(.notReadable, "\(filename): the sheet \(sheet.name) is missing from the archive")
        }
        let p = SheetParser(
            data: sheetXML, filename: filename, sheet: sheet.name, shared: shared, dateStyles: dateStyles,
            date1904: workbook.date1904, limits: limits)
        try p.run()
        return p.table()
    }

    // MARK: - The container

    /// The archive's parts, each extracted within what is left of the expansion limit.
    struct Parts {
        let archive: Archive
        let filename: String
        let limit: Int
        var expanded = 0

        init(archive: Archive, filename: String, limit: Int) {
            self.archive = archive
            self.filename = filename
            self.limit = limit
        }

        func bomb(_ what: String) -> InterchangeError {
            InterchangeError(
                .tooLarge, "\(filename) expands to more than \(limit) bytes (\(what)); a spreadsheet of a directory is far smaller — refused as a possible zip bomb")
        }

        /// Refuses an archive whose entries say they expand beyond the limit.
        func checkDeclaredSizes() throws(InterchangeError) {
            var total: UInt64 = 0
            for entry in archive {
                let (sum, overflow) = total.addingReportingOverflow(entry.uncompressedSize)
                guard !overflow, sum <= UInt64(limit) else { throw bomb("declared sizes") }
                total = sum
            }
        }

        /// Bytes inflated so far, the chunk that passed a bound included (what a bomb costs).
        private(set) var inflated = 0

        /// One part's bytes, nil when it is absent. The inflation stops as soon as the part
        /// passes the size its entry declares or the archive passes the absolute limit, whichever
        /// comes first (found by review: a part declaring 1 000 bytes inflated to the 20 MB limit,
        /// ~245 MB of memory, before it was refused).
        mutating func extract(_ path: String) throws(InterchangeError) -> Data? {
            guard let entry = archive[path] else { return nil }
            let declared = entry.uncompressedSize
            var out = Data()
            var count = expanded
            var part: UInt64 = 0
            var produced = 0
            let limit = limit
            defer { inflated += produced }
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    produced += chunk.count
                    part += UInt64(chunk.count)
                    guard part <= declared else { throw SizeExceeded(declared: true) }
                    count += chunk.count
                    guard count <= limit else { throw SizeExceeded(declared: false) }
                    out.append(chunk)
                }
            } catch let e as SizeExceeded {
                if e.declared {
                    throw InterchangeError(
                        .tooLarge, "\(filename): the part \(path) expands to more than the \(declared) bytes it declares; refused as a possible zip bomb")
                }
                throw bomb(path)
            } catch {
                throw InterchangeError(.notReadable, "\(filename): the part \(path) cannot be read (\(error)); the file is damaged")
            }
            expanded = count
            return out
        }

        struct SizeExceeded: Error {
            /// Whether the part passed its declared size (otherwise the archive's limit).
            var declared: Bool
        }

        /// The workbook part: the office document the package relationships name, else the
        /// usual place.
        mutating func workbookPath() throws(InterchangeError) -> String? {
            if let xml = try extract("_rels/.rels") {
                let rels = RelationshipsParser(data: xml, filename: filename)
                try rels.run()
                if let target = rels.officeDocument {
                    let path = Parts.resolve(target, in: "")
                    if archive[path] != nil { return path }
                }
            }
            return archive["xl/workbook.xml"] != nil ? "xl/workbook.xml" : nil
        }

        static func directory(of path: String) -> String {
            guard let slash = path.lastIndex(of: "/") else { return "" }
            return String(path[...slash])
        }

        static func file(of path: String) -> String {
            guard let slash = path.lastIndex(of: "/") else { return path }
            return String(path[path.index(after: slash)...])
        }

        /// A relationship target as an archive path: absolute (`/xl/…`) or relative to `dir`,
        /// with `..` resolved.
        static func resolve(_ target: String, in dir: String) -> String {
            let joined = target.hasPrefix("/") ? String(target.dropFirst()) : dir + target
            var out: [Substring] = []
            for part in joined.split(separator: "/") {
                if part == ".." { _ = out.popLast() } else if part != "." { out.append(part) }
            }
            return out.joined(separator: "/")
        }
    }
}

// MARK: - Parts' parsers

/// A SAX parse of one part; subclasses handle the elements they need (local names: any
/// namespace prefix is dropped).
class PartParser: NSObject, XMLParserDelegate {
    let data: Data
    let filename: String
    var failure: InterchangeError?

    init(data: Data, filename: String) {
        self.data = data
        self.filename = filename
    }

    var partName: String { "a part" }

    /// Whether `data` holds the bytes of `text` anywhere.
    static func holds(_ data: Data, _ text: String) -> Bool {
        let needle = Array(text.utf8)
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard raw.count >= needle.count else { return false }
            var i = 0
            let last = raw.count - needle.count
            while i <= last {
                if raw[i] == needle[0] {
                    var k = 1
                    while k < needle.count && raw[i + k] == needle[k] { k += 1 }
                    if k == needle.count { return true }
                }
                i += 1
            }
            return false
        }
    }

    func run() throws(InterchangeError) {
        guard !data.isEmpty else { return }
        // SpreadsheetML parts never declare a DTD; one that does may define entities that expand
        // without bound, so it is refused before parsing.
        // Anywhere in the part (found by review: one after a 5 000-byte comment passed a check of
        // the first 4 KB).
        if Self.holds(data, "<!DOCTYPE") || Self.holds(data, "<!ENTITY") {
            throw InterchangeError(.notReadable, "\(filename): \(partName) declares a DTD, which no spreadsheet does; refused")
        }
        // From a stream, which feeds libxml2 in pieces: given the data at once, it refuses a part
        // of more than 10 MB (its limit on one piece without XML_PARSE_HUGE; found by the
        // 100 000-row benchmark, whose shared strings are 28 MB) — at the end, as a parse error.
        let parser = XMLParser(stream: InputStream(data: data))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let tracker = ElementTracker(self)
        parser.delegate = tracker
        let ok = parser.parse()
        if let failure { throw failure }
        guard ok else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "malformed XML"
            throw InterchangeError(.notReadable, "\(filename): \(partName) is not well-formed XML (\(reason)); the file is damaged")
        }
        // A part that stops before its root element ends (found by review: a worksheet cut in
        // half imported the rows before the cut, and exit status 0).
        guard tracker.closedRoot && tracker.depth == 0 else {
            throw InterchangeError(.notReadable, "\(filename): \(partName) ends before its last element is closed; the file is damaged")
        }
    }

    // The delegate methods subclasses override (a protocol's witnesses are the base class's).
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {}
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {}
    func parser(_ parser: XMLParser, foundCharacters string: String) {}

    func fail(_ parser: XMLParser, _ error: InterchangeError) {
        if failure == nil { failure = error }
        parser.abortParsing()
    }

    static func attribute(_ attributes: [String: String], _ name: String) -> String? {
        if let v = attributes[name] { return v }
        return attributes.first { $0.key.hasSuffix(":" + name) }?.value
    }
}

/// Passes the parser's events to a part's parser and counts the open elements: the part is whole
/// only when its root element was closed.
final class ElementTracker: NSObject, XMLParserDelegate {
    let target: PartParser
    var depth = 0
    var closedRoot = false

    init(_ target: PartParser) { self.target = target }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        target.parser(parser, didStartElement: name, namespaceURI: namespaceURI, qualifiedName: qualifiedName, attributes: attributes)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        if depth == 0 { closedRoot = true }
        target.parser(parser, didEndElement: name, namespaceURI: namespaceURI, qualifiedName: qualifiedName)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { target.parser(parser, foundCharacters: string) }
}

final class WorkbookParser: PartParser {
    struct Sheet {
        var name: String
        var relationship: String
    }

    var sheets: [Sheet] = []
    var date1904 = false
    override var partName: String { "the workbook" }

    override func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "sheet":
            if let n = attributes["name"], let id = Self.attribute(attributes, "id") { sheets.append(Sheet(name: n, relationship: id)) }
        case "workbookPr":
            let v = attributes["date1904"]?.lowercased()
            date1904 = v == "1" || v == "true"
        default: break
        }
    }
}

final class RelationshipsParser: PartParser {
    var targets: [String: String] = [:]
    var officeDocument: String?
    var sharedStrings: String?
    var styles: String?
    override var partName: String { "a relationships part" }

    override func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        guard name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] else { return }
        if attributes["TargetMode"] == "External" { return }
        targets[id] = target
        let type = attributes["Type"] ?? ""
        if type.hasSuffix("/officeDocument") { officeDocument = target }
        if type.hasSuffix("/sharedStrings") { sharedStrings = target }
        if type.hasSuffix("/styles") { styles = target }
    }
}

/// `<sst><si><t>…</t></si><si><r><t>…</t></r>…</si>`: the text of every run, without the
/// phonetic guides (`<rPh>`).
final class SharedStringsParser: PartParser {
    var strings: [String] = []
    private var current = ""
    private var inText = false
    private var phonetic = 0
    override var partName: String { "the shared strings" }

    override func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "si": current = ""
        case "t": inText = phonetic == 0
        case "rPh": phonetic += 1
        default: break
        }
    }

    override func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si": strings.append(current)
        case "t": inText = false
        case "rPh": phonetic -= 1
        default: break
        }
    }

    override func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }
}

/// Which cell styles (`cellXfs` indexes) show numbers as dates.
final class StylesParser: PartParser {
    var dateStyles = Set<Int>()
    private var customDateFormats = Set<Int>()
    private var inCellXfs = false
    private var index = 0
    override var partName: String { "the styles" }

    /// Built-in date formats (ECMA-376 §18.8.30), and the CJK locales' ones.
    static let builtInDateFormats: Set<Int> = Set(14...22).union(27...36).union(45...47).union(50...58)

    /// Whether a format code shows a date: it has a day or a year once quoted text, escapes and
    /// `[…]` sections are taken out.
    static func isDateCode(_ code: String) -> Bool {
        var plain = ""
        var inQuote = false, inBracket = false, escape = false
        for c in code {
            if escape { escape = false; continue }
            if inQuote { if c == "\"" { inQuote = false }; continue }
            if inBracket { if c == "]" { inBracket = false }; continue }
            switch c {
            case "\"": inQuote = true
            case "[": inBracket = true
            case "\\": escape = true
            default: plain.append(c)
            }
        }
        let lower = plain.lowercased()
        return lower.contains("y") || lower.contains("d") || plain.contains("年") || plain.contains("日")
    }

    override func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"], Self.isDateCode(code) {
                customDateFormats.insert(id)
            }
        case "cellXfs": inCellXfs = true
        case "xf" where inCellXfs:
            if let id = attributes["numFmtId"].flatMap(Int.init), Self.builtInDateFormats.contains(id) || customDateFormats.contains(id) {
                dateStyles.insert(index)
            }
            index += 1
        default: break
        }
    }

    override func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "cellXfs" { inCellXfs = false }
    }
}

/// `<sheetData><row r="2"><c r="B2" t="s" s="1"><v>0</v></c>…</row></sheetData>` and
/// `<mergeCells><mergeCell ref="A2:A3"/></mergeCells>`.
final class SheetParser: PartParser {
    let sheet: String
    let shared: [String]
    let dateStyles: Set<Int>
    let date1904: Bool
    let limits: SpreadsheetLimits
    private var rows: [SpreadsheetRow] = []
    private var merges: [(ref: String, firstRow: Int, lastRow: Int)] = []
    private var rowNumber = 0
    private var cells: [SpreadsheetCell] = []
    // The cell being read.
    private var column = -1
    private var type = "n"
    private var style = 0
    private var hasFormula = false
    private var value: String?
    private var text = ""
    private var capture = false
    private var inInline = false
    private var phonetic = 0
    override var partName: String { "the sheet \(sheet)" }

    init(data: Data, filename: String, sheet: String, shared: [String], dateStyles: Set<Int>, date1904: Bool, limits: SpreadsheetLimits) {
        self.sheet = sheet
        self.shared = shared
        self.dateStyles = dateStyles
        self.date1904 = date1904
        self.limits = limits
        super.init(data: data, filename: filename)
    }

    func table() -> SpreadsheetTable {
        var table = SpreadsheetTable(rows: rows)
        for m in merges {
            for i in table.rows.indices where table.rows[i].number >= m.firstRow && table.rows[i].number <= m.lastRow {
                table.rows[i].problems.append("merged:\(m.ref)")
            }
            // Rows a merge covers that have no cells at all are still reported.
            let present = Set(table.rows.map(\.number))
            for n in m.firstRow...m.lastRow where !present.contains(n) {
                table.rows.append(SpreadsheetRow(number: n, cells: [], problems: ["merged:\(m.ref)"]))
            }
        }
        table.rows.sort { $0.number < $1.number }
        return table
    }

    /// `B12` → (column 1, row 12); nil when it is not a cell reference within the limits.
    static func reference(_ ref: Substring, maxColumns: Int) -> (column: Int, row: Int)? {
        var col = 0
        var i = ref.startIndex
        while i < ref.endIndex, let a = ref[i].asciiValue, (65...90).contains(a) || (97...122).contains(a) {
            col = col * 26 + Int((a & 0xDF) - 64)
            guard col <= maxColumns else { return nil }
            i = ref.index(after: i)
        }
        guard col > 0, let row = Int(ref[i...]), row > 0 else { return nil }
        return (col - 1, row)
    }

    override func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "row":
            rowNumber = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
            cells = []
            guard rowNumber > 0, rows.count < limits.maxRows else {
                fail(parser, InterchangeError(.tooLarge, "\(filename): the sheet \(sheet) has more than \(limits.maxRows) rows"))
                return
            }
        case "c":
            if let r = attributes["r"] {
                guard let ref = Self.reference(Substring(r), maxColumns: limits.maxColumns) else {
                    fail(parser, InterchangeError(.tooLarge, "\(filename): cell \(r) is beyond column \(limits.maxColumns) or not a cell reference"))
                    return
                }
                column = ref.column
            } else {
                column = cells.count
            }
            type = attributes["t"] ?? "n"
            style = attributes["s"].flatMap(Int.init) ?? 0
            hasFormula = false
            value = nil
            text = ""
        case "v":
            capture = true
            text = ""
        case "f": hasFormula = true
        case "is":
            inInline = true
            text = ""
        case "t" where inInline: capture = phonetic == 0
        case "rPh": phonetic += 1
        case "mergeCell":
            if let ref = attributes["ref"] {
                let ends = ref.split(separator: ":")
                if let a = ends.first.flatMap({ Self.reference($0, maxColumns: limits.maxColumns) }),
                    let b = ends.last.flatMap({ Self.reference($0, maxColumns: limits.maxColumns) }), b.row >= a.row,
                    b.row - a.row < limits.maxRows
                {
                    merges.append((ref, a.row, b.row))
                }
            }
        default: break
        }
    }

    override func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v":
            capture = false
            value = text
        case "t" where inInline: capture = false
        case "is":
            inInline = false
            value = text
        case "rPh": phonetic -= 1
        case "c":
            guard column >= 0 else { return }
            if cells.count <= column { cells.append(contentsOf: repeatElement(.text(""), count: column - cells.count + 1)) }
            cells[column] = cell()
        case "row":
            rows.append(SpreadsheetRow(number: rowNumber, cells: cells))
        default: break
        }
    }

    override func parser(_ parser: XMLParser, foundCharacters string: String) {
        if capture { text += string }
    }

    private func cell() -> SpreadsheetCell {
        guard let value else {
            return hasFormula
                ? .unreadable("formula without a computed value: open the file in Excel or LibreOffice and save it again, or type the value")
                : .text("")
        }
        switch type {
        case "s":
            guard let i = Int(value.trimmingCharacters(in: .whitespaces)), i >= 0, i < shared.count else {
                return .unreadable("refers to shared string \(value), which the file does not have")
            }
            return .text(shared[i])
        case "inlineStr", "str": return .text(value)
        case "b": return .bool(value.trimmingCharacters(in: .whitespaces) == "1")
        case "e": return .unreadable("holds the error value \(value)")
        case "d": return .text(value)
        default:
            let v = value.trimmingCharacters(in: .whitespaces)
            if dateStyles.contains(style) {
                guard let date = ExcelNumber.date(serial: v, date1904: date1904) else {
                    return .unreadable("\(v) is shown as a date but is not a day of the calendar (Excel's 1900-02-29 does not exist)")
                }
                return .date(date)
            }
            return .number(v)
        }
    }
}
