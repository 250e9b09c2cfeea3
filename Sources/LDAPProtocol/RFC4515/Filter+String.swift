/// A parse failure of a filter string (RFC 4515).
public struct FilterSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The string that failed to parse.
    public var input: String
    /// What rule it broke, with the offset.
    public var reason: String

    public var description: String { "invalid filter \"\(input)\": \(reason)" }
}

extension Filter {
    /// Parses the string form of a filter (RFC 4515 §3).
    ///
    /// Accepts a filter without its outer parentheses (`uid=x`) as OpenLDAP's tools do.
    /// - Parameters:
    ///   - string: the filter.
    ///   - maxDepth: deepest and/or/not nesting accepted.
    /// - Throws: ``FilterSyntaxError``.
    public init(parsing string: String, maxDepth: Int = 64) throws(FilterSyntaxError) {
        var p = FilterParser(bytes: Array(string.utf8), input: string, maxDepth: maxDepth)
        let trimmed = string.utf8.first == UInt8(ascii: "(")
        if trimmed {
            self = try p.parseFilter(depth: 0)
        } else {
            self = try p.parseItem(end: p.bytes.count)
            p.i = p.bytes.count
        }
        guard p.i == p.bytes.count else { throw p.fail("unexpected text after the filter") }
    }

    /// The RFC 4515 string form, with `*`, `(`, `)`, `\`, NUL and invalid UTF-8 escaped as `\XX`.
    public var description: String {
        switch self {
        case .and(let items): return "(&" + items.map(\.description).joined() + ")"
        case .or(let items): return "(|" + items.map(\.description).joined() + ")"
        case .not(let inner): return "(!" + inner.description + ")"
        case .equalityMatch(let a): return "(\(a.attribute)=\(Filter.escape(a.value)))"
        case .greaterOrEqual(let a): return "(\(a.attribute)>=\(Filter.escape(a.value)))"
        case .lessOrEqual(let a): return "(\(a.attribute)<=\(Filter.escape(a.value)))"
        case .approxMatch(let a): return "(\(a.attribute)~=\(Filter.escape(a.value)))"
        case .present(let attr): return "(\(attr)=*)"
        case .substrings(let f):
            var s = "(\(f.attribute)="
            if let initial = f.initial { s += Filter.escape(initial) }
            s += "*"
            for a in f.any { s += Filter.escape(a) + "*" }
            if let final = f.final { s += Filter.escape(final) }
            return s + ")"
        case .extensibleMatch(let m):
            var s = "(" + (m.attribute ?? "")
            if m.dnAttributes { s += ":dn" }
            if let rule = m.matchingRule { s += ":" + rule }
            return s + ":=" + Filter.escape(m.value) + ")"
        }
    }

