import Directory
import Foundation
@testable import Interchange
import Testing

/// The review leftovers of issue 10: Chinese reasons for the domain's rules, a negative phone
/// number, the safety valve's percentage and thresholds, 生日提醒 and 置顶 in the export, the
/// departments a reconcile creates, an empty path after `;`.
@Suite struct ImportReviewLeftoverTests {
    /// One row per rule, each breaking only that rule (the header Chinese).
    static let badRows: [(row: String, chinese: String)] = [
        ("甲,bad account!,13800000001,,", "账号「bad account!」不正确：只能包含字母、数字和 _ - . @，以字母或数字开头，1–64 个字符"),
        ("乙,yi,13800000002,,,qq:12", "QQ号码「12」不正确：QQ 号码为 5–12 位数字，不以 0 开头"),
        ("丙,bing,,not-an-email,", "邮箱「not-an-email」不正确：邮箱格式应为 name@domain.tld"),
        ("丁,ding,12ab,,", "手机「12ab」不正确：电话号码为 5–20 位数字，可含空格、-、括号和开头的 +"),
        ("戊,wu,13800000005,,,title:\(String(repeating: "长", count: 65))", "职位太长：有 65 个字符，最多 64 个"),
        ("己,ji,13800000006,,,title:经\u{200B}理", "职位含有不可见字符或控制字符 U+200B；不允许换行、制表符、零宽字符等"),
        ("庚,geng,,,", "微信号、手机、邮箱至少填写一项（或使用 --placeholder-email）"),
        ("辛,xin,13800000008,,,password:Ab1", "密码不符合密码规则：至少需要 8 个字符"),
        ("壬,renxyz,13800000009,,,password:renxyz-Secret1", "密码不符合密码规则：不能包含账号"),
        ("癸,gui,13800000010,,,password:aaaaaaaaaa", "密码不符合密码规则：至少使用以下四类中的 2 类：小写字母、大写字母、数字、其他字符"),
        ("子,zi,13800000011,,研发:中心", "部门「研发:中心」不正确：部门名最多 50 个字符宽（汉字算 2 个），不能包含 \\ / : * ? \" < > | 和不可见字符"),
        ("丑,chou,13800000012,,\(String(repeating: "部", count: 26))", "部门名「\(String(repeating: "部", count: 26))」太长：宽 52 个字符，最多 50（汉字算 2 个）"),
        ("寅,yin,13800000013,,,birthday:2023-02-30", "阳历生日「2023-02-30」不正确：应为真实存在的日期 YYYY-MM-DD"),
        ("卯,mao,13800000014,,,gender:X", "性别「X」不正确：应为 男、女 或 未知"),
    ]

