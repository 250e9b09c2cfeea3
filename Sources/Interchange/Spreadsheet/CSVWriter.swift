public import Foundation

/// Writes CSV as Excel reads it: UTF-8 with a BOM (so Excel on Windows takes it for UTF-8),
/// CRLF line ends, fields quoted when they hold a comma, a quote or a line break.
public enum CSVWriter {
    /// The bytes of a CSV file holding `rows`.
    public static func write(_ rows: [[String]]) -> Data {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        for row in rows {
            for (i, field) in row.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.hasPrefix(" ") || field.hasSuffix(" ") {
                    out.append(UInt8(ascii: "\""))
                    out.append(contentsOf: field.replacingOccurrences(of: "\"", with: "\"\"").utf8)
                    out.append(UInt8(ascii: "\""))
                } else {
                    out.append(contentsOf: field.utf8)
                }
            }
            out.append(contentsOf: [0x0D, 0x0A])
        }
        return Data(out)
    }
}
