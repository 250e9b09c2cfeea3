import BER
import Foundation

/// A parse failure of a DN string (RFC 4514), with the offending position.
public struct DNSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The string that failed to parse.
    public var input: String
    /// What rule it broke.
    public var reason: String

    public var description: String { "invalid DN \"\(input)\": \(reason)" }
}

/// One `type=value` pair of an RDN (RFC 4514 §3).
public struct AttributeTypeAndValue: Sendable, Hashable {
    /// The attribute type as written (a descriptor or a numeric OID).
    public var type: String
    /// The value, unescaped.
    public var value: String

    /// - Parameters:
    ///   - type: the attribute type.
    ///   - value: the unescaped value.
    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }

    /// The type in the canonical, lower-case descriptor form used for comparison.
    public var normalizedType: String { DistinguishedName.canonicalType(type) }

    /// The value folded for caseIgnoreMatch: compatibility-normalised (NFKC), lower-cased, inner
    /// runs of spaces collapsed and outer spaces dropped (RFC 4518 in simplified form).
    public var normalizedValue: String { DistinguishedName.foldValue(value) }
}

/// A relative distinguished name: one or more pairs joined with `+`.
public struct RelativeDistinguishedName: Sendable, Hashable, CustomStringConvertible {
    public var attributes: [AttributeTypeAndValue]

    /// - Parameter attributes: at least one pair.
    public init(_ attributes: [AttributeTypeAndValue]) { self.attributes = attributes }

    /// A single-valued RDN.
    public init(type: String, value: String) { self.attributes = [AttributeTypeAndValue(type: type, value: value)] }

    /// The RFC 4514 string form.
    public var description: String {
        attributes.map { "\($0.type)=\(DistinguishedName.escape($0.value))" }.joined(separator: "+")
    }

    /// The normalised form: canonical types, folded values, pairs sorted by type.
    public var normalized: String {
        attributes.map { "\($0.normalizedType)=\(DistinguishedName.escape($0.normalizedValue))" }.sorted()
            .joined(separator: "+")
    }
}

/// A distinguished name (RFC 4514), leaf RDN first.
///
/// Parsing accepts what RFC 4514 generates plus what OpenLDAP accepts from older clients: spaces
/// around separators and `;` between RDNs (RFC 2253 §4). Values may be escaped with `\c` or `\XX`
/// (UTF-8 bytes), or given as `#` followed by the hex of a BER-encoded string.
public struct DistinguishedName: Sendable, Hashable, CustomStringConvertible {
    public var rdns: [RelativeDistinguishedName]

    /// - Parameter rdns: the RDNs, leaf first.
    public init(_ rdns: [RelativeDistinguishedName]) { self.rdns = rdns }

    /// The empty DN (the rootDSE).
    public static let root = DistinguishedName([])

    /// Whether this is the empty DN.
    public var isRoot: Bool { rdns.isEmpty }

    /// The DN one level up, or nil for the root.
    public var parent: DistinguishedName? { rdns.isEmpty ? nil : DistinguishedName(Array(rdns.dropFirst())) }

    /// The leaf RDN.
    public var rdn: RelativeDistinguishedName? { rdns.first }

    /// This DN with `rdn` prepended.
    public func child(_ rdn: RelativeDistinguishedName) -> DistinguishedName {
        DistinguishedName([rdn] + rdns)
    }

    /// The RFC 4514 string form.
    public var description: String { rdns.map(\.description).joined(separator: ",") }

    /// A normalised form: two DNs name the same entry exactly when their normalised forms are equal.
    public var normalized: String { rdns.map(\.normalized).joined(separator: ",") }

    /// Whether `self` lies at or below `ancestor` (compared in normalised form).
    public func isWithin(_ ancestor: DistinguishedName) -> Bool {
        guard rdns.count >= ancestor.rdns.count else { return false }
        let offset = rdns.count - ancestor.rdns.count
        for i in 0..<ancestor.rdns.count where rdns[offset + i].normalized != ancestor.rdns[i].normalized {
            return false
        }
        return true
    }

    // MARK: - Parsing

    /// Parses an RFC 4514 string.
    ///
    /// A NUL anywhere (raw or escaped as `\00`) and U+FFFD (the decoding of bytes that were not
    /// UTF-8) are refused, so such a name gets invalidDNSyntax on every operation.
    /// - Throws: ``DNSyntaxError`` naming the rule broken.
    public init(parsing string: String) throws(DNSyntaxError) {
        var p = Parser(bytes: Array(string.utf8), input: string)
        self.rdns = try p.parseDN()
    }

