import Directory
import Foundation
import Testing

@testable import Interchange

/// WeCom migration: the JSON of `department/list` and `user/list` (fixtures written from WeCom's
/// public API documentation) against hand-written expectations; bad input changes nothing.
@Suite struct WeComTests {
    static let ctx = CommandContext(actor: "test", source: "test")

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/wecom/\(name)")
        return Array(try Data(contentsOf: url))
    }

    static func empty() throws -> DirectoryService {
        try DirectoryService(store: InMemoryStore(DirectoryModel(organization: "Empty")))
    }

    static func names(_ ids: [DepartmentID], _ model: DirectoryModel) -> [String] {
        ids.map { model.pathNames(of: $0).joined(separator: "->") }
    }

    @Test func importsTheTreeOrderLeadersAndDepartures() throws {
        let s = try Self.empty()
        let report = try WeCom.importDirectory(
            departments: Self.fixture("departments.json"), users: Self.fixture("users.json"), into: s, by: Self.ctx)
        #expect(report.failures.isEmpty, "\(report.failures)")
        let model = s.live.snapshot()
        #expect(model.organization == "示例科技")
        // WeCom puts a larger order first: 深圳 (20) before 广州 (10), 微信 (100) before 邮箱 (40).
        #expect(model.children(of: .root).compactMap { model.department($0)?.name } == ["深圳研发中心", "广州研发中心"])
        let gz = try #require(model.department(atPath: ["广州研发中心"]))
        #expect(model.children(of: gz.id).compactMap { model.department($0)?.name } == ["微信产品部", "邮箱产品部"])
        #expect(gz.order == 2)
        #expect(model.department(atPath: ["深圳研发中心"])?.order == 1)
        // Leaders: department_leader, then is_leader_in_dept; not those who left.
        #expect(model.department(.root)?.leaders.map(\.value) == ["zhangsan"])
        #expect(gz.leaders.map(\.value) == ["zhangsan", "lisi"])
        #expect(model.department(atPath: ["广州研发中心", "邮箱产品部"])?.leaders.map(\.value) == ["lisi"])
        // Members: main_department first.
        let zhangsan = try #require(model.member("zhangsan"))
        #expect(Self.names(zhangsan.departments, model) == ["", "广州研发中心"])
        #expect(zhangsan.name == "张三")
        #expect(zhangsan.title == "产品经理")
        #expect(zhangsan.mobile == "13800000000")
        #expect(zhangsan.email == "zhangsan@gzdev.com")
        #expect(zhangsan.phone == "020-123456")
        #expect(zhangsan.nickname == "jackzhang")
        #expect(zhangsan.gender == "男")
        #expect(zhangsan.address == "广州市海珠区新港中路")
        #expect(zhangsan.followStatus == .following)
        let lisi = try #require(model.member("lisi"))
        #expect(Self.names(lisi.departments, model) == ["广州研发中心->邮箱产品部", "广州研发中心"])
        let sunqi = try #require(model.member("sunqi"))
        #expect(sunqi.isActive && sunqi.followStatus == .notFollowing && sunqi.gender == "女")
        #expect(Self.names(sunqi.departments, model) == ["广州研发中心->微信产品部"])
        // status 5 (left) and 2 (disabled) are departures; gender "0" is unset.
        #expect(model.member("wangwu")?.isActive == false)
        #expect(model.member("wangwu")?.gender == nil)
        #expect(model.member("zhaoliu")?.isActive == false)
        #expect(model.departedMembers.map(\.account.value) == ["wangwu", "zhaoliu"])
        #expect(report.count("member.create") == 5)
        #expect(report.count("department.create") == 4)
        #expect(report.count("member.depart") == 2)
    }

    /// Each bad input is named, and the directory is left exactly as it was.
    @Test(arguments: [
        ("not json", "{\"errcode\":0,", nil, "not JSON"),
        ("errcode", #"{"errcode":60011,"errmsg":"no privilege to access/modify contact/party/agent"}"#, nil, "errcode 60011"),
        ("unknown department", nil, #"{"errcode":0,"userlist":[{"userid":"a1","name":"A","department":[99],"email":"a@x.com"}]}"#,
         "user a1: department 99 is not in department/list"),
        ("cycle", #"{"errcode":0,"department":[{"id":6,"name":"甲","parentid":7},{"id":7,"name":"乙","parentid":6}]}"#, nil,
         "parentid forms a cycle: 6 → 7 → 6"),
        ("duplicate userid", nil,
         #"{"errcode":0,"userlist":[{"userid":"a1","name":"A","department":[2],"email":"a@x.com"},{"userid":"A1","name":"B","department":[2],"email":"b@x.com"}]}"#,
         "userid A1 appears twice"),
        ("domain rule", nil,
         #"{"errcode":0,"userlist":[{"userid":"a1","name":"A","department":[2],"email":"a@x.com"},{"userid":"b1","name":"B","department":[3],"email":"not-mail"}]}"#,
         "email: not-mail is not an e-mail address"),
    ] as [(String, String?, String?, String)])
    func badInputIsNamedAndNothingIsApplied(_ c: (String, String?, String?, String)) throws {
        let s = try Self.empty()
        let departments = try c.1.map { Array($0.utf8) } ?? Self.fixture("departments.json")
        let users = try c.2.map { Array($0.utf8) } ?? Self.fixture("users.json")
        let report = try WeCom.importDirectory(departments: departments, users: users, into: s, by: Self.ctx)
        #expect(report.failures.count == 1, "\(c.0): \(report.failures)")
        #expect(report.failures.first?.description.contains(c.3) == true, "\(c.0): \(report.failures)")
        #expect(report.applied.isEmpty)
        let model = s.live.snapshot()
        #expect(model.memberCount == 0, "\(c.0)")
        #expect(model.children(of: .root).isEmpty, "\(c.0)")
        #expect(model.organization == "Empty", "\(c.0)")
    }

    @Test func aPlaceholderEmailStandsInForHiddenContacts() throws {
        let s = try Self.empty()
        let users = #"{"errcode":0,"userlist":[{"userid":"a1","name":"A","department":[1],"status":1}]}"#
        let failed = try WeCom.importDirectory(departments: Self.fixture("departments.json"), users: Array(users.utf8), into: s, by: Self.ctx)
        #expect(failed.failures.first?.message.contains("at least one of wechat, mobile and email") == true, "\(failed.failures)")
        let report = try WeCom.importDirectory(
            departments: Self.fixture("departments.json"), users: Array(users.utf8), into: s, by: Self.ctx,
            options: .init(placeholderEmail: "{account}@mail.example.com"))
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(s.live.snapshot().member("a1")?.email == "a1@mail.example.com")
    }
}
