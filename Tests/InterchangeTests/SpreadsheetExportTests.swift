import Directory
import Foundation
@testable import Interchange
import Testing

/// Export in the template, and the round trip: export → edit one cell → import --update
/// changes exactly that cell's field.
@Suite struct SpreadsheetExportTests {
    static let people = """
        姓名,账号,微信号,手机,邮箱,电话,部门,职位,性别,昵称,电话2,地址,QQ号码,阳历生日,农历生日,入职时间,备注
        张三,zhangsan001,zhangsan_wx,13800138000,zhangsan@example.com,010-88886666,营销中心->大客户部->工业制造;市场部,客户经理,男,三哥,021-1234567,"北京市
        海淀区",123456789,1990-05-01,08-15,2020-03-01,老员工
        李四,lisi,,13900139000,,,营销中心,,女,,,,,,,,
        王五,wangwu,,,wangwu@example.com,,研发中心->平台部,工程师,,,,,,,,,
        """

    @Test func exportWritesTheTemplatesColumns() throws {
        let service = try emptyService()
        try importCSV(Self.people, into: service)
        let rows = SpreadsheetExport.rows(of: service.model)
        #expect(rows[0] == TemplateColumns.exportFields.map { $0 == .pinned ? "置顶" : $0.templateColumn ?? "" })
        #expect(!rows[0].contains("密码"), "passwords are never exported")
        let zhang = try #require(rows.first { $0[1] == "zhangsan001" })
        #expect(zhang == [
            "张三", "zhangsan001", "zhangsan_wx", "13800138000", "zhangsan@example.com", "010-88886666",
            "营销中心->大客户部->工业制造;市场部", "客户经理", "男", "三哥", "021-1234567", "北京市\n海淀区", "123456789", "1990-05-01", "08-15", "",
            "2020-03-01", "老员工", "",
        ])
        let sub = SpreadsheetExport.rows(of: service.model, department: try #require(service.model.department(atPath: ["研发中心"])).id)
        #expect(sub.map { $0[1] } == ["账号", "wangwu"])
    }

    @Test(arguments: [SpreadsheetFormat.xlsx, .csv])
    func exportEditOneCellAndUpdateChangesExactlyThat(format: SpreadsheetFormat) throws {
        let service = try emptyService()
        try importCSV(Self.people, into: service)
        let before = service.model
        let sequence = service.sequence
        let exported = try SpreadsheetExport.write(before, format: format)
        // Re-importing the export untouched changes nothing at all.
        let same = try importFile(exported, filename: "export.\(format.rawValue)", into: service, SpreadsheetImportOptions(update: true))
        #expect(same.unchanged == 3)
        #expect(same.updated == 0)
        #expect(service.sequence == sequence, "no write at all")
        // Edit one cell: 李四's title.
        var rows = try SpreadsheetTable.read(exported, filename: "export.\(format.rawValue)").rows.map { $0.cells.map { TemplateSheet.text($0) ?? "" } }
        let li = try #require(rows.firstIndex { $0.count > 1 && $0[1] == "lisi" })
        while rows[li].count < 8 { rows[li].append("") }
        rows[li][7] = "销售代表"
        let edited = try format.write(sheetName: "人员组织", rows: rows)
        let report = try importFile(edited, filename: "edited.\(format.rawValue)", into: service, SpreadsheetImportOptions(update: true))
        #expect(report.updated == 1)
        #expect(report.unchanged == 2)
        let after = service.model
        #expect(after.member("lisi")?.title == "销售代表")
        for m in before.allMembers {
            let now = try #require(after.member(m.account.key))
            var expected = m.fieldValues
            if m.account.key == "lisi" { expected["title"] = "销售代表" }
            #expect(now.fieldValues == expected)
            #expect(now.departments == m.departments)
        }
        #expect(after.departments.count == before.departments.count)
        let last = try #require(try service.audit(since: nil, limit: 1000).last)
        #expect(last.action == "member.update")
        #expect(last.target == "lisi")
        let changed = Set(last.after.keys.filter { last.after[$0] != last.before[$0] })
        #expect(changed == ["title"])
        #expect(service.sequence == sequence + 1)
    }
}
