import Directory
import Foundation
import Testing

/// The shortcuts taken for plain text (ASCII and Han) give what the general path gives.
@Suite struct FastPathTests {
    static let samples = [
        "张三", "zhangsan", "ZhangSan", "Ｒ＆Ｄ", "ＡＢＣ", "abc", "營銷", "豈", "Ⅻ", "ﬁle", "İstanbul", "ß", "Σίσυφος",
        "A->B", "㐀", "𠀀", "Café", "Cafe\u{301}", "",
    ]

    @Test(arguments: samples)
    func nameFoldingMatchesNormalisation(text: String) {
        // Foundation's NFKC and lower-casing, then the whitespace runs joined: the rule itself.
        let expected = text.precomposedStringWithCompatibilityMapping.lowercased()
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        #expect(DirectoryModel.foldName(text) == expected)
    }

    @Test func departmentNamesCompareFolded() throws {
        var model = DirectoryModel(organization: "Org")
        let ctx = CommandContext(actor: "admin", source: "test", role: .superAdmin)
        _ = try model.apply(.createDepartment(DepartmentDraft(name: "R&D", parent: .root)), by: ctx)
        _ = try model.apply(.createDepartment(DepartmentDraft(name: "豈部", parent: .root)), by: ctx)
        #expect(model.child(of: .root, named: "Ｒ＆Ｄ")?.name == "R&D")
        #expect(model.child(of: .root, named: "r&d")?.name == "R&D")
        // U+F900 is a compatibility ideograph: NFKC makes it U+8C48.
        #expect(model.child(of: .root, named: "\u{8C48}部")?.name == "豈部")
        #expect(throws: DirectoryError.self) {
            try model.apply(.createDepartment(DepartmentDraft(name: "r&d", parent: .root)), by: ctx)
        }
    }

    @Test(arguments: [
        ("张三", "张三"), (" 张三 ", "张三"), ("\u{3000}张三\u{3000}", "张三"), ("张三\n", "张三"), ("a b", "a b"),
        ("\tab", "ab"), ("ab\r\n", "ab"), ("", ""), ("   ", ""), ("a\u{00A0}", "a"),
    ])
    func trimming(input: String, expected: String) {
        #expect(input.trimmingWhitespace == expected)
    }

    @Test func aForbiddenCharacterWithACombiningMarkIsStillForbidden() throws {
        for bad in ["X->\u{301}Y", "P>\u{301}Q", "a/\u{308}b", "研发|\u{20DD}部"] {
            #expect(throws: DirectoryError.self, "\(bad.unicodeScalars.map { $0.value })") { try FieldRules.departmentName(bad) }
        }
        #expect(try FieldRules.departmentName("Cafe\u{301}") == "Cafe\u{301}")
    }

    @Test func emailRuleByBytes() throws {
        #expect(try FieldRules.memberField(.email, "a.b@example.com") == "a.b@example.com")
        for bad in ["a\u{0B}b@example.com", "张@example.com", "a,b@example.com", "a;b@x.com", "<a@b.com>", "a@b", "a b@c.com",
            "a@" + String(repeating: "b", count: 250) + ".com"]
        {
            #expect(throws: DirectoryError.self, "\(bad)") { try FieldRules.memberField(.email, bad) }
        }
    }

    @Test func invisibleCharactersStillRefused() {
        for bad in ["张\u{200B}三", "a\u{202E}b", "a\u{0001}b", "a\u{2028}b"] {
            #expect(throws: DirectoryError.self, "\(bad.unicodeScalars.map { $0.value })") { try FieldRules.memberField(.title, bad) }
        }
    }

    @Test func jsonTextReadsBackWithJSONDecoder() throws {
        let tricky = ["quote\"d", "back\\slash", "line\nbreak", "tab\t", "\u{01}\u{1F}", "张三", "😀", "a/b", "", "\r"]
        var map: [String: String] = [:]
        for (i, t) in tricky.enumerated() { map["k\(i)\(t)"] = t }
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(JSONText.object(map).utf8))
        #expect(decoded == map)
        #expect(JSONText.object(["b": "2", "a": "x\"y"]) == #"{"a":"x\"y","b":"2"}"#)
        #expect(JSONText.object([:]) == "{}")

        var changes = ChangeSet()
        changes.members = ["zhangsan", "li\"si", "王五"]
        changes.departments = [DepartmentID(2), DepartmentID(9_223_372_036_854_775_807)]
        changes.groups = ["all\\staff"]
        changes.policy = true
        #expect(try JSONDecoder().decode(ChangeSet.self, from: Data(JSONText.changes(changes).utf8)) == changes)
        #expect(try JSONDecoder().decode(ChangeSet.self, from: Data(JSONText.changes(ChangeSet()).utf8)) == ChangeSet())
    }
}
