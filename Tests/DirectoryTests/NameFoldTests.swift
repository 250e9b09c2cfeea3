@testable import Directory
import Testing

/// Names are compared compatibility-normalised and lower-cased; folding is idempotent by bytes
/// (the prefix index compares bytes): `İ` before a combining mark lower-cases to marks out of
/// canonical order, which one more round of NFKC reorders (the DN fold had the same fault,
/// found by fuzzing).
@Suite struct NameFoldTests {
    @Test(arguments: ["İ\u{317}", "Ａİ\u{316}\u{301}", "ℌİ\u{317}x", "i\u{307}\u{317}", "张İ\u{317}三", "ＡＢＣ", "Zhang San"])
    func foldingTwiceChangesNoByte(name: String) {
        let once = name.compatibilityFolded
        let twice = once.compatibilityFolded
        #expect(Array(once.utf8) == Array(twice.utf8), "\(Array(once.unicodeScalars)) vs \(Array(twice.unicodeScalars))")
    }

    @Test func theKnownCaseFoldsToCanonicalOrder() {
        // U+0317 (class 220) before U+0307 (class 230).
        #expect(Array("İ\u{317}".compatibilityFolded.unicodeScalars).map(\.value) == [0x69, 0x317, 0x307])
        #expect("ＡＢＣ".compatibilityFolded == "abc")
    }
}
