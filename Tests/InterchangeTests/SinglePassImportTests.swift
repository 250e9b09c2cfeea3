import Directory
import Foundation
import Interchange
import Testing

/// An import writes each row once, deciding it under the write lock against the directory as it
/// is then; a dry run makes the same decisions on a copy. Found while making the 100 000-row
/// import apply each row once instead of planning it and then applying it again.
@Suite struct SinglePassImportTests {
    static let existing = """
        姓名,账号,手机,部门,职位
        赵一,zhaoyi,13900000001,研发中心->平台部,工程师
        钱二,qianer,13900000002,研发中心,经理
        """

    /// Every kind of row: a new member in an existing department, one in new departments, an
    /// update that changes a field, one that changes nothing, one that moves, and refusals.
    static let mixed = """
        姓名,账号,手机,部门,职位
        孙三,sunsan,13900000003,研发中心->平台部,工程师
        李四,lisi,13900000004,市场中心->华东区->上海组,销售
        赵一,zhaoyi,,,高级工程师
        钱二,qianer,,研发中心,经理
        周五,zhouwu,not-a-phone,新部门->新组,
        吴六,wu liu,13900000006,,
        郑七,zhengqi,13900000001,研发中心,
        钱二,qianer2,,研发中心->->平台部,
        """

    static func prepared() throws -> DirectoryService {
        let service = try emptyService()
        let first = try importCSV(Self.existing, into: service)
        #expect(first.created == 2)
        return service
    }

    @Test func aDryRunReportsWhatTheImportThenDoes() throws {
        let service = try Self.prepared()
        let options = SpreadsheetImportOptions(update: true)
        var dry = options
        dry.dryRun = true
        let before = service.sequence
        let planned = try importCSV(Self.mixed, into: service, dry)
        #expect(service.sequence == before)
        let done = try importCSV(Self.mixed, into: service, options)
        #expect(planned.created == done.created)
        #expect(planned.updated == done.updated)
        #expect(planned.unchanged == done.unchanged)
        #expect(planned.departmentsCreated == done.departmentsCreated)
        #expect(planned.failures.map(\.row) == done.failures.map(\.row))
        #expect(planned.failures.map(\.reason) == done.failures.map(\.reason))
        // What happened, independently of the report: two created, one updated, three departments new.
        #expect(done.created == 2)
        #expect(done.updated == 1)
        #expect(done.unchanged == 1)
        #expect(done.departmentsCreated == 3)  // 市场中心, 华东区, 上海组 (新部门 and 新组 belong to a refused row)
        #expect(done.failures.map(\.row) == [6, 7, 8, 9], "\(done.failures)")
        let model = service.model
        #expect(model.member("sunsan")?.departments == [try #require(model.department(atPath: ["研发中心", "平台部"])?.id)])
        #expect(model.department(atPath: ["市场中心", "华东区", "上海组"]) != nil)
        #expect(model.department(atPath: ["新部门"]) == nil)
        #expect(model.member("zhaoyi")?.title == "高级工程师")
        #expect(model.member("zhengqi") == nil)
    }

    @Test func eachRowIsOneChangeLogRecordWithItsCommandsAudited() throws {
        let service = try Self.prepared()
        let before = service.sequence
        let auditBefore = try service.audit(since: nil, limit: 10_000).count
        let report = try importCSV("""
            姓名,账号,手机,部门
            孙三,sunsan,13900000003,研发中心
            李四,lisi,13900000004,市场中心->华东区
            """, into: service)
        #expect(report.created == 2, "\(report.failures)")
        // 李四's row is one write of two commands (its departments, then the member): one
        // change-log record, two audit records.
        #expect(service.sequence == before + 2)
        let records = try service.audit(since: nil, limit: 10_000).dropFirst(auditBefore)
        #expect(records.map(\.action) == ["member.create", "department.createPath", "member.create"])
        #expect(records.map(\.target).last == "lisi")
    }

    /// A password checked ahead of the writes is checked again when its rules changed before its
    /// row was written (another writer, between two groups).
    @Test func aPasswordPreparedUnderAnOldPolicyIsCheckedAgainstTheNewOne() throws {
        let service = try emptyService()
        let strict = PasswordPolicy(minimumLength: 20)
        let options = SpreadsheetImportOptions(groupSize: 1, progress: { phase, done, _ in
            if phase == "apply" && done == 1 { _ = try? service.execute(.setPasswordPolicy(strict), by: importContext) }
        })
        let report = try importCSV("""
            姓名,账号,手机,密码
            张三,zhangsan001,13800138000,Kq7-wave-Harbor
            李四,lisi,13800138001,Kq7-wave-Harbor2
            王五,wangwu,13800138002,Kq7-wave-Harbor-and-more
            """, into: service, options)
        #expect(service.model.passwordPolicy == strict)
        #expect(report.created == 2)
        #expect(report.failures.map(\.row) == [3])
        #expect(report.failures.first?.reason.contains("20") == true, "\(report.failures)")
        let wang = try #require(service.model.member("wangwu")?.passwordHash)
        #expect(testHasher.verify(Array("Kq7-wave-Harbor-and-more".utf8), against: wang))
    }

    /// A row planned as a new member whose account another writer took meanwhile is an update
    /// then (with --update): its password is checked for that member and hashed at the write.
    @Test func aRowWhoseAccountAppearedMeanwhileUpdatesIt() throws {
        let service = try emptyService()
        let options = SpreadsheetImportOptions(update: true, groupSize: 1, progress: { phase, done, _ in
            if phase == "apply" && done == 1 {
                _ = try? service.execute(.createMember(account: "lisi", fields: [.name: "李四", .mobile: "13800138009"], departments: [.root], passwordHash: nil), by: importContext)
            }
        })
        let report = try importCSV("""
            姓名,账号,职位,邮箱,密码
            张三,zhangsan001,工程师,zs@example.com,Kq7-wave-Harbor
            李四,lisi,经理,,Kq7-wave-Harbor2
            """, into: service, options)
        #expect(report.created == 1, "\(report.failures)")
        #expect(report.updated == 1)
        let li = try #require(service.model.member("lisi"))
        #expect(li.title == "经理")
        #expect(li.mobile == "13800138009")
        #expect(testHasher.verify(Array("Kq7-wave-Harbor2".utf8), against: try #require(li.passwordHash)))
    }
}
