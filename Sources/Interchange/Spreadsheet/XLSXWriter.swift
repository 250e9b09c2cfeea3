public import Foundation
import ZIPFoundation

/// Writes a minimal SpreadsheetML package (ECMA-376 Part 1): `[Content_Types].xml`, the package
/// and workbook relationships, the workbook, one worksheet per sheet, shared strings and styles.
/// Every cell is a string in the text format (`@`, built-in format 49), so a phone number typed
/// into the template later stays text; the first row of a sheet is bold, frozen, filtered.
public enum XLSXWriter {
    /// One sheet: a name (at most 31 characters, no `[]:*?/\`) and its rows of cell text.
    public struct Sheet: Sendable {
        public var name: String
        public var rows: [[String]]
        /// Column widths in characters (the rest default).
        public var widths: [Double]
        /// Whether the first row is a header (bold, frozen, with a filter).
        public var header: Bool

        /// - Parameters: see the properties.
        public init(name: String, rows: [[String]], widths: [Double] = [], header: Bool = true) {
            self.name = name
            self.rows = rows
            self.widths = widths
            self.header = header
        }
    }

    /// The bytes of an `.xlsx` file holding `sheets`.
    /// - Throws: ZIPFoundation's error if the archive cannot be built (out of memory).
    public static func write(_ sheets: [Sheet]) throws -> Data {
        var strings = SharedStrings()
        var sheetXML: [[UInt8]] = []
        for sheet in sheets { sheetXML.append(worksheet(sheet, &strings)) }
        let archive = try Archive(data: Data(), accessMode: .create)
        func add(_ path: String, _ bytes: [UInt8]) throws {
            let data = Data(bytes)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: Date(timeIntervalSince1970: 1_700_000_000),
                compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("[Content_Types].xml", Array(contentTypes(sheets.count).utf8))
        try add("_rels/.rels", Array(packageRelationships.utf8))
        try add("xl/workbook.xml", Array(workbook(sheets).utf8))
        try add("xl/_rels/workbook.xml.rels", Array(workbookRelationships(sheets.count).utf8))
        for (i, xml) in sheetXML.enumerated() { try add("xl/worksheets/sheet\(i + 1).xml", xml) }
        try add("xl/sharedStrings.xml", strings.xml())
        try add("xl/styles.xml", Array(styles.utf8))
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    // MARK: - Parts

    static let header = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let officeRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func contentTypes(_ sheets: Int) -> String {
        var s = header + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        s += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        s += #"<Default Extension="xml" ContentType="application/xml"/>"#
        s += #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        for i in 1...max(sheets, 1) {
            s += #"<Override PartName="/xl/worksheets/sheet\#(i).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        s += #"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
        s += #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        return s + "</Types>"
    }

    static let packageRelationships = header
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#
        + "</Relationships>"

    static func workbook(_ sheets: [Sheet]) -> String {
        var s = header + #"<workbook xmlns="\#(main)" xmlns:r="\#(officeRel)"><bookViews><workbookView/></bookViews><sheets>"#
        for (i, sheet) in sheets.enumerated() {
            s += #"<sheet name="\#(escape(sheet.name))" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"/>"#
        }
        return s + "</sheets></workbook>"
    }

    static func workbookRelationships(_ sheets: Int) -> String {
        var s = header + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for i in 0..<sheets {
            s += #"<Relationship Id="rId\#(i + 1)" Type="\#(officeRel)/worksheet" Target="worksheets/sheet\#(i + 1).xml"/>"#
        }
        s += #"<Relationship Id="rId\#(sheets + 1)" Type="\#(officeRel)/sharedStrings" Target="sharedStrings.xml"/>"#
        s += #"<Relationship Id="rId\#(sheets + 2)" Type="\#(officeRel)/styles" Target="styles.xml"/>"#
        return s + "</Relationships>"
    }

    /// Style 0 default; 1 text (`@`); 2 text, bold, wrapped (headers); 3 text, wrapped.
    static let styles = header + #"<styleSheet xmlns="\#(main)">"#
        + #"<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>"#
        + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
        + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
        + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        + #"<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        + #"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + #"<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>"#
        + #"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>"#
        + "</cellXfs>"
        + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        + "</styleSheet>"

    static func worksheet(_ sheet: Sheet, _ strings: inout SharedStrings) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + sheet.rows.count * 200)
        func put(_ s: String) { out.append(contentsOf: s.utf8) }
        let columns = sheet.rows.map(\.count).max() ?? 0
        put(header + #"<worksheet xmlns="\#(main)" xmlns:r="\#(officeRel)">"#)
        if sheet.header && !sheet.rows.isEmpty {
            put(#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#)
        }
        if columns > 0 {
            put("<cols>")
            for c in 0..<columns {
                let width = c < sheet.widths.count ? sheet.widths[c] : 14
                put(#"<col min="\#(c + 1)" max="\#(c + 1)" width="\#(width)" customWidth="1" style="1"/>"#)
            }
            put("</cols>")
        }
        put("<sheetData>")
        for (r, row) in sheet.rows.enumerated() {
            put(#"<row r="\#(r + 1)">"#)
            for (c, value) in row.enumerated() where !value.isEmpty {
                let style = r == 0 && sheet.header ? 2 : (value.contains("\n") ? 3 : 1)
                put(#"<c r="\#(columnName(c))\#(r + 1)" t="s" s="\#(style)"><v>\#(strings.index(value))</v></c>"#)
            }
            put("</row>")
        }
        put("</sheetData>")
        if sheet.header && columns > 0 && sheet.rows.count > 0 {
            put(#"<autoFilter ref="A1:\#(columnName(columns - 1))\#(sheet.rows.count)"/>"#)
        }
        put("</worksheet>")
        return out
    }

    struct SharedStrings {
        var indexes: [String: Int] = [:]
        var list: [String] = []
        var uses = 0

        mutating func index(_ s: String) -> Int {
            uses += 1
            if let i = indexes[s] { return i }
            indexes[s] = list.count
            list.append(s)
            return list.count - 1
        }

        func xml() -> [UInt8] {
            var out: [UInt8] = []
            out.append(contentsOf: (XLSXWriter.header + #"<sst xmlns="\#(XLSXWriter.main)" count="\#(uses)" uniqueCount="\#(list.count)">"#).utf8)
            for s in list {
                out.append(contentsOf: #"<si><t xml:space="preserve">"#.utf8)
                out.append(contentsOf: XLSXWriter.escape(s).utf8)
                out.append(contentsOf: "</t></si>".utf8)
            }
            out.append(contentsOf: "</sst>".utf8)
            return out
        }
    }

    /// `0` → `A`, `25` → `Z`, `26` → `AA`.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var out: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            out.insert(Character(Unicode.Scalar(UInt8(65 + r))), at: 0)
            n = (n - 1) / 26
        }
        return String(out)
    }

    /// XML text: `& < > "` escaped; characters XML 1.0 cannot hold become U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}
