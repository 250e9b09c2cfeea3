import Directory
import Foundation
import Interchange
import Testing

/// LibreOffice opens what Roster writes, and Roster reads what LibreOffice writes: the template
/// converts to PDF, and a CSV LibreOffice turns into an xlsx (phones as numbers, dates as date
/// serials) imports with the values typed by hand here.
@Suite(.serialized) struct LibreOfficeTests {
    @Test(.enabled(if: soffice != nil, "LibreOffice is not installed (scripts/test.sh installs it)"))
    func theTemplateOpensInLibreOffice() throws {
        let dir = try scratchDirectory()
        let template = dir.appendingPathComponent("template.xlsx")
        try XLSXWriter.write(TemplateColumns.template()).write(to: template)
        let r = try runTool(try #require(soffice), ["--headless", "-env:UserInstallation=file://\(dir.path)/lo", "--convert-to", "pdf", "--outdir", dir.path, template.path])
        #expect(r.status == 0, "\(r.err)")
        let pdf = try Data(contentsOf: dir.appendingPathComponent("template.pdf"))
        #expect(pdf.starts(with: Array("%PDF".utf8)))
        // And LibreOffice's own xlsx of the template has both sheets' headers.
        let back = try runTool(try #require(soffice), ["--headless", "-env:UserInstallation=file://\(dir.path)/lo", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir.appendingPathComponent("csv").path, template.path])
        #expect(back.status == 0, "\(back.err)")
        let csv = try String(contentsOf: dir.appendingPathComponent("csv/template.csv"), encoding: .utf8)
        #expect(csv.replacingOccurrences(of: "\"", with: "").hasPrefix("姓名,账号,微信号,手机,邮箱,电话,部门,职位,性别,昵称,电话2,地址,QQ号码,阳历生日,农历生日,入职时间,备注,密码"))
    }

    @Test(.enabled(if: soffice != nil, "LibreOffice is not installed (scripts/test.sh installs it)"))
    func importsAnXlsxLibreOfficeWrote() throws {
        let dir = try scratchDirectory()
        let csv = dir.appendingPathComponent("roster.csv")
        try """
            姓名,账号,手机,部门,阳历生日,QQ号码
            张三,zhangsan001,13800138000,营销中心->大客户部->工业制造;市场部,1990-05-01,123456789
            李四,lisi,13900139000,营销中心,1985-12-31,

            """.write(to: csv, atomically: true, encoding: .utf8)
        let r = try runTool(try #require(soffice), ["--headless", "-env:UserInstallation=file://\(dir.path)/lo", "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", dir.appendingPathComponent("out").path, csv.path])
        #expect(r.status == 0, "\(r.err)")
        let xlsx = try Data(contentsOf: dir.appendingPathComponent("out/roster.xlsx"))
        let table = try SpreadsheetTable.read(xlsx, filename: "roster.xlsx")
        #expect(table.rows[1].cells[2] == .number("13800138000"), "LibreOffice stores the phone as a number")
        let service = try emptyService()
        let report = try importFile(xlsx, filename: "roster.xlsx", into: service)
        #expect(report.created == 2)
        #expect(report.failed == 0)
        let m = try #require(service.model.member("zhangsan001"))
        #expect(m.mobile == "13800138000")
        #expect(m.birthday == "1990-05-01")
        #expect(m.qq == "123456789")
        #expect(service.paths("zhangsan001") == ["营销中心->大客户部->工业制造", "市场部"])
        #expect(service.model.member("lisi")?.birthday == "1985-12-31")
    }
}
