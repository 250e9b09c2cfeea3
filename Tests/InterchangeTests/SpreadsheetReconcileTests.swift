import Directory
import Foundation
import Interchange
import Testing

/// The HR roster against the directory: hires, changes, transfers, leavers, and the safety valve.
@Suite struct SpreadsheetReconcileTests {
    static let directory = """
        姓名,账号,手机,部门,职位
        张三,zhangsan001,13800138000,营销中心,经理
        李四,lisi,13800138001,营销中心,
        王五,wangwu,13800138002,研发中心,工程师
        赵六,zhaoliu,13800138003,研发中心,
        钱七,qianqi,13800138004,研发中心,
        """

    /// 张三 unchanged, 李四 a new mobile, 王五 moves to 营销中心, 赵六 is gone, 孙八 is new;
    /// 钱七's row has an error (they must not be taken for a leaver).
    static let hr = """
        姓名,账号,手机,部门,职位
        张三,zhangsan001,13800138000,营销中心,经理
        李四,lisi,13900139001,营销中心,
        王五,wangwu,13800138002,营销中心,工程师
        钱七,qianqi,13800138004,研发中心,,
        钱七,QIANQI,,研发中心,
        孙八,sunba,13800138009,市场部,
        """

    func run(_ text: String, _ service: DirectoryService, _ options: ReconcileOptions) throws -> ReconcileReport {
        try SpreadsheetReconcile.run(data: Data(text.utf8), filename: "hr.csv", options: options, service: service, context: importContext, hasher: testHasher)
    }

    @Test func plansEachKindOfChangeAndAppliesIt() throws {
        let service = try emptyService()
        try importCSV(Self.directory, into: service)
        let sequence = service.sequence
        let plan = try run(Self.hr, service, ReconcileOptions())
        #expect(service.sequence == sequence, "a plan changes nothing")
        #expect(plan.steps.map { "\($0.kind.rawValue) \($0.account) \($0.detail)" } == [
            "change lisi mobile: 13800138001 → 13900139001",
            "transfer wangwu 研发中心 → 营销中心",
            "hire sunba 市场部",
            "leave zhaoliu 研发中心",
        ])
        #expect(plan.failures.map(\.row) == [5, 6])
        #expect(plan.summary == "plan (not applied; --apply carries it out): hires 1, changes 1, transfers 1, leavers 1, departments to create 1, errors 2 (directory: 5 active members)")
        let applied = try run(Self.hr, service, ReconcileOptions(apply: true))
        #expect(applied.applied)
        #expect(applied.applyFailures.isEmpty)
        let m = service.model
        #expect(m.member("lisi")?.mobile == "13900139001")
        #expect(service.paths("wangwu") == ["营销中心"])
        #expect(service.paths("sunba") == ["市场部"])
        let zhao = try #require(m.member("zhaoliu"), "a leaver departs and is kept, never erased")
        #expect(!zhao.isActive)
        #expect(m.member("qianqi")?.isActive == true)
        #expect(m.member("zhangsan001")?.isActive == true)
    }

    @Test func theSafetyValveRefusesDepartingMostOfTheDirectory() throws {
        let service = try emptyService()
        try importCSV(Self.directory, into: service)
        // Only a new hire in the file: all 5 would leave.
        let onlyNew = "姓名,账号,手机,部门\n孙八,sunba,13800138009,市场部\n"
        let refused = try run(onlyNew, service, ReconcileOptions(apply: true))
        #expect(!refused.applied)
        #expect(refused.refusal == "the plan departs 5 of 5 active members (100.0%); the safety valve refuses more than 50 that are more than 20% of the directory, or fewer than 50 that are more than 80% — check the file, or give --force")
        #expect(service.model.member("sunba") == nil, "nothing of a refused plan is applied")
        #expect(service.model.member("lisi")?.isActive == true)
        let forced = try run(onlyNew, service, ReconcileOptions(apply: true, force: true))
        #expect(forced.applied)
        #expect(service.model.member("lisi")?.isActive == false)
        #expect(service.model.member("sunba")?.isActive == true)
    }

    @Test func theSafetyValvesThresholds() {
        // Fewer than 50 leavers: refused above 80% of the directory.
        #expect(!SpreadsheetReconcile.refuses(leavers: 4, of: 5))
        #expect(SpreadsheetReconcile.refuses(leavers: 5, of: 6))
        #expect(!SpreadsheetReconcile.refuses(leavers: 50, of: 100))
        #expect(SpreadsheetReconcile.refuses(leavers: 3, of: 3))
        // More than 50: refused above 20%.
        #expect(!SpreadsheetReconcile.refuses(leavers: 60, of: 300))
        #expect(SpreadsheetReconcile.refuses(leavers: 61, of: 300))
        #expect(!SpreadsheetReconcile.refuses(leavers: 51, of: 10_000))
        #expect(!SpreadsheetReconcile.refuses(leavers: 0, of: 0))
    }
}
