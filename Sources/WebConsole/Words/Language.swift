public import Directory
import Foundation

/// The languages the web console speaks: Chinese first (the default), English too.
public enum Language: String, Sendable, Hashable, CaseIterable {
    case zh, en

    /// The language of the request being answered (set by the session middleware), for the
    /// pieces of a page built without its context at hand (a domain error's message).
    @TaskLocal public static var current: Language = .zh

    /// The word table of the language (one table per language: `Words+zh.swift`, `Words+en.swift`).
    public var words: Words { Words(language: self) }

    /// The `lang` attribute of pages.
    var htmlTag: String { self == .zh ? "zh-CN" : "en" }

    /// The language a request asks for: `?lang=` first, then the `lang` cookie, then the first
    /// language of `Accept-Language` this console speaks, then Chinese.
    static func negotiate(query: String?, cookie: String?, acceptLanguage: String?) -> Language {
        if let q = query.flatMap(Language.init(rawValue:)) { return q }
        if let c = cookie.flatMap(Language.init(rawValue:)) { return c }
        guard let header = acceptLanguage else { return .zh }
        // `en-US,en;q=0.9,zh;q=0.8`: by quality, then order.
        var choices: [(Language, Double, Int)] = []
        for (i, part) in header.split(separator: ",").prefix(32).enumerated() {
            let pieces = part.split(separator: ";")
            guard let tag = pieces.first?.trimmingCharacters(in: .whitespaces).lowercased() else { continue }
            var q = 1.0
            for p in pieces.dropFirst() {
                let kv = p.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix("q="), let v = Double(kv.dropFirst(2)) { q = v }
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            if let l = Language(rawValue: primary), q > 0 { choices.append((l, q, i)) }
        }
        return choices.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }.first?.0 ?? .zh
    }
}

/// The words of one language, looked up by ``Word``.
public struct Words: Sendable {
    public let language: Language

    /// The text of a word in this language (the Chinese one when this table lacks it).
    public subscript(_ word: Word) -> String {
        switch language {
        case .zh: return Words.zh[word] ?? word.rawValue
        case .en: return Words.en[word] ?? Words.zh[word] ?? word.rawValue
        }
    }

    /// The label of a member field.
    public func field(_ field: Directory.MemberField) -> String {
        switch language {
        case .zh: return Words.zhFields[field] ?? field.rawValue
        case .en: return Words.enFields[field] ?? field.rawValue
        }
    }
}
