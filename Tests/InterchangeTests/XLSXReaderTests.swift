import Directory
import Foundation
@testable import Interchange
import Testing
import ZIPFoundation

/// The xlsx container and its parts: a workbook written by another program (Python's zipfile
/// with hand-written SpreadsheetML), by LibreOffice, and by Roster's own writer; and the files
/// that must be refused.
@Suite struct XLSXReaderTests {
    /// A workbook written with only Python's standard library: shared strings (one with a rich
    /// text run and a phonetic guide), inline strings, a phone as a number and as 1.39001390E10,
    /// a date serial in a date style, a boolean, a formula with its cached value, one without,
    /// and a merged range.
    static let pythonWorkbook = #"""
        import zipfile
        ct = '''<?xml version="1.0" encoding="UTF-8"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
        <Default Extension="xml" ContentType="application/xml"/>
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
        <Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
        </Types>'''
        rels = '''<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'''
        wb = '''<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
        <x:sheets><x:sheet name="说明" sheetId="2" r:id="rId9"/><x:sheet name="人员组织" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>'''
        wbrels = '''<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/>
        <Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/other.xml"/>
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>
        <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'''
        sst = '''<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
        <si><t>姓名</t></si><si><t>账号</t></si><si><t>手机</t></si><si><t>入职时间</t></si><si><t>备注</t></si><si><t>电话</t></si>
        <si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r><rPh sb="0" eb="2"><t>ZHANGSAN</t></rPh></si>
        </sst>'''
        styles = '''<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
        <numFmts count="1"><numFmt numFmtId="170" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
        <cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="170"/></cellXfs></styleSheet>'''
        sheet = '''<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>
        <row r="2"><c r="A2" t="s"><v>6</v></c><c r="B2" t="inlineStr"><is><t>zhangsan001</t></is></c><c r="C2"><v>13800138000</v></c><c r="D2" s="1"><v>45047</v></c><c r="E2" t="b"><v>1</v></c><c r="F2"><f>C2+1</f><v>13800138001</v></c></row>
        <row r="3"><c r="A3" t="inlineStr"><is><t>李四</t></is></c><c r="B3" t="inlineStr"><is><t>lisi</t></is></c><c r="C3" t="n"><v>1.39001390E10</v></c><c r="D3" s="2"><v>44927</v></c></row>
        <row r="5"><c r="A5" t="inlineStr"><is><t>王五</t></is></c><c r="B5" t="inlineStr"><is><t>wangwu</t></is></c><c r="C5"><v>13900139005</v></c><c r="E5" t="str"><f>CONCAT("a","b")</f></c></row>
        <row r="6"><c r="A6" t="inlineStr"><is><t>赵六</t></is></c><c r="B6" t="inlineStr"><is><t>zhaoliu</t></is></c><c r="C6"><v>13900139001</v></c></row>
        <row r="7"><c r="A7" t="inlineStr"><is><t>钱七</t></is></c><c r="B7" t="inlineStr"><is><t>qianqi</t></is></c><c r="C7"><v>13900139002</v></c></row>
        <row r="8"><c r="A8" t="inlineStr"><is><t>孙八</t></is></c><c r="B8" t="inlineStr"><is><t>sunba</t></is></c><c r="C8"><v>13900139003</v></c><c r="D8" s="1"><v>60</v></c></row>
        </sheetData><mergeCells count="1"><mergeCell ref="F6:F7"/></mergeCells></worksheet>'''
        other = '''<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'''
        with zipfile.ZipFile('python.xlsx', 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('[Content_Types].xml', ct)
            z.writestr('_rels/.rels', rels)
            z.writestr('xl/workbook.xml', wb)
            z.writestr('xl/_rels/workbook.xml.rels', wbrels)
            z.writestr('xl/strings.xml', sst)
            z.writestr('xl/styles.xml', styles)
            z.writestr('xl/worksheets/data.xml', sheet)
            z.writestr('xl/worksheets/other.xml', other)
        """#

    @Test func readsAWorkbookAnotherProgramWrote() throws {
        let dir = try scratchDirectory()
        try python(Self.pythonWorkbook, in: dir)
        let data = try Data(contentsOf: dir.appendingPathComponent("python.xlsx"))
        let table = try SpreadsheetTable.read(data, filename: "python.xlsx")
        // The sheet named 人员组织, though it is the second one listed.
        #expect(table.rows.map(\.number) == [1, 2, 3, 5, 6, 7, 8])
        #expect(table.rows[1].cells == [
            .text("张三"), .text("zhangsan001"), .number("13800138000"), .date("2023-05-01"), .bool(true), .number("13800138001"),
        ])
        #expect(table.rows[2].cells == [.text("李四"), .text("lisi"), .number("1.39001390E10"), .date("2023-01-01")])
        #expect(table.rows[4].problems == ["merged:F6:F7"])
        #expect(table.rows[5].problems == ["merged:F6:F7"])

        let service = try emptyService()
        let report = try importFile(data, filename: "python.xlsx", into: service)
        let zhang = try #require(service.model.member("zhangsan001"))
        #expect(zhang.name == "张三")
        #expect(zhang.mobile == "13800138000")
        #expect(zhang.hireDate == "2023-05-01")
        #expect(zhang.remarks == "TRUE")
        #expect(zhang.phone == "13800138001", "a formula's cached value")
        let li = try #require(service.model.member("lisi"))
        #expect(li.mobile == "13900139000")
        #expect(li.hireDate == "2023-01-01")
        #expect(report.failures.map(\.row) == [5, 6, 7, 8])
        #expect(report.failures.map(\.reason) == [
            "备注：公式没有计算结果：请在 Excel 或 LibreOffice 中打开并保存，或直接填写数值",
            "合并单元格 F6:F7：请取消合并，并在每个单元格中填写",
            "合并单元格 F6:F7：请取消合并，并在每个单元格中填写",
            "入职时间：日期不存在（Excel 的 1900-02-29 并不存在）",
        ])
        #expect(report.created == 2)
    }

    @Test func numbersAreReadExactly() {
        #expect(ExcelNumber.integerDigits("13800138000") == "13800138000")
        #expect(ExcelNumber.integerDigits("1.38001380E10") == "13800138000")
        #expect(ExcelNumber.integerDigits("1.3800138E+10") == "13800138000")
        #expect(ExcelNumber.integerDigits("13800138000.5") == nil)
        #expect(ExcelNumber.integerDigits("12345678901234567890") == "12345678901234567890")
        #expect(ExcelNumber.plain("0.5") == "0.5")
        #expect(ExcelNumber.plain("3.0") == "3")
        #expect(ExcelNumber.plain("1E-3") == "0.001")
        #expect(ExcelNumber.plain("abc") == nil)
    }

    @Test func serialDaysFollowExcelsCalendar() {
        #expect(ExcelNumber.date(serial: "1", date1904: false) == "1900-01-01")
        #expect(ExcelNumber.date(serial: "59", date1904: false) == "1900-02-28")
        #expect(ExcelNumber.date(serial: "60", date1904: false) == nil, "Excel's phantom 1900-02-29")
        #expect(ExcelNumber.date(serial: "61", date1904: false) == "1900-03-01")
        #expect(ExcelNumber.date(serial: "44927", date1904: false) == "2023-01-01")
        #expect(ExcelNumber.date(serial: "45351.75", date1904: false) == "2024-02-29")
        #expect(ExcelNumber.date(serial: "0", date1904: true) == "1904-01-01")
        #expect(ExcelNumber.date(serial: "0", date1904: false) == nil)
    }

    @Test func ownWriterRoundTripsEveryKindOfText() throws {
        let rows = [["姓名", "账号", "地址"], ["A&B <c> \"d\"", "007", "line1\nline2"], ["  spaced  ", "", "last"]]
        let data = try XLSXWriter.write([XLSXWriter.Sheet(name: "人员组织", rows: rows)])
        let table = try SpreadsheetTable.read(data, filename: "own.xlsx")
        #expect(table.rows.map { $0.cells.map { TemplateSheet.text($0) ?? "?" } } == [
            ["姓名", "账号", "地址"], ["A&B <c> \"d\"", "007", "line1\nline2"], ["  spaced  ", "", "last"],
        ])
    }

    // MARK: - Refused files

    @Test func notAZipIsRefused() throws {
        let e = refusal { try SpreadsheetTable.read(Data("姓名,账号\n".utf8), filename: "members.xlsx") }
        #expect(e?.message == "members.xlsx is not an xlsx file (not a zip archive); save it from Excel as .xlsx, or as CSV UTF-8")
        let damaged = refusal { try SpreadsheetTable.read(Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 0]), filename: "d.xlsx") }
        #expect(damaged?.message == "d.xlsx is not an xlsx file (not a readable zip archive); save it from Excel as .xlsx, or as CSV UTF-8")
    }

    @Test func aZipThatIsNotAWorkbookIsRefused() throws {
        let archive = try Archive(data: Data(), accessMode: .create)
        let doc = Data("<w:document/>".utf8)
        try archive.addEntry(with: "word/document.xml", type: .file, uncompressedSize: Int64(doc.count)) { p, n in doc.subdata(in: Int(p)..<Int(p) + n) }
        let e = refusal { try SpreadsheetTable.read(try #require(archive.data), filename: "letter.xlsx") }
        #expect(e?.code == .notReadable)
        #expect(e?.message == "letter.xlsx is a zip archive but not an xlsx workbook (no xl/workbook.xml); save it from Excel as .xlsx")
    }

    /// A sheet of 60 MB of spaces: a few tens of kilobytes compressed.
    static let bomb = #"""
        import zipfile, sys
        limit_lie = len(sys.argv) > 1
        wb = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
        rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        with zipfile.ZipFile('bomb.xlsx', 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('xl/workbook.xml', wb)
            z.writestr('xl/_rels/workbook.xml.rels', rels)
            z.writestr('xl/worksheets/sheet1.xml', '<worksheet>' + ' ' * 60_000_000 + '</worksheet>')
        """#

    @Test func aZipBombIsRefusedByItsDeclaredSize() throws {
        let dir = try scratchDirectory()
        try python(Self.bomb, in: dir)
        let data = try Data(contentsOf: dir.appendingPathComponent("bomb.xlsx"))
        #expect(data.count < 1_000_000)
        let e = refusal { try SpreadsheetTable.read(data, filename: "bomb.xlsx", limits: SpreadsheetLimits(maxFileSize: 1_000_000, maxExpandedSize: 20_000_000)) }
        #expect(e?.code == .tooLarge)
        #expect(e?.message == "bomb.xlsx expands to more than 20000000 bytes (declared sizes); a spreadsheet of a directory is far smaller — refused as a possible zip bomb")
    }

    @Test func aZipBombThatLiesAboutItsSizeIsStoppedWhileExtracting() throws {
        let dir = try scratchDirectory()
        try python(Self.bomb + #"""

            # Rewrite the sheet's declared uncompressed size (local header and central directory) as 1000 bytes.
            import struct
            b = bytearray(open('bomb.xlsx', 'rb').read())
            name = b'xl/worksheets/sheet1.xml'
            i = b.find(b'PK\x03\x04' + b'', 0)
            while i != -1:
                n = struct.unpack('<H', b[i+26:i+28])[0]
                if b[i+30:i+30+n] == name: struct.pack_into('<I', b, i+22, 1000)
                i = b.find(b'PK\x03\x04', i + 4)
            j = b.find(b'PK\x01\x02')
            while j != -1:
                n = struct.unpack('<H', b[j+28:j+30])[0]
                if b[j+46:j+46+n] == name: struct.pack_into('<I', b, j+24, 1000)
                j = b.find(b'PK\x01\x02', j + 4)
            open('liar.xlsx', 'wb').write(b)
            """#, in: dir)
        let data = try Data(contentsOf: dir.appendingPathComponent("liar.xlsx"))
        let e = refusal { try SpreadsheetTable.read(data, filename: "liar.xlsx", limits: SpreadsheetLimits(maxFileSize: 1_000_000, maxExpandedSize: 20_000_000)) }
        #expect(e?.code == .tooLarge)
        #expect(e?.message == "liar.xlsx: the part xl/worksheets/sheet1.xml expands to more than the 1000 bytes it declares; refused as a possible zip bomb")
        // What the refusal cost: the bytes inflated before it, not the 20 MB limit (found by
        // review: ~245 MB of memory). The inflater's chunks are 16 KiB to 64 KiB.
        var parts = XLSXReader.Parts(archive: try Archive(data: data, accessMode: .read), filename: "liar.xlsx", limit: 20_000_000)
        var refused = false
        do { _ = try parts.extract("xl/worksheets/sheet1.xml") } catch { refused = true }
        #expect(refused)
        #expect(parts.inflated > 1000, "the part was read past what it declares")
        #expect(parts.inflated <= 1000 + 256 * 1024, "inflated \(parts.inflated) bytes before refusing")
    }

    @Test func aPartIsBoundedByTheArchivesLimitWhileInflating() throws {
        // Honest declared sizes, one part larger than what is left of the limit: stopped at the
        // limit, not after the part.
        let archive = try Archive(data: Data(), accessMode: .create)
        let big = Data(repeating: UInt8(ascii: " "), count: 5_000_000)
        try archive.addEntry(with: "big.xml", type: .file, uncompressedSize: Int64(big.count), compressionMethod: .deflate) { p, n in
            big.subdata(in: Int(p)..<Int(p) + n)
        }
        var parts = XLSXReader.Parts(archive: archive, filename: "big.xlsx", limit: 1_000_000)
        var refused = false
        do { _ = try parts.extract("big.xml") } catch { refused = true }
        #expect(refused)
        #expect(parts.inflated > 1_000_000)
        #expect(parts.inflated <= 1_000_000 + 256 * 1024, "inflated \(parts.inflated) bytes before refusing")
    }

    /// A workbook of one sheet whose part is `sheet`, as another program could write it.
    static func workbook(sheet: String) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        let parts = [
            "xl/workbook.xml": #"<workbook xmlns:r="r"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            "xl/_rels/workbook.xml.rels": #"<Relationships><Relationship Id="rId1" Type="t/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            "xl/worksheets/sheet1.xml": sheet,
        ]
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count)) { p, n in bytes.subdata(in: Int(p)..<Int(p) + n) }
        }
        return try #require(archive.data)
    }

    /// Found by review: a worksheet cut short (a valid zip whose XML simply ends) imported the
    /// rows before the cut, with exit status 0.
    @Test func aPartCutShortIsRefused() throws {
        let rows = (1...50).map { #"<row r="\#($0)"><c r="A\#($0)" t="inlineStr"><is><t>成员\#($0)</t></is></c></row>"# }.joined()
        let whole = #"<?xml version="1.0"?><worksheet><sheetData>"# + rows + "</sheetData></worksheet>"
        #expect(try SpreadsheetTable.read(try Self.workbook(sheet: whole), filename: "whole.xlsx").rows.count == 50)
        for cut in [whole.count / 2, whole.count - 12, whole.count - 1] {
            let e = refusal { try SpreadsheetTable.read(try Self.workbook(sheet: String(whole.prefix(cut))), filename: "cut.xlsx") }
            #expect(e?.message.hasPrefix("cut.xlsx: the sheet s") == true, "\(cut): \(String(describing: e))")
            #expect(e?.message.contains("damaged") == true)
        }
    }

    /// Found by review: a DTD after a 5 000-byte comment passed the check of the part's first 4 KB.
    @Test func aDTDAfterALongCommentIsRefused() throws {
        let sheet = #"<?xml version="1.0"?><!-- "# + String(repeating: "x", count: 5000) + #" --><!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>"#
        let e = refusal { try SpreadsheetTable.read(try Self.workbook(sheet: sheet), filename: "dtd.xlsx") }
        #expect(e?.message == "dtd.xlsx: the sheet s declares a DTD, which no spreadsheet does; refused")
    }

    @Test func aPartWithADTDIsRefused() throws {
        let archive = try Archive(data: Data(), accessMode: .create)
        let parts = [
            "xl/workbook.xml": #"<workbook xmlns:r="r"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            "xl/_rels/workbook.xml.rels": #"<Relationships><Relationship Id="rId1" Type="t/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            "xl/worksheets/sheet1.xml": #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>"#,
        ]
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count)) { p, n in bytes.subdata(in: Int(p)..<Int(p) + n) }
        }
        let e = refusal { try SpreadsheetTable.read(try #require(archive.data), filename: "dtd.xlsx") }
        #expect(e?.message == "dtd.xlsx: the sheet s declares a DTD, which no spreadsheet does; refused")
    }
}
