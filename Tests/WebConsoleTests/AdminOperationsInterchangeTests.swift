import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Interchange
import NIOCore
import Testing

@testable import WebConsole

extension Browser {
    /// Posts a `multipart/form-data` upload, as a browser's file form does.
    mutating func upload(
        _ uri: String, fields: [(String, String)], file: (name: String, filename: String, bytes: [UInt8])?,
        origin: String? = Browser.origin
    ) async throws -> TestResponse {
        let boundary = "----RosterTest\(UInt64.random(in: 1...UInt64.max))"
        var h: HTTPFields = [:]
        h[.contentType] = "multipart/form-data; boundary=\(boundary)"
        if let origin { h[.origin] = origin }
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let body = multipartBody(boundary: boundary, fields: fields, files: file.map { [$0] } ?? [])
        let r = try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(bytes: body))
        remember(r)
        return r
    }

    /// The CSRF token of a page.
    mutating func token(_ uri: String) async throws -> String { try #require(Self.csrf(try await get(uri))) }
}

/// The template's sheet with rows (the columns the importer reads, Chinese headers).
func templateXLSX(_ rows: [[String]]) throws -> [UInt8] {
    let header = ["姓名", "账号", "手机", "邮箱", "部门"]
    return Array(try XLSXWriter.write([XLSXWriter.Sheet(name: "人员组织", rows: [header] + rows)]))
}

