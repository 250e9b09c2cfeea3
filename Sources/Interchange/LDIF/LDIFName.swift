import Directory

/// A distinguished name as LDIF files carry it (RFC 4514 string form), for the importer and the
/// exporter. Interchange depends on the domain only, so this is its own small reading of
/// RFC 4514, written to produce the same strings as the LDAP view (`LDAPProtocol`'s
/// `DistinguishedName.description`).
struct LDIFName: Sendable, Hashable, CustomStringConvertible {
    /// One `type=value` pair.
    struct Pair: Sendable, Hashable {
        /// The attribute type as written.
        var type: String
        /// The value, unescaped.
        var value: String

        /// The lower-case canonical type name (`2.5.4.11` and `organizationalUnitName` are `ou`).
        var canonicalType: String { LDIFName.canonicalType(type) }
    }

    /// The RDNs, leaf first; each is one or more pairs.
    var rdns: [[Pair]]

    init(_ rdns: [[Pair]]) { self.rdns = rdns }

    /// The leaf RDN's first pair.
    var leaf: Pair? { rdns.first?.first }

    /// This name with `rdn` prepended.
    func child(_ type: String, _ value: String) -> LDIFName { LDIFName([[Pair(type: type, value: value)]] + rdns) }

    /// The string form (RFC 4514 §2).
    var description: String {
        rdns.map { rdn in rdn.map { "\($0.type)=\(Self.escape($0.value))" }.joined(separator: "+") }.joined(separator: ",")
    }

    /// A form in which two names of one entry are equal: types canonical, values folded like
    /// department names (case and full-width forms ignored).
    var normalized: String {
        rdns.map { rdn in
            rdn.map { "\($0.canonicalType)=\(Self.escape(DirectoryModel.foldName($0.value)))" }.sorted().joined(separator: "+")
        }.joined(separator: ",")
    }

    /// The RDNs between this name and `base`, top first, when this name lies at or below `base`.
    func relative(to base: LDIFName) -> [[Pair]]? {
        guard rdns.count >= base.rdns.count else { return nil }
        let offset = rdns.count - base.rdns.count
        guard LDIFName(Array(rdns[offset...])).normalized == base.normalized else { return nil }
        return rdns.prefix(offset).reversed()
    }

    // MARK: - RFC 4514

    /// Escapes a value (RFC 4514 §2.4), exactly as the LDAP view does.
    static func escape(_ value: String) -> String {
        var out = ""
        let scalars = Array(value.unicodeScalars)
        for (index, s) in scalars.enumerated() {
            switch s {
            case "\"", "+", ",", ";", "<", ">", "\\", "=":
                out.append("\\")
                out.unicodeScalars.append(s)
            case "\0": out.append("\\00")
            case " " where index == 0 || index == scalars.count - 1: out.append("\\ ")
            case "#" where index == 0: out.append("\\#")
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    static func canonicalType(_ type: String) -> String {
        let lower = type.lowercased()
        return aliases[lower] ?? lower
    }

    private static let aliases: [String: String] = [
        "2.5.4.3": "cn", "2.5.4.11": "ou", "2.5.4.10": "o", "0.9.2342.19200300.100.1.25": "dc",
        "0.9.2342.19200300.100.1.1": "uid", "commonname": "cn", "organizationalunitname": "ou",
        "organizationname": "o", "domaincomponent": "dc", "userid": "uid",
    ]

    /// Why a string is not a DN.
    struct SyntaxError: Error, Sendable { var reason: String }

    /// Parses the string form (RFC 4514 §3), also accepting spaces around separators (RFC 2253
    /// §4). The `#hex` (BER) form is refused: Roster's naming attributes are strings.
    /// - Throws: ``SyntaxError`` naming the rule broken.
    /// The most RDNs a DN may have: the base, 15 departments, the entry and some room.
    static let maximumRDNs = 40

    init(parsing string: String) throws(SyntaxError) {
        let b = Array(string.utf8)
        var i = 0
        func skipSpaces() { while i < b.count && b[i] == 0x20 { i += 1 } }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x41 + 10
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var rdns: [[Pair]] = []
        skipSpaces()
        if i == b.count {
            self.rdns = []
            return
        }
        while true {
            var rdn: [Pair] = []
            while true {
                skipSpaces()
                let start = i
                while i < b.count, b[i] != UInt8(ascii: "="), b[i] != 0x20 {
                    let c = b[i]
                    let ok = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                        || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
                    guard ok else { throw SyntaxError(reason: "an attribute type may hold only letters, digits, - and . (offset \(i))") }
                    i += 1
                }
                guard i > start else { throw SyntaxError(reason: "an attribute type is missing (offset \(i))") }
                let type = String(decoding: b[start..<i], as: UTF8.self)
                skipSpaces()
                guard i < b.count, b[i] == UInt8(ascii: "=") else { throw SyntaxError(reason: "'=' expected after \(type)") }
                i += 1
                skipSpaces()
                if i < b.count, b[i] == UInt8(ascii: "#") {
                    throw SyntaxError(reason: "the #hex (BER) form of \(type)'s value is not supported; write the value as a string")
                }
                var out: [UInt8] = []
                var trailing = 0
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: ",") || c == UInt8(ascii: "+") || c == UInt8(ascii: ";") { break }
                    if c == UInt8(ascii: "\\") {
                        i += 1
                        guard i < b.count else { throw SyntaxError(reason: "a trailing backslash escapes nothing") }
                        if let hi = hex(b[i]) {
                            guard i + 1 < b.count, let lo = hex(b[i + 1]) else {
                                throw SyntaxError(reason: "'\\' must be followed by two hex digits or a special character")
                            }
                            out.append(hi << 4 | lo)
                            i += 2
                        } else {
                            guard Array("\\\"+,;<># =".utf8).contains(b[i]) else {
                                throw SyntaxError(reason: "'\\' must be followed by two hex digits or one of \\ \" + , ; < > # = and space")
                            }
                            out.append(b[i])
                            i += 1
                        }
                        trailing = 0
                        continue
                    }
                    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == 0 || c == UInt8(ascii: "=") {
                        throw SyntaxError(reason: "character '\(Character(Unicode.Scalar(c)))' must be escaped in a value")
                    }
                    trailing = c == 0x20 ? trailing + 1 : 0
                    out.append(c)
                    i += 1
                }
                out.removeLast(trailing)
                guard let value = String(validating: out, as: UTF8.self) else { throw SyntaxError(reason: "a value is not valid UTF-8") }
                guard !value.unicodeScalars.contains("\0") else { throw SyntaxError(reason: "a value must not contain NUL") }
                rdn.append(Pair(type: type, value: value))
                if i < b.count, b[i] == UInt8(ascii: "+") {
                    i += 1
                    continue
                }
                break
            }
            rdns.append(rdn)
            // A department path is at most 15 deep: no entry Roster holds or imports has a DN
            // this long, and refusing it here keeps the import's tree walks bounded.
            guard rdns.count <= Self.maximumRDNs else {
                throw SyntaxError(reason: "more than \(Self.maximumRDNs) RDNs (a department path is at most 15 deep)")
            }
            if i == b.count { break }
            guard b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: ";") else {
                throw SyntaxError(reason: "unexpected character at offset \(i)")
            }
            i += 1
        }
        self.rdns = rdns
    }
}