    /// The rows as a CSV: 姓名, 账号, 手机, 邮箱, 部门, then one optional `column:value` cell.
    static func csv(chinese: Bool) -> String {
        let extra: [String: (String, String)] = [
            "qq": ("QQ号码", "qq"), "title": ("职位", "title"), "password": ("密码", "password"),
            "birthday": ("阳历生日", "birthday"), "gender": ("性别", "gender"),
        ]
        let order = ["qq", "title", "password", "birthday", "gender"]
        var header = chinese ? ["姓名", "账号", "手机", "邮箱", "部门"] : ["name", "account", "mobile", "email", "department"]
        header += order.map { chinese ? extra[$0]!.0 : extra[$0]!.1 }
        var lines = [header.joined(separator: ",")]
        for (row, _) in badRows {
            var cells = row.components(separatedBy: ",")
            let last = cells.count == 6 ? cells.removeLast() : ""
            cells = Array(cells.prefix(5))
            for column in order {
                cells.append(last.hasPrefix(column + ":") ? String(last.dropFirst(column.count + 1)) : "")
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func theReasonsOfAChineseFileAreChineseForEachRule() throws {
        let report = try importCSV(Self.csv(chinese: true), into: try emptyService())
        #expect(report.created == 0)
        #expect(report.failures.map(\.reason) == Self.badRows.map(\.chinese))
        // No English rule text is left: once the cells' own values are taken out, no word of
        // three Latin letters remains but the template's tokens.
        for (failure, bad) in zip(report.failures, Self.badRows) {
            var text = failure.reason
            for value in bad.row.components(separatedBy: ",") + bad.row.components(separatedBy: ":") where !value.isEmpty {
                text = text.replacingOccurrences(of: value, with: "")
            }
            for token in ["YYYY-MM-DD", "name@domain.tld", "--placeholder-email", "U+200B", "QQ"] {
                text = text.replacingOccurrences(of: token, with: "")
            }
            #expect(text.range(of: "[A-Za-z]{3,}", options: .regularExpression) == nil, "\(failure.reason)")
        }
    }

    @Test func theReasonsOfAnEnglishFileAreTheDomainsRules() throws {
        let report = try importCSV(Self.csv(chinese: false), into: try emptyService())
        #expect(report.failures.count == Self.badRows.count)
        #expect(report.failures[0].reason == "account: bad account! may contain only letters, digits and _ - . @")
        #expect(report.failures[7].reason == "password: at least 8 characters are required")
        for f in report.failures {
            #expect(!["不正确", "必填", "规则", "至少", "太长"].contains { f.reason.contains($0) }, "\(f.reason)")
        }
    }

    @Test func aNegativePhoneNumberIsCalledNegative() {
        guard case .failure(let negative) = TemplateSheet.value(.number("-13800138000"), for: .mobile) else {
            Issue.record("a negative number was accepted as a phone number")
            return
        }
        #expect(negative.english == "mobile: -13800138000 is a negative number, which no phone number is; format the column as text and type it again")
        #expect(negative.chinese == "手机：-13800138000 是负数，电话号码不能为负；请将此列设为文本后重新填写")
        guard case .failure(let fraction) = TemplateSheet.value(.number("13800138000.5"), for: .mobile) else {
            Issue.record("a fraction was accepted as a phone number")
            return
        }
        #expect(fraction.english.contains("a number with a fraction"))
        #expect(ExcelNumber.isNegative("-1.38E10"))
        #expect(!ExcelNumber.isNegative("-0"))
        #expect(!ExcelNumber.isNegative("13800138000"))
    }

    @Test func theValveFollowsTheIssueAtTheExactRatio() {
        // More than 50 and more than 20%.
        #expect(!SpreadsheetReconcile.refuses(leavers: 51, of: 255), "51/255 is exactly 20%")
        #expect(SpreadsheetReconcile.refuses(leavers: 51, of: 254))
        // Fewer than 50 and more than 80%.
        #expect(SpreadsheetReconcile.refuses(leavers: 49, of: 50))
        #expect(!SpreadsheetReconcile.refuses(leavers: 4, of: 5), "exactly 80%")
        // Exactly 50 is neither "more than 50" nor "fewer than 50".
        #expect(!SpreadsheetReconcile.refuses(leavers: 50, of: 50))
        #expect(!SpreadsheetReconcile.refuses(leavers: 50, of: 51))
        // The percentage: one decimal, never rounded onto a line it passes.
        #expect(SpreadsheetReconcile.percentage(1, of: 3) == "33.3%")
        #expect(SpreadsheetReconcile.percentage(2, of: 3) == "66.7%")
        #expect(SpreadsheetReconcile.percentage(51, of: 255) == "20.0%")
        #expect(SpreadsheetReconcile.percentage(501, of: 2500) == "20.1%", "20.04% is over 20%")
        #expect(SpreadsheetReconcile.percentage(5, of: 5) == "100.0%")
    }

    @Test func theRefusalPrintsTheExactCountsAndTheTruePercentage() throws {
        let service = try emptyService()
        var text = "姓名,账号,手机\n"
        for i in 0..<7 { text += "成员\(i),m\(i),1380000000\(i)\n" }
        try importCSV(text, into: service)
        let plan = try SpreadsheetReconcile.run(
            data: Data("姓名,账号,手机\n成员0,m0,13800000000\n".utf8), filename: "hr.csv", options: ReconcileOptions(), service: service,
            context: importContext, hasher: testHasher)
        #expect(plan.refusal == "the plan departs 6 of 7 active members (85.7%); the safety valve refuses more than 50 that are more than 20% of the directory, or fewer than 50 that are more than 80% — check the file, or give --force")
    }

    @Test func exportKeepsTheBirthdayReminderAndPinnedSoTheRoundTripIsLossless() throws {
        let service = try emptyService()
        try importCSV("姓名,账号,手机,部门,农历生日,生日提醒,置顶\n张三,zhangsan001,13800138000,营销中心,08-15,农历,是\n李四,lisi,13900139000,营销中心,,,\n", into: service)
        let zhang = try #require(service.model.member("zhangsan001"))
        #expect(zhang.birthdayReminder == .lunar)
        #expect(zhang.pinned)
        let rows = SpreadsheetExport.rows(of: service.model)
        #expect(Array(rows[0].suffix(7)) == ["QQ号码", "阳历生日", "农历生日", "生日提醒", "入职时间", "备注", "置顶"])
        let exportedZhang = try #require(rows.first { $0[1] == "zhangsan001" })
        #expect(exportedZhang[rows[0].firstIndex(of: "生日提醒")!] == "农历")
        #expect(exportedZhang[rows[0].firstIndex(of: "置顶")!] == "是")
        #expect(try #require(rows.first { $0[1] == "lisi" })[rows[0].firstIndex(of: "置顶")!] == "")
        for format in [SpreadsheetFormat.xlsx, .csv] {
            // Into an empty directory: every field comes back.
            let copy = try emptyService()
            let bytes = try SpreadsheetExport.write(service.model, format: format)
            let report = try importFile(bytes, filename: "export.\(format.rawValue)", into: copy)
            #expect(report.created == 2 && report.failed == 0)
            for m in service.model.allMembers {
                #expect(copy.model.member(m.account.key)?.fieldValues == m.fieldValues, "\(format) \(m.account)")
            }
            // Into the same directory with --update: nothing changes.
            let again = try importFile(bytes, filename: "export.\(format.rawValue)", into: service, SpreadsheetImportOptions(update: true))
            #expect(again.unchanged == 2 && again.updated == 0)
        }
    }

    @Test func reconcileCountsTheDepartmentsItCreates() throws {
        let service = try emptyService()
        try importCSV("姓名,账号,手机,部门\n张三,zhangsan001,13800138000,营销中心\n", into: service)
        let hr = "姓名,账号,手机,部门\n张三,zhangsan001,13800138000,营销中心->大客户部\n孙八,sunba,13800138009,市场部;营销中心->大客户部\n"
        let run = { (apply: Bool) in
            try SpreadsheetReconcile.run(
                data: Data(hr.utf8), filename: "hr.csv", options: ReconcileOptions(apply: apply), service: service, context: importContext,
                hasher: testHasher)
        }
        let plan = try run(false)
        #expect(plan.departmentsCreated == 2)
        #expect(plan.summary == "plan (not applied; --apply carries it out): hires 1, changes 0, transfers 1, leavers 0, departments to create 2, errors 0 (directory: 1 active members)")
        let before = service.model.departments.count
        let applied = try run(true)
        #expect(applied.departmentsCreated == 2)
        #expect(service.model.departments.count == before + 2)
        #expect(applied.summary.contains("departments created 2"))
    }

    @Test(arguments: ["营销中心;", ";营销中心", "营销中心;;市场部", "营销中心；", "营销中心; "])
    func anEmptyPathInTheDepartmentListIsARowError(cell: String) throws {
        let service = try emptyService()
        let report = try importCSV("姓名,账号,手机,部门\n张三,zhangsan001,13800138000,\(cell)\n", into: service)
        #expect(report.created == 0)
        #expect(report.failures.first?.reason == "部门「\(cell.trimmingCharacters(in: .whitespaces))」中有空的部门路径（; 的前后没有内容）；多个部门用 ; 分隔，末尾不要加 ;")
        #expect(service.model.department(atPath: ["营销中心"]) == nil, "nothing of the row")
        let english = try importCSV("name,account,mobile,department\nZhang,zhangsan001,13800138000,\(cell)\n", into: service)
        #expect(english.failures.first?.reason.hasSuffix("has an empty path (nothing before or after a ;); separate departments with ; and end without one") == true)
    }
}
