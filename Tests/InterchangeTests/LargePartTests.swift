import Foundation
import Interchange
import Testing

/// Found by the 100 000-row benchmark: an xlsx whose shared strings are over 10 MB (libxml2's
/// limit on one piece of input without XML_PARSE_HUGE) was refused as "not well-formed XML" —
/// Roster's own export of 100 000 members could not be imported again.
@Suite struct LargePartTests {
    @Test func sharedStringsOverTenMegabytesRead() throws {
        // 20 000 rows of two distinct 300-character cells: about 12 MB of shared strings.
        let filler = String(repeating: "通讯录", count: 100)
        var rows = [["姓名", "备注"]]
        for i in 0..<20_000 { rows.append(["成员\(i)", "\(i) \(filler)"]) }
        let data = try SpreadsheetFormat.xlsx.write(sheetName: "人员组织", rows: rows)
        let table = try SpreadsheetTable.read(data, filename: "big.xlsx", limits: SpreadsheetLimits(maxFileSize: 64 << 20))
        #expect(table.rows.count == rows.count)
        #expect(table.rows.last?.cells.last == .text("19999 \(filler)"))
    }
}
