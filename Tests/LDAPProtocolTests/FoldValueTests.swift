import Foundation
import Testing

@testable import LDAPProtocol

/// Folding a value for comparison skips the normalisation for text that is its own NFKC form
/// (ASCII and Han): the result is the rule's — NFKC, lower case, whitespace runs as one space,
/// none at the ends — for every kind of text.
@Suite struct FoldValueTests {
    static func reference(_ value: String) -> String {
        let folded = value.precomposedStringWithCompatibilityMapping.lowercased()
        let words = folded.unicodeScalars.split(whereSeparator: { $0.properties.isWhitespace })
        return words.map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    @Test(arguments: [
        "张三", "张 三", " 张三 ", "ZhangSan", "Zhang San", "张San", "R&D 部", "ＡＢＣ", "Ｒ＆Ｄ部", "豈", "㐀部", "𠀀", "Café", "Cafe\u{301}",
        "Σίσυφος", "İ", "ß", "a\u{3000}b", "张\t\t三", "",
    ])
    func foldsAsTheRuleSays(value: String) {
        #expect(DistinguishedName.foldValue(value) == Self.reference(value), "\(value.unicodeScalars.map { $0.value })")
    }
}
