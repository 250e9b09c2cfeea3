@testable import Directory
import Testing

/// The transliteration cache (an import computed each new member's pinyin twice, once in its
/// plan and once when applying): a remembered name gives what transliterating it gives.
@Suite struct PinyinCacheTests {
    @Test func aRememberedNameGivesTheTransliteration() {
        let names = ["张三", "曾志伟", "单田芳", "尉迟恭", "欧阳娜娜", "Ada Lovelace", "李 四", "王五1", "", "长孙无忌", "乐嘉"]
        for name in names {
            let first = PinyinName(name)
            let again = PinyinName(name)
            let fresh = PinyinName(transliterating: name)
            #expect(first == fresh, "\(name)")
            #expect(again == fresh, "\(name)")
        }
        #expect(PinyinName("曾志伟").spaced == "zeng zhi wei", "a surname's special reading survives the cache")
    }

    @Test func theCacheIsBounded() {
        for i in 0..<(Pinyin.cacheLimit + 10) { Pinyin.remember("名\(i)", PinyinName(spaced: "ming \(i)")) }
        #expect(Pinyin.cachedCount <= Pinyin.cacheLimit)
        #expect(PinyinName("张三") == PinyinName(transliterating: "张三"))
    }
}