    /// Escapes an assertion value (RFC 4515 §3).
    public static func escape(_ value: [UInt8]) -> String {
        let special: Set<UInt8> = [0x2A, 0x28, 0x29, 0x5C, 0x00]
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        let valid = String(validating: value, as: UTF8.self) != nil
        for b in value {
            if special.contains(b) || (!valid && b >= 0x80) {
                out.append(0x5C)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Filter: CustomStringConvertible {}

private struct FilterParser {
    let bytes: [UInt8]
    let input: String
    let maxDepth: Int
    var i = 0

    func fail(_ reason: String) -> FilterSyntaxError { FilterSyntaxError(input: input, reason: "\(reason) at offset \(i)") }

    mutating func expect(_ c: Character) throws(FilterSyntaxError) {
        guard i < bytes.count, bytes[i] == c.asciiValue! else { throw fail("'\(c)' expected") }
        i += 1
    }

    /// Parses `(…)`; `depth` is how many and/or/not enclose it. Like the BER decoder, the limit
    /// counts the operators: `maxDepth` of them may nest, whether the innermost holds an item or
    /// is an empty `(&)` or `(|)`.
    mutating func parseFilter(depth: Int) throws(FilterSyntaxError) -> Filter {
        try expect("(")
        guard i < bytes.count else { throw fail("filter cut off") }
        let result: Filter
        switch bytes[i] {
        case UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "!"):
            guard depth < maxDepth else { throw fail("filter nested deeper than \(maxDepth) levels of and/or/not") }
            let op = bytes[i]
            i += 1
            switch op {
            case UInt8(ascii: "&"): result = .and(try parseList(depth: depth))
            case UInt8(ascii: "|"): result = .or(try parseList(depth: depth))
            default: result = .not(try parseFilter(depth: depth + 1))
            }
        default:
            // An item runs to the next unescaped ')'; escapes are two hex digits, never ')'.
            var end = i
            while end < bytes.count && bytes[end] != UInt8(ascii: ")") {
                if bytes[end] == UInt8(ascii: "(") { i = end; throw fail("unescaped '(' in a value") }
                end += 1
            }
            guard end < bytes.count else { throw fail("')' expected") }
            result = try parseItem(end: end)
            i = end
        }
        try expect(")")
        return result
    }

    mutating func parseList(depth: Int) throws(FilterSyntaxError) -> [Filter] {
        var items: [Filter] = []
        while i < bytes.count && bytes[i] == UInt8(ascii: "(") { items.append(try parseFilter(depth: depth + 1)) }
        return items
    }

    /// Parses `attr op value` in bytes[i..<end].
    mutating func parseItem(end: Int) throws(FilterSyntaxError) -> Filter {
        let item = bytes[i..<end]
        if let bad = item.firstIndex(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") }) {
            i = bad
            throw fail("unescaped '\(Character(Unicode.Scalar(item[bad])))' in a filter item")
        }
        guard let eq = item.firstIndex(of: UInt8(ascii: "=")) else { throw fail("'=' expected in a filter item") }
        var lhsEnd = eq
        var op: UInt8 = UInt8(ascii: "=")
        if eq > item.startIndex, [UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "<"), UInt8(ascii: ":")].contains(item[eq - 1]) {
            op = item[eq - 1]
            lhsEnd = eq - 1
        }
        let lhs = String(decoding: item[item.startIndex..<lhsEnd], as: UTF8.self)
        let rhs = item[(eq + 1)...]
        if op == UInt8(ascii: ":") { return try parseExtensible(lhs, rhs) }
        try checkAttribute(lhs)
        switch op {
        case UInt8(ascii: "~"): return .approxMatch(AttributeValueAssertion(lhs, try unescape(rhs)))
        case UInt8(ascii: ">"): return .greaterOrEqual(AttributeValueAssertion(lhs, try unescape(rhs)))
        case UInt8(ascii: "<"): return .lessOrEqual(AttributeValueAssertion(lhs, try unescape(rhs)))
        default: break
        }
        if rhs.count == 1 && rhs.first == UInt8(ascii: "*") { return .present(lhs) }
        guard rhs.contains(UInt8(ascii: "*")) else { return .equalityMatch(AttributeValueAssertion(lhs, try unescape(rhs))) }
        let parts = rhs.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false)
        var f = SubstringFilter(lhs)
        if let first = parts.first, !first.isEmpty { f.initial = try unescape(first) }
        if parts.count > 2 {
            for middle in parts[1..<(parts.count - 1)] {
                guard !middle.isEmpty else { throw fail("empty substring between two '*'") }
                f.any.append(try unescape(middle))
            }
        }
        if let last = parts.last, !last.isEmpty { f.final = try unescape(last) }
        return .substrings(f)
    }

    mutating func parseExtensible(_ lhs: String, _ rhs: ArraySlice<UInt8>) throws(FilterSyntaxError) -> Filter {
        // attr [":dn"] [":" matchingrule] ":=" value  /  [":dn"] ":" matchingrule ":=" value
        let parts = lhs.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var m = MatchingRuleAssertion(value: try unescape(rhs))
        guard let first = parts.first else { throw fail("malformed extensible match") }
        if !first.isEmpty {
            try checkAttribute(first)
            m.attribute = first
        }
        var rest = parts.dropFirst()
        if rest.first?.lowercased() == "dn" {
            m.dnAttributes = true
            rest = rest.dropFirst()
        }
        if let rule = rest.first {
            guard !rule.isEmpty else { throw fail("empty matching rule") }
            m.matchingRule = rule
            rest = rest.dropFirst()
        }
        guard rest.isEmpty, m.attribute != nil || m.matchingRule != nil else {
            throw fail("malformed extensible match")
        }
        return .extensibleMatch(m)
    }

    func checkAttribute(_ attr: String) throws(FilterSyntaxError) {
        guard let first = attr.utf8.first else { throw fail("attribute description missing") }
        let ok = attr.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E || c == 0x3B
        }
        let startsWell = (first >= 0x30 && first <= 0x39) || (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A)
        guard ok && startsWell else { throw fail("invalid attribute description \"\(attr)\"") }
    }

    func unescape(_ s: ArraySlice<UInt8>) throws(FilterSyntaxError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var j = s.startIndex
        while j < s.endIndex {
            let c = s[j]
            if c == UInt8(ascii: "\\") {
                guard j + 2 < s.endIndex, let hi = hex(s[j + 1]), let lo = hex(s[j + 2])
                else { throw fail("'\\' must be followed by two hex digits") }
                out.append(hi << 4 | lo)
                j += 3
            } else {
                out.append(c)
                j += 1
            }
        }
        return out
    }

    func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
