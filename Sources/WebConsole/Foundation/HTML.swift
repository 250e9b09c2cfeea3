/// A fragment of HTML, escaped by construction: the literal parts of an `HTML` string literal are
/// markup written in the code; every interpolated `String` is escaped (`& < > " '`), and only
/// another `HTML` value is inserted as it is. Nothing that came from a user or the directory can
/// become markup.
public struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    public private(set) var markup: String

    public init(stringLiteral value: StaticString) { markup = value.description }

    public init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    /// The empty fragment.
    public static let empty = HTML(markup: "")

    private init(markup: String) { self.markup = markup }

    public var description: String { markup }

    /// Escapes text for an element's content or a quoted attribute value.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Joins fragments.
    public static func join(_ parts: some Sequence<HTML>, separator: HTML = .empty) -> HTML {
        var out = ""
        var first = true
        for p in parts {
            if !first { out += separator.markup }
            out += p.markup
            first = false
        }
        return HTML(markup: out)
    }

    /// Appends another fragment.
    public static func + (a: HTML, b: HTML) -> HTML { HTML(markup: a.markup + b.markup) }

    /// Appends another fragment in place.
    public static func += (a: inout HTML, b: HTML) { a.markup += b.markup }

    /// Builds the markup of an `HTML` literal.
    public struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }

        /// Markup written in the code.
        public mutating func appendLiteral(_ literal: StaticString) { markup += literal.description }

        /// Text: escaped.
        public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        /// Text: escaped (substrings, numbers…).
        public mutating func appendInterpolation(_ value: some CustomStringConvertible) { markup += HTML.escape(value.description) }

        /// A fragment: inserted as it is.
        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        /// Fragments: inserted one after the other.
        public mutating func appendInterpolation(_ list: [HTML]) { for h in list { markup += h.markup } }

        /// An optional fragment: nothing when nil.
        public mutating func appendInterpolation(_ html: HTML?) { if let html { markup += html.markup } }
    }
}
