import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 4180 CSV as Excel and LibreOffice write it: UTF-8 with or without a BOM (UTF-16 with a
/// BOM too), CRLF or LF, quoted fields holding commas, quotes (`""`) and line breaks. A file that
/// is not UTF-8 is read as GB18030 (a superset of GBK, what Excel's "CSV" writes on a Chinese
/// Windows) when the C library can convert it, and refused by name otherwise.
enum CSVReader {
    static func read(_ data: Data, filename: String, limits: SpreadsheetLimits) throws(InterchangeError) -> SpreadsheetTable {
        let text = try decode(data, filename: filename)
        return try parse(text, filename: filename, limits: limits)
    }

    // MARK: - Encoding

    static func decode(_ data: Data, filename: String) throws(InterchangeError) -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let s = String(data: Data(bytes), encoding: .utf16) else {
                throw InterchangeError(.encoding, "\(filename) starts like UTF-16 but is not; save it as CSV UTF-8")
            }
            return s
        }
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        if let s = convert(bytes, from: "GB18030") { return s }
        throw InterchangeError(.encoding, "\(filename) is not UTF-8 (GBK?); save it as CSV UTF-8")
    }

    /// Converts with the C library's iconv; nil when it cannot (an unknown encoding, or bytes
    /// that are not valid in it).
    static func convert(_ input: [UInt8], from encoding: String) -> String? {
        guard let cd = iconv_open("UTF-8", encoding), cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var source = input.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 2 + 16)
        let written: Int? = source.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                var inPtr: UnsafeMutablePointer<CChar>? = src.baseAddress
                var inLeft = src.count
                var outPtr: UnsafeMutablePointer<CChar>? = dst.baseAddress
                var outLeft = dst.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return r == -1 || inLeft != 0 ? nil : dst.count - outLeft
            }
        }
        guard let written else { return nil }
        return String(validating: output[..<written].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - Fields

    static func parse(_ text: String, filename: String, limits: SpreadsheetLimits) throws(InterchangeError) -> SpreadsheetTable {
        var rows: [SpreadsheetRow] = []
        var record: [SpreadsheetCell] = []
        var field = ""
        var quoted = false, inQuotes = false
        var line = 1, recordStart = 1
        let scalars = Array(text.unicodeScalars)
        // A tab-separated file (Excel's "Unicode text") when the first line has tabs and no commas.
        let firstLine = scalars.prefix { $0 != "\n" && $0 != "\r" }
        let separator: Unicode.Scalar = firstLine.contains("\t") && !firstLine.contains(",") ? "\t" : ","
        func endField() {
            record.append(.text(field))
            field = ""
            quoted = false
        }
        func endRecord() throws(InterchangeError) {
            endField()
            guard record.count <= limits.maxColumns else {
                throw InterchangeError(.tooLarge, "\(filename) row \(recordStart) has \(record.count) columns; at most \(limits.maxColumns)")
            }
            rows.append(SpreadsheetRow(number: recordStart, cells: record))
            guard rows.count <= limits.maxRows else {
                throw InterchangeError(.tooLarge, "\(filename) has more than \(limits.maxRows) rows")
            }
            record = []
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty && !quoted {
                inQuotes = true
                quoted = true
            } else if c == separator {
                endField()
            } else if c == "\r" || c == "\n" {
                if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" { i += 1 }
                try endRecord()
                line += 1
                recordStart = line
            } else {
                // A character after a closing quote (`"a"b`) is kept, as spreadsheets do.
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes {
            throw InterchangeError(.notReadable, "\(filename): the quoted field that starts on line \(recordStart) never ends (a \" is missing)")
        }
        if !field.isEmpty || !record.isEmpty { try endRecord() }
        return SpreadsheetTable(rows: rows)
    }
}
