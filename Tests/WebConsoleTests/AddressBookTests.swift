import Directory
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import WebConsole

@Suite struct AddressBookTests {
    let admin = CommandContext(actor: "test", source: "test")

    @Test func pagesNeedASignedInPerson() async throws {
        let f = try WebFixture()
        try await f.test { b in
            for uri in ["/", "/search?q=zs", "/org", "/people/t2001", "/people/t2001.vcf", "/people/t2001/qr.svg", "/me"] {
                let r = try await b.get(uri)
                #expect(r.status == .seeOther, "\(uri)")
                #expect(r.headers[.location]?.hasPrefix("/login") == true)
            }
        }
    }

    @Test func searchFindsByNamePinyinInitialsMobileEmailAndDepartment() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t1001", "Pw-t1001")
            #expect(accounts(in: try await b.html("/search?q=zs")) == ["t2001"])
            #expect(accounts(in: try await b.html("/search?q=zhang")) == ["t2001"])
            #expect(accounts(in: try await b.html("/search?q=zhang%20san")) == ["t2001"])
            #expect(accounts(in: try await b.html("/search?q=%E5%BC%A0")) == ["t2001"])  // 张
            #expect(accounts(in: try await b.html("/search?q=13800002001")) == ["t2001"])
            #expect(accounts(in: try await b.html("/search?q=0000200")) == ["t2002", "t2001"])  // in pinyin order
            #expect(accounts(in: try await b.html("/search?q=zhangsan%40school")) == ["t2001"])
            // 语文组: its members, whatever their names.
            #expect(Set(accounts(in: try await b.html("/search?q=%E8%AF%AD%E6%96%87"))) == ["t2001", "t2002"])
            // 曾 reads zeng in a surname.
            #expect(accounts(in: try await b.html("/search?q=zengxiaoxian")) == ["t3001"])
            #expect(try await b.html("/search?q=zzzz").contains("没有找到") == true)
            // The fragment is the results alone (for search as you type).
            let fragment = try await b.html("/search?q=zs&fragment=1")
            #expect(fragment.hasPrefix("<div id=\"results\""))
            #expect(!fragment.contains("<html"))
        }
    }

    @Test func aMemberSeesExactlyWhatTheirDepartmentsScopeAllows() async throws {
        let f = try WebFixture()
        try await f.test { b in
            // 张三 is a teacher (教师组: the whole 教师组) and in 一年级一班 (班级组: only the class).
            try await b.signIn("t2001", "Pw-t2001")
            #expect(try await b.get("/people/t3002").status == .ok)  // another teacher
            #expect(try await b.get("/people/s110101").status == .ok)  // a parent of the class
            #expect(try await b.get("/people/s110201").status == .notFound)  // a parent of another class
            #expect(try await b.get("/people/w1001").status == .notFound)  // the logistics company
            #expect(try await b.get("/people/w1001.vcf").status == .notFound)
            #expect(try await b.get("/people/w1001/qr.svg").status == .notFound)
            #expect(try await b.get("/people/nobody").status == .notFound)
            #expect(accounts(in: try await b.html("/search?q=sunli")).isEmpty)
            #expect(accounts(in: try await b.html("/search?q=137")).isEmpty)
            #expect(try await b.get("/departments/\(f.department("顺达物流").rawValue)").status == .notFound)
            let org = try await b.html("/org")
            #expect(org.contains("育才学校"))
            #expect(!org.contains("顺达物流"))
        }
    }

    @Test func aHiddenDepartmentsMemberIsInNoListCountOrSearchOfAnOutsider() async throws {
        let f = try WebFixture()
        let teachers = f.department("教师组")
        // 教师组 holds eight teachers (行政组 2, 语文组 2, 数学组 2, 英语组 1, 体艺组 1).
        let before = 8
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            #expect(try Self.headCount(try await b.html("/departments/\(teachers.rawValue)")) == before)
        }
        try f.service.execute(.createDepartment(DepartmentDraft(name: "保密组", parent: teachers, hidden: true)), by: admin)
        let secret = f.department("保密组")
        try f.service.execute(
            .createMember(account: "t9001", fields: [.name: "秘密人", .mobile: "13800009001"], departments: [secret], passwordHash: f.authenticator.hasher.hash("Pw-t9001-x")),
            by: admin)
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            #expect(try await b.get("/people/t9001").status == .notFound)
            #expect(try await b.get("/departments/\(secret.rawValue)").status == .notFound)
            #expect(accounts(in: try await b.html("/search?q=mimi")).isEmpty)
            #expect(accounts(in: try await b.html("/search?q=13800009001")).isEmpty)
            #expect(accounts(in: try await b.html("/search?q=%E4%BF%9D%E5%AF%86")).isEmpty)  // 保密
            let page = try await b.html("/departments/\(teachers.rawValue)")
            #expect(!page.contains("保密组"))
            #expect(try Self.headCount(page) == before)
            #expect((try await b.html("/az/M")).contains("t9001") == false)
        }
        try await f.test { b in
            // The member sees themselves and their department.
            try await b.signIn("t9001", "Pw-t9001-x")
            #expect(try await b.get("/people/t9001").status == .ok)
            #expect(try await b.get("/departments/\(secret.rawValue)").status == .ok)
        }
    }

    static func headCount(_ html: String) throws -> Int {
        let r = try #require(html.range(of: #"<span class="count">\d+"#, options: .regularExpression))
        return Int(html[r].dropFirst(#"<span class="count">"#.count))!
    }

    @Test func aScriptAsANameRendersAsText() async throws {
        let f = try WebFixture()
        let chinese = f.department("语文组")
        try f.service.execute(
            .createMember(account: "x1", fields: [.name: "<script>alert(1)</script>", .title: "\"><img src=x onerror=alert(2)>", .email: "x1@school.example.com"], departments: [chinese], passwordHash: nil),
            by: admin)
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            for uri in ["/people/x1", "/search?q=x1%40", "/departments/\(chinese.rawValue)", "/search?q=%3Cscript%3E"] {
                let html = try await b.html(uri)
                #expect(!html.contains("<script>alert(1)"), "\(uri)")
                #expect(!html.contains("<img src=x"), "\(uri)")
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(uri)")
            }
            let card = try await b.html("/people/x1")
            #expect(card.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
        }
    }

    @Test func theTreeShowsDirectAndSubtreeCountsInTheDirectorysOrder() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let org = try await b.html("/org")
            // 育才学校 (order 1) before 顺达物流 (order 2).
            let school = try #require(org.range(of: "育才学校")), company = try #require(org.range(of: "顺达物流"))
            #expect(school.lowerBound < company.lowerBound)
            // 管理层: 李专成 (pinned) before 周海涛.
            let management = try await b.html("/departments/\(f.department("管理层").rawValue)")
            let list = try #require(management.range(of: "<ul class=\"people\">"))
            #expect(accounts(in: String(management[list.lowerBound...])) == ["w0001", "w0002"])
            // 网点: 6 people in three depots, none directly.
            let depots = try await b.html("/departments/\(f.department("网点").rawValue)")
            #expect(try Self.headCount(depots) == 6)
            #expect(depots.contains("title=\"直属 2\"><span class=\"subtree\">2</span>"))
            #expect(depots.contains("<span class=\"direct\"> · 直属 2</span>"))
            // 网点 itself has nobody directly: no direct count on its own row.
            let logistics = try await b.html("/departments/\(f.department("顺达物流").rawValue)")
            #expect(logistics.contains("title=\"直属 0\"><span class=\"subtree\">6</span> 人</span>"))
        }
    }

    @Test func theCardShowsVisibleFieldsWithLinksAndTheLeader() async throws {
        let f = try WebFixture()
        try f.service.execute(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: false)), by: admin)
        try await f.test { b in
            try await b.signIn("t1002", "Pw-t1002")
            let card = try await b.html("/people/t1001")
            #expect(card.contains("data-account=\"t1001\""))
            #expect(card.contains("<a href=\"mailto:wangjianguo@school.example.com\">"))
            #expect(!card.contains("13800001001"))  // mobile not shown to others
            #expect(card.contains("校长"))
            // 李秀英's leader is 王建国 (行政组's leader).
            let mine = try await b.html("/people/t1002")
            #expect(mine.contains("13800001002"))  // one's own entry shows everything
            #expect(mine.contains("data-field=\"leader\""))
            #expect(mine.contains("href=\"/people/t1001\" data-account=\"t1001\""))
            #expect(mine.contains("<a href=\"tel:13800001002\">"))
        }
    }

    @Test func theVCardHasTheVisibleFields() async throws {
        let f = try WebFixture()
        try f.service.execute(.setFieldPolicy(.email, FieldPolicy.Rule(shown: false, selfEditable: false)), by: admin)
        try await f.test { b in
            try await b.signIn("t2002", "Pw-t2002")
            let r = try await b.get("/people/t2001.vcf")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/vcard; charset=utf-8")
            #expect(r.headers[.contentDisposition] == "attachment; filename=\"t2001.vcf\"")
            let text = r.text
            #expect(text.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:张三\r\nN:张;三;;;\r\n"))
            #expect(text.contains("\r\nTEL;TYPE=cell:13800002001\r\n"))
            #expect(text.contains("\r\nORG:"))
            #expect(!text.contains("EMAIL"))
            #expect(text.hasSuffix("END:VCARD\r\n"))
            let svg = try await b.get("/people/t2001/qr.svg")
            #expect(svg.headers[.contentType] == "image/svg+xml")
            #expect(svg.text.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        }
    }

    @Test func theAZIndexFilesBySurnameInitial() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("admin", "secret")
            let z = accounts(in: try await b.html("/az/Z"))
            // 张三, 曾小贤 (zeng), 赵强, 周博文, 周海涛, 郑浩 — and not 单雄信 (shan).
            #expect(Set(z) == ["t2001", "t3001", "t5001", "s120101", "w0002", "w2002"])
            #expect(accounts(in: try await b.html("/az/S")).contains("t3002"))
            #expect(accounts(in: try await b.html("/az/O")) == ["t2002"])  // 欧阳
            #expect(try await b.get("/az/%3C").status == .notFound)
            // Found by review: the `#` bucket (names not starting with a Latin or Han letter)
            // was always 404, so such members were in no list.
            try f.service.execute(
                .createMember(account: "odd1", fields: [.name: "<b>bold</b>", .email: "odd1@example.com"], departments: [f.department("育才学校")], passwordHash: nil),
                by: CommandContext(actor: "test", source: "test"))
            #expect(accounts(in: try await b.html("/az/%23")) == ["odd1"])
        }
    }

    /// Found by review: the search button sends the form encoding (`+` for a space), and
    /// `zhang+san` found nobody; a `%2B` is a plus.
    @Test func theSearchFormsEncodingIsRead() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            #expect(accounts(in: try await b.html("/search?q=zhang+san")) == ["t2001"])
            #expect(accounts(in: try await b.html("/search?x=1&q=zhang+san&q=other")) == ["t2001"])
            #expect(accounts(in: try await b.html("/search?q=%2Bzhang")) == [])
        }
    }

    /// Found by review: a form over the limit got 500 after all of it was read.
    @Test func aFormOverTheLimitIs413() async throws {
        let f = try WebFixture()
        try await f.test { b in
            try await b.signIn("t2001", "Pw-t2001")
            let r = try await b.post("/me", [("nickname", String(repeating: "a", count: 200_000))])
            #expect(r.status == .contentTooLarge)
            // It says what is wrong (found by review: the page said 请求无效, "bad request").
            #expect(r.text.contains("提交的内容太大"), "\(r.text.prefix(300))")
        }
    }
}