/// The value of `href="…"` of the first link carrying `marker`.
func link(in html: String, marker: String) -> String? {
    guard let m = html.range(of: marker) else { return nil }
    let before = html[..<m.lowerBound]
    guard let a = before.range(of: "<a href=\"", options: .backwards) else { return nil }
    let rest = html[a.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
}

@Suite struct AdminOperationsInterchangeTests {
    static let importPath = "/admin/interchange/import"

    @Test func importShowsTheSummaryAndAReportOnlyTheImporterCanFetch() async throws {
        let f = try WebFixture()
        let xlsx = try templateXLSX([
            ["新员工", "w9001", "13700009001", "", "顺达物流->网点->北京朝阳网点"],
            ["重复的", "t1001", "13700009002", "", "顺达物流->网点"],  // exists; no --update: an error row
        ])
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/interchange")
            let r = try await b.upload(Self.importPath, fields: [("_csrf", token)], file: ("file", "名单.xlsx", xlsx))
            #expect(r.status == .ok)
            let html = r.text
            #expect(html.contains("data-count=\"created\">1<"))
            #expect(html.contains("data-count=\"errors\">1<"))
            #expect(html.contains("data-row=\"3\""))
            let uri = try #require(link(in: html, marker: "data-report"))
            #expect(uri.hasPrefix("/admin/interchange/report?id="))
            let report = try await b.get(uri)
            #expect(report.status == .ok)
            #expect(report.headers[.contentDisposition]?.contains("attachment") == true)
            let table = try SpreadsheetTable.read(Data(report.body.readableBytesView), filename: "r.xlsx")
            #expect(table.rows.count == 2)  // the header and the failed row
            #expect(table.rows.last?.cells.contains(.text("t1001")) == true)
            // Another administrator's session cannot fetch it, nor guess a path.
            var other = Browser(client: b.client)
            try await other.signIn("物流管理员", "Admin-logistics")
            #expect(try await other.get(uri).status == .notFound)
            #expect(try await other.get("/admin/interchange/report?id=../../etc/passwd").status == .notFound)
            #expect(try await b.get("/admin/interchange/report?id=../../etc/passwd").status == .notFound)
        }
        let model = f.service.live.snapshot()
        #expect(model.member("w9001")?.name == "新员工")
        #expect(model.member("w9001")?.departments == [f.department("北京朝阳网点")])
        #expect(model.member("t1001")?.name == "王建国")
    }

    @Test func aSubAdminsImportTouchesOnlyItsSubtrees() async throws {
        let f = try WebFixture()
        let xlsx = try templateXLSX([
            ["快递员甲", "w9101", "13700009101", "", "顺达物流->网点->上海浦东网点"],
            ["教师乙", "t9102", "13700009102", "", "育才学校->教师组->语文组"],
        ])
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            let token = try await b.token("/admin/interchange")
            let html = try await b.upload(Self.importPath, fields: [("_csrf", token), ("update", "1")], file: ("file", "a.xlsx", xlsx)).text
            #expect(html.contains("data-count=\"created\">1<"))
            #expect(html.contains("data-count=\"errors\">1<"))
        }
        let model = f.service.live.snapshot()
        #expect(model.member("w9101") != nil)
        #expect(model.member("t9102") == nil)
    }

    @Test func aDryRunChangesNothing() async throws {
        let f = try WebFixture()
        let xlsx = try templateXLSX([["新员工", "w9201", "13700009201", "", "顺达物流"]])
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/interchange")
            let html = try await b.upload(Self.importPath, fields: [("_csrf", token), ("dryRun", "1")], file: ("file", "a.xlsx", xlsx)).text
            #expect(html.contains("data-count=\"created\">1<"))
            #expect(!html.contains("data-report"))
        }
        #expect(f.service.live.snapshot().member("w9201") == nil)
    }

    @Test func anUploadWithoutTheTokenOrFromAnotherSiteIsRefused() async throws {
        let f = try WebFixture()
        let xlsx = try templateXLSX([["新员工", "w9301", "13700009301", "", "顺达物流"]])
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/interchange")
            #expect(try await b.upload(Self.importPath, fields: [], file: ("file", "a.xlsx", xlsx)).status == .forbidden)
            #expect(try await b.upload(Self.importPath, fields: [("_csrf", (token.first == "0" ? "1" : "0") + token.dropFirst())], file: ("file", "a.xlsx", xlsx)).status == .forbidden)
            #expect(
                try await b.upload(Self.importPath, fields: [("_csrf", token)], file: ("file", "a.xlsx", xlsx), origin: "http://evil.example")
                    .status == .forbidden)
            #expect(try await b.upload(Self.importPath, fields: [("_csrf", token)], file: ("file", "a.xlsx", xlsx), origin: nil).status == .forbidden)
            // Multipart is taken only where a route takes an upload.
            #expect(try await b.upload("/admin/groups/create", fields: [("_csrf", token), ("name", "x")], file: nil).status == .badRequest)
        }
        try await f.test { b in
            // A member is refused by the page (403).
            try await b.signIn("t1001", "Pw-t1001")
            let token = try await b.token("/me")
            #expect(try await b.upload(Self.importPath, fields: [("_csrf", token)], file: ("file", "a.xlsx", xlsx)).status == .forbidden)
        }
        #expect(f.service.live.snapshot().member("w9301") == nil)
        #expect(f.service.live.snapshot().group("x") == nil)
    }

    @Test func anUploadOverTheLimitIs413AndClosesTheConnection() async throws {
        var limits = WebLimits()
        limits.maxUploadBytes = 4096
        let f = try WebFixture(limits: limits)
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let token = try await b.token("/admin/interchange")
            let r = try await b.upload(Self.importPath, fields: [("_csrf", token)], file: ("file", "a.csv", Array(repeating: 65, count: 5000)))
            #expect(r.status == .contentTooLarge)
            #expect(r.headers[.connection] == "close")
        }
    }

    @Test func exportsTheDirectoryOrASubtreeInEachFormat() async throws {
        let f = try WebFixture()
        let shunda = f.department("顺达物流").rawValue
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let csv = try await b.get("/admin/interchange/export?department=1&format=csv")
            #expect(csv.status == .ok)
            #expect(csv.text.contains("t1001") && csv.text.contains("w0001"))
            #expect(!csv.text.contains("w1003"))  // departed
            let xlsx = try await b.get("/admin/interchange/export?department=\(shunda)&format=xlsx")
            let table = try SpreadsheetTable.read(Data(xlsx.body.readableBytesView), filename: "e.xlsx")
            #expect(table.rows.count == 1 + 8)  // header and the company's eight active members
            let vcf = try await b.get("/admin/interchange/export?department=\(shunda)&format=vcf").text
            #expect(vcf.components(separatedBy: "BEGIN:VCARD").count - 1 == 8)
            let template = try await b.get("/admin/interchange/template")
            #expect(Array(template.body.readableBytesView.prefix(2)) == [0x50, 0x4B])  // a zip: PK
        }
        try await f.test { b in
            try await b.signIn("物流管理员", "Admin-logistics")
            #expect(try await b.get("/admin/interchange/export?department=1&format=csv").status == .forbidden)
            #expect(try await b.get("/admin/interchange/export?department=x&format=csv").status == .badRequest)
            #expect(try await b.get("/admin/interchange/export?department=\(shunda)&format=ldif").status == .badRequest)
            #expect(try await b.get("/admin/interchange/export?department=\(f.department("教师组").rawValue)&format=csv").status == .forbidden)
            let csv = try await b.get("/admin/interchange/export?department=\(shunda)&format=csv").text
            #expect(csv.contains("w0001") && !csv.contains("t1001"))
            let page = try await b.html("/admin/interchange")
            #expect(page.contains("value=\"\(shunda)\"") && !page.contains("value=\"1\">示例组织"))
        }
    }
}
