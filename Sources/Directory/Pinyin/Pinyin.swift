import Foundation
import Synchronization

/// The pinyin forms of a Chinese name, used to match `(cn=zhang*)` and `(cn=zs)` and to sort.
public struct PinyinName: Sendable, Hashable {
    /// Syllables separated by spaces, tone marks stripped: `zhang san`.
    public var spaced: String
    /// Syllables run together: `zhangsan`.
    public var compact: String
    /// First letters: `zs`.
    public var initials: String

    /// Computes the forms of `name`; a name without Han characters yields its own lower-cased
    /// form. Surnames with a special reading (曾 zeng, 单 shan, 尉迟 yuchi …) use that reading.
    public init(_ name: String) {
        if let known = Pinyin.remembered(name) {
            self = known
            return
        }
        self.init(transliterating: name)
        Pinyin.remember(name, self)
    }

    /// Computes the forms (ICU's transliteration: tens of microseconds a name).
    init(transliterating name: String) {
        var syllables: [String] = []
        var rest = Substring(name)
        // Surname readings first (two-character compound surnames before single ones).
        if let (prefix, reading) = Pinyin.specialSurname(of: rest) {
            syllables.append(contentsOf: reading)
            rest = rest.dropFirst(prefix)
        }
        syllables.append(contentsOf: Pinyin.syllables(of: String(rest)))
        spaced = syllables.joined(separator: " ")
        compact = syllables.joined()
        initials = String(syllables.compactMap(\.first))
    }
}

extension PinyinName {
    /// Rebuilds the forms from a stored spaced form (`zhang san`), without transliterating.
    public init(spaced: String) {
        let syllables = spaced.split(separator: " ")
        self.spaced = spaced
        compact = syllables.joined()
        initials = String(syllables.compactMap(\.first))
    }
}

/// Mandarin → Latin transliteration with the surname table.
public enum Pinyin {
    /// Names already transliterated (names repeat across an organisation; an import computes its
    /// new members' pinyin ahead, on all cores). At most `cacheLimit` names, more while an import
    /// reserves room (``remembering(atLeast:_:)``); emptied when full.
    private static let cache = Mutex<Cache>(Cache())
    static let cacheLimit = 65_536

    private struct Cache {
        var names: [String: PinyinName] = [:]
        /// The room imports under way reserved.
        var reserved: [Int] = []
        var limit: Int { Pinyin.cacheLimit + reserved.reduce(0, +) }
    }

    static func remembered(_ name: String) -> PinyinName? { cache.withLock { $0.names[name] } }

    static var cachedCount: Int { cache.withLock { $0.names.count } }

    static func remember(_ name: String, _ pinyin: PinyinName) {
        guard name.utf8.count <= 256 else { return }
        cache.withLock { c in
            if c.names.count >= c.limit && c.names[name] == nil { c.names.removeAll(keepingCapacity: true) }
            c.names[name] = pinyin
        }
    }

    /// Transliterates `names`, in order, on the other cores while `body` runs, and remembers
    /// them, with room for all of them until `body` returns: an import's new members, whose
    /// writes (one by one, under the write lock) then find their pinyin ready. A name not ready
    /// yet is computed by its write as any other.
    public static func remembering<T, E: Error>(_ names: [String], _ body: () throws(E) -> T) throws(E) -> T {
        var seen = Set<String>()
        let unique = names.filter { $0.utf8.count <= 256 && seen.insert($0).inserted }
        guard !unique.isEmpty else { return try body() }
        cache.withLock { $0.reserved.append(unique.count) }
        let stop = Atomic<Bool>(false)
        let done = DispatchGroup()
        let chunks = (unique.count + 255) / 256
        DispatchQueue.global().async(group: done) {
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                guard !stop.load(ordering: .relaxed) else { return }
                let range = (chunk * 256)..<min(unique.count, chunk * 256 + 256)
                let computed = range.compactMap { i in remembered(unique[i]) == nil ? (unique[i], PinyinName(transliterating: unique[i])) : nil }
                cache.withLock { c in for (name, p) in computed { c.names[name] = p } }
            }
        }
        defer {
            stop.store(true, ordering: .relaxed)
            done.wait()
            cache.withLock { c in
                if let i = c.reserved.firstIndex(of: unique.count) { c.reserved.remove(at: i) }
                if c.names.count > c.limit { c.names.removeAll(keepingCapacity: false) }
            }
        }
        return try body()
    }

    /// Surnames whose reading differs from the character's most common one.
    static let surnames: [String: [String]] = [
        "尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "单于": ["chan", "yu"], "长孙": ["zhang", "sun"],
        "澹台": ["tan", "tai"], "令狐": ["ling", "hu"], "欧阳": ["ou", "yang"], "司马": ["si", "ma"],
        "曾": ["zeng"], "单": ["shan"], "解": ["xie"], "仇": ["qiu"], "区": ["ou"], "朴": ["piao"],
        "查": ["zha"], "盖": ["ge"], "乐": ["yue"], "覃": ["qin"], "缪": ["miao"], "繁": ["po"],
        "尉": ["yu"], "秘": ["bi"], "种": ["chong"], "翟": ["zhai"], "员": ["yun"], "长": ["zhang"],
        "重": ["chong"], "燕": ["yan"], "沈": ["shen"], "召": ["shao"], "厍": ["she"], "蕃": ["pi"],
        "华": ["hua"], "任": ["ren"], "宓": ["fu"], "黑": ["he"], "句": ["gou"], "阚": ["kan"],
    ]

    static func specialSurname(of name: Substring) -> (Int, [String])? {
        if name.count >= 2, let r = surnames[String(name.prefix(2))] { return (2, r) }
        if let first = name.first, let r = surnames[String(first)] { return (1, r) }
        return nil
    }

    /// Lower-case, tone-free syllables of `text`; runs of non-Han letters stay one word.
    public static func syllables(of text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        guard text.unicodeScalars.contains(where: isHan) else {
            return text.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
        }
        let latin = text.applyingTransform(.mandarinToLatin, reverse: false) ?? text
        let plain = latin.applyingTransform(.stripDiacritics, reverse: false) ?? latin
        return plain.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// Whether a scalar is a CJK unified ideograph.
    public static func isHan(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF: return true
        default: return false
        }
    }
}