    private struct Parser {
        let bytes: [UInt8]
        let input: String
        var i = 0

        func fail(_ reason: String) -> DNSyntaxError { DNSyntaxError(input: input, reason: reason) }

        mutating func skipSpaces() { while i < bytes.count && bytes[i] == 0x20 { i += 1 } }

        mutating func parseDN() throws(DNSyntaxError) -> [RelativeDistinguishedName] {
            skipSpaces()
            if i == bytes.count { return [] }
            var rdns: [RelativeDistinguishedName] = []
            while true {
                var pairs: [AttributeTypeAndValue] = []
                while true {
                    pairs.append(try parsePair())
                    skipSpaces()
                    if i < bytes.count && bytes[i] == UInt8(ascii: "+") {
                        i += 1
                        continue
                    }
                    break
                }
                rdns.append(RelativeDistinguishedName(pairs))
                if i == bytes.count { break }
                guard bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: ";") else {
                    throw fail("unexpected character at offset \(i)")
                }
                i += 1
            }
            return rdns
        }

        mutating func parsePair() throws(DNSyntaxError) -> AttributeTypeAndValue {
            skipSpaces()
            let start = i
            guard i < bytes.count else { throw fail("an attribute type is missing at the end") }
            if isAlpha(bytes[i]) {
                while i < bytes.count && (isAlpha(bytes[i]) || isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "-")) {
                    i += 1
                }
            } else if isDigit(bytes[i]) {
                while i < bytes.count && (isDigit(bytes[i]) || bytes[i] == UInt8(ascii: ".")) { i += 1 }
                let oid = bytes[start..<i]
                guard oid.last != UInt8(ascii: "."), !oid.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                    throw fail("malformed numeric OID at offset \(start)")
                }
            } else {
                throw fail("an attribute type must start with a letter or digit (offset \(i))")
            }
            let type = String(decoding: bytes[start..<i], as: UTF8.self)
            if type.lowercased().hasPrefix("oid.") { throw fail("the OID. prefix is not allowed") }
            skipSpaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("'=' expected after \(type)") }
            i += 1
            skipSpaces()
            let value = i < bytes.count && bytes[i] == UInt8(ascii: "#") ? try parseHexValue() : try parseStringValue()
            try check(value)
            return AttributeTypeAndValue(type: type, value: value)
        }

        /// A value names nothing in Roster if it holds NUL (escaped or not) or U+FFFD (what an
        /// LDAPDN that was not UTF-8 decodes to, see `BERReader.readLDAPDN`).
        func check(_ value: String) throws(DNSyntaxError) {
            for s in value.unicodeScalars {
                if s == "\u{0}" { throw fail("a value must not contain NUL") }
                if s == "\u{FFFD}" { throw fail("value is not valid UTF-8") }
            }
        }

        mutating func parseHexValue() throws(DNSyntaxError) -> String {
            i += 1
            var raw: [UInt8] = []
            while i < bytes.count, let hi = hexValue(bytes[i]) {
                guard i + 1 < bytes.count, let lo = hexValue(bytes[i + 1]) else { throw fail("odd number of hex digits") }
                raw.append(hi << 4 | lo)
                i += 2
            }
            guard !raw.isEmpty else { throw fail("'#' must be followed by hex digits") }
            // The hex form is a BER encoding; Roster's attributes are strings, so read one.
            var reader = BERReader(raw[...])
            do {
                let node = try reader.read()
                try reader.finish()
                guard !node.identifier.constructed,
                    let s = String(validating: node.content, as: UTF8.self)
                else { throw fail("hex value is not a BER-encoded string") }
                return s
            } catch let e as DNSyntaxError {
                throw e
            } catch {
                throw fail("hex value is not valid BER")
            }
        }

        mutating func parseStringValue() throws(DNSyntaxError) -> String {
            var out: [UInt8] = []
            var trailingUnescapedSpaces = 0
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: ",") || c == UInt8(ascii: "+") || c == UInt8(ascii: ";") { break }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else { throw fail("a trailing backslash escapes nothing") }
                    if let hi = hexValue(bytes[i]) {
                        guard i + 1 < bytes.count, let lo = hexValue(bytes[i + 1]) else {
                            throw fail("'\\' must be followed by two hex digits or a special character")
                        }
                        out.append(hi << 4 | lo)
                        i += 2
                    } else {
                        guard Self.escapable.contains(bytes[i]) else {
                            throw fail("'\\' must be followed by two hex digits or one of \\ \" + , ; < > # = and space")
                        }
                        out.append(bytes[i])
                        i += 1
                    }
                    trailingUnescapedSpaces = 0
                    continue
                }
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == 0 {
                    throw fail("character '\(Character(Unicode.Scalar(c)))' must be escaped")
                }
                if c == UInt8(ascii: "=") { throw fail("character '=' must be escaped in a value") }
                trailingUnescapedSpaces = c == 0x20 ? trailingUnescapedSpaces + 1 : 0
                out.append(c)
                i += 1
            }
            out.removeLast(trailingUnescapedSpaces)
            guard let s = String(validating: out, as: UTF8.self) else { throw fail("value is not valid UTF-8") }
            return s
        }

        static let escapable: Set<UInt8> = Set("\\\"+,;<># =".utf8)

        func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
    }

    // MARK: - Escaping and normalisation

    /// Escapes a value for the string form (RFC 4514 §2.4).
    public static func escape(_ value: String) -> String {
        if value.isEmpty { return "" }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        let scalars = Array(value.unicodeScalars)
        for (index, s) in scalars.enumerated() {
            switch s {
            case "\"", "+", ",", ";", "<", ">", "\\", "=":
                out.append("\\")
                out.unicodeScalars.append(s)
            case "\0":
                out.append("\\00")
            case " " where index == 0 || index == scalars.count - 1:
                out.append("\\ ")
            case "#" where index == 0:
                out.append("\\#")
            default:
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    private static let typeAliases: [String: String] = [
        "2.5.4.3": "cn", "2.5.4.11": "ou", "2.5.4.10": "o", "2.5.4.6": "c", "2.5.4.7": "l", "2.5.4.8": "st",
        "0.9.2342.19200300.100.1.25": "dc", "0.9.2342.19200300.100.1.1": "uid", "commonname": "cn",
        "organizationalunitname": "ou", "organizationname": "o", "domaincomponent": "dc", "userid": "uid",
    ]

    /// The canonical lower-case name of an attribute type.
    public static func canonicalType(_ type: String) -> String {
        let lower = type.lowercased()
        return typeAliases[lower] ?? lower
    }

    /// Folds a value for caseIgnoreMatch (see ``AttributeTypeAndValue/normalizedValue``).
    ///
    /// Every whitespace character counts as a space (RFC 4518 §2.2 maps TAB, LF, VT, FF, CR and NEL
    /// to SPACE), in an ASCII value as in any other.
    /// The fold of text of ASCII and CJK unified ideographs only (most names), which is its own
    /// NFKC form: at most its ASCII letters lower-cased (normalising it was a tenth of an
    /// address-book search); nil for any other text.
    private static func plainFold(_ value: String) -> String? {
        var upper = false
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: upper = true
            case 0..<0x80, 0x4E00...0x9FFF, 0x3400...0x4DBF: continue
            default: return nil
            }
        }
        return upper ? value.lowercased() : value
    }

    /// NFKC and lower-case, repeated until neither changes the value (at most four rounds):
    /// lower-casing may leave marks out of canonical order (`İ` + U+0317 lower-cases to `i`
    /// U+0307 U+0317, which NFKC reorders) and NFKC may yield capitals (found by fuzzing: one
    /// round was not idempotent).
    static func compatibilityLowercased(_ value: String) -> String {
        var current = value.precomposedStringWithCompatibilityMapping.lowercased()
        for _ in 0..<4 {
            let next = current.precomposedStringWithCompatibilityMapping.lowercased()
            if next.utf8.elementsEqual(current.utf8) { break }  // by bytes: String == ignores mark order
            current = next
        }
        return current
    }

    public static func foldValue(_ value: String) -> String {
        var ascii = true
        var spaced = false
        for b in value.utf8 {
            if b >= 0x80 {
                ascii = false
                break
            }
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { spaced = true }
        }
        if ascii && !spaced {
            return value.lowercased()
        }
        let folded = ascii ? value.lowercased() : (plainFold(value) ?? compatibilityLowercased(value))
        // By scalar, not by Character: a space followed by a combining mark is one Character that
        // is not whitespace, so folding by Character was not idempotent (found by fuzzing:
        // `i<TAB><U+0307>9` folded to `i <U+0307>9`, which folded to `i 9`).
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        return String(out)
    }
}
