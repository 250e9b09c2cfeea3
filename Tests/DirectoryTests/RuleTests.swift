import Directory
import Testing

@Suite struct FieldRuleTests {
    @Test(arguments: [
        ("", "account: account is required"),
        ("_abc", "account: _abc must start with a letter or digit"),
        ("a b", "account: a b may contain only letters, digits and _ - . @"),
        ("张三", "account: 张三 may contain only letters, digits and _ - . @"),
        (String(repeating: "a", count: 65), "account: \(String(repeating: "a", count: 65)) is longer than 64 characters"),
    ])
    func accountRule(input: String, message: String) {
        #expect(throws: DirectoryError.self) { try Account(parsing: input) }
        do { _ = try Account(parsing: input) } catch { #expect(error.message == message) }
    }

    @Test func accountsCompareIgnoringCase() throws {
        #expect(try Account(parsing: "ZhangSan.001@x") == Account(parsing: "zhangsan.001@X"))
        #expect(try Account(parsing: "ZhangSan").value == "ZhangSan")
    }

    @Test func displayWidthCountsCJKAsTwo() {
        #expect(FieldRules.displayWidth("营销中心") == 8)
        #expect(FieldRules.displayWidth("R&D 部") == 6)
        #expect(FieldRules.displayWidth("ＡＢ") == 4)
    }

    @Test func departmentNames() throws {
        #expect(try FieldRules.departmentName(String(repeating: "部", count: 25)) == String(repeating: "部", count: 25))
        #expect(throws: DirectoryError.self) { try FieldRules.departmentName(String(repeating: "部", count: 25) + "x") }
        for bad in ["a/b", "a\\b", "a:b", "a*b", "a?b", "a\"b", "a<b", "a>b", "a|b", "a->b", "  "] {
            #expect(throws: DirectoryError.self) { try FieldRules.departmentName(bad) }
        }
    }

    /// Found by review: NUL in a name or title, department names with a newline, a zero-width
    /// space or a right-to-left override, and ＡＢＣ beside abc were all accepted.
    @Test func controlAndInvisibleCharactersAreRefused() throws {
        for bad in ["销售\n部", "销售\u{200B}部", "销售\u{202E}部", "销售\u{0}部"] {
            #expect(throws: DirectoryError.self) { try FieldRules.departmentName(bad) }
        }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.name, "张\u{0}三") }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.title, "经理\n总监") }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.remarks, "备注\u{202E}") }
        #expect(try FieldRules.memberField(.address, "北京市\n朝阳区") == "北京市\n朝阳区", "an address may have line breaks")
        var m = DirectoryModel(organization: "示例")
        #expect(m.run(.createDepartment(DepartmentDraft(name: "abc", parent: .root))) == nil)
        #expect(m.run(.createDepartment(DepartmentDraft(name: "ＡＢＣ", parent: .root)))?.contains("already has a sub-department named abc") == true)
    }

    @Test func wechatRuleSaysAnAllDigitValueIsAMobile() throws {
        do {
            _ = try FieldRules.memberField(.wechat, "13800138000")
            Issue.record("accepted")
        } catch {
            #expect(error.message == "wechat: 13800138000 is all digits; a WeChat id starts with a letter — this looks like a mobile number, put it in the mobile field")
        }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.wechat, "1abcdef") }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.wechat, "abc") }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.wechat, "abc def") }
        #expect(try FieldRules.memberField(.wechat, "zhang_san-01") == "zhang_san-01")
    }

    @Test func mobilesAreKeptExactlyAsWritten() throws {
        #expect(try FieldRules.memberField(.mobile, "+86 138-0013-8000") == "+86 138-0013-8000")
        #expect(try FieldRules.memberField(.mobile, "013800138000") == "013800138000")
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.mobile, "1.38001380E10") }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.mobile, "138") }
    }

    @Test func otherFields() throws {
        #expect(try FieldRules.memberField(.email, "a.b@example.com") == "a.b@example.com")
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.email, "a@b") }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.email, "a b@c.com") }
        #expect(try FieldRules.memberField(.birthday, "2000-02-29") == "2000-02-29")
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.birthday, "2001-02-29") }
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.hireDate, "2020/01/01") }
        #expect(try FieldRules.memberField(.lunarBirthday, "08-15") == "08-15")
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.lunarBirthday, "13-01") }
        #expect(try FieldRules.memberField(.gender, "female") == "女")
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.qq, "0123") }
        #expect(try FieldRules.memberField(.birthdayReminder, "农历") == "lunar")
        #expect(throws: DirectoryError.self) { try FieldRules.memberField(.name, "  ") }
    }

    @Test func pinyinUsesSurnameReadings() {
        #expect(PinyinName("张三").spaced == "zhang san")
        #expect(PinyinName("张三").initials == "zs")
        #expect(PinyinName("曾小贤").compact == "zengxiaoxian")
        #expect(PinyinName("单雄信").compact == "shanxiongxin")
        #expect(PinyinName("解小东").compact.hasPrefix("xie"))
        #expect(PinyinName("尉迟恭").compact == "yuchigong")
        #expect(PinyinName("欧阳娜娜").initials == "oynn")
        #expect(PinyinName("John Smith").compact == "johnsmith")
    }

    @Test func namesSplitIntoSurnameAndGivenName() {
        #expect(NameParts("欧阳娜娜").surname == "欧阳")
        #expect(NameParts("司马光").givenName == "光")
        #expect(NameParts("张三").surname == "张")
        #expect(NameParts("John Ronald Smith").surname == "Smith")
    }
}
