import Foundation

/// LDIF (RFC 2849): the syntax. ``LDIF/parse(_:)`` reads content and change records with their
/// line numbers; ``LDIF/write(_:)`` writes content records. What the records mean for Roster is
/// in `LDIF+Import.swift` and `LDIF+Export.swift`.
public enum LDIF {
    /// One attribute value, as the file gave it.
    struct Value: Sendable, Hashable {
        /// The attribute description as written (type and options, `userPassword;binary`).
        var attribute: String
        /// The decoded bytes (after base64 when the file used `::`).
        var bytes: [UInt8]
        /// The physical line it started on.
        var line: Int

        /// The attribute type without options, lower-cased.
        var type: String { String(attribute.split(separator: ";", maxSplits: 1).first ?? "").lowercased() }
        /// The value as UTF-8 text, nil when it is not.
        var text: String? { String(validating: bytes, as: UTF8.self) }
    }

    /// One change of a `changetype: modify` record (RFC 2849 `mod-spec`).
    struct Modification: Sendable, Hashable {
        enum Kind: String, Sendable { case add, delete, replace }
        var kind: Kind
        /// The attribute type, lower-cased, without options.
        var type: String
        var values: [Value]
        var line: Int
    }

    /// What a record asks for.
    enum Change: Sendable, Hashable {
        /// A content record (no changetype) or `changetype: add`.
        case add([Value])
        case delete
        case modify([Modification])
        /// `changetype: modrdn` / `moddn`.
        case modifyDN(newRDN: String, deleteOldRDN: Bool, newSuperior: String?)
    }

    /// One record: its DN, what it asks for, and the line it starts on.
    struct Record: Sendable, Hashable {
        var line: Int
        var dn: String
        var change: Change
        /// Whether it carried a `changetype:` line (a change record), not a content record.
        var isChangeRecord: Bool
    }

    /// A record that could not be read, with the line it starts on.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    // MARK: - Reading (RFC 2849)

    /// A logical line: its unfolded bytes and the physical line it started on.
    private struct Logical {
        var bytes: [UInt8]
        var line: Int
    }

    /// Reads a file: every record that could be read, and an error for every one that could not
    /// (the reader goes on with the next record).
    static func parse(_ data: [UInt8]) -> (records: [Record], errors: [SyntaxError]) {
        // Physical lines → logical lines (unfolded), grouped into records at blank lines.
        var groups: [[Logical]] = []
        var current: [Logical] = []
        var inComment = false
        var lineNumber = 0
        var start = 0
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            if start == bytes.count { break }
            lineNumber += 1
            var physical = Array(bytes[start..<end])
            if physical.last == 0x0D { physical.removeLast() }
            start = end + 1
            if physical.isEmpty {
                if !current.isEmpty { groups.append(current) }
                current = []
                inComment = false
                continue
            }
            if physical[0] == 0x20 {
                // A continuation of the previous line (or of a comment).
                if inComment { continue }
                if current.isEmpty {
                    current.append(Logical(bytes: Array(physical.dropFirst()), line: lineNumber))
                } else {
                    current[current.count - 1].bytes += physical.dropFirst()
                }
                continue
            }
            if physical[0] == UInt8(ascii: "#") {
                inComment = true
                continue
            }
            inComment = false
            current.append(Logical(bytes: physical, line: lineNumber))
        }
        if !current.isEmpty { groups.append(current) }

        var records: [Record] = []
        var errors: [SyntaxError] = []
        for (index, var group) in groups.enumerated() {
            if index == 0, let first = group.first, first.bytes.starts(with: Array("version:".utf8)) {
                let v = String(decoding: first.bytes.dropFirst(8), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if v != "1" {
                    errors.append(SyntaxError(line: first.line, message: "version: \(v) is not supported (only version: 1, RFC 2849)"))
                }
                group.removeFirst()
                if group.isEmpty { continue }
            }
            do {
                records.append(try record(group))
            } catch {
                errors.append(error)
            }
        }
        return (records, errors)
    }

    /// Splits `name: value`, `name:: base64`, `name:< url`.
    private static func attributeValue(_ l: Logical) throws(SyntaxError) -> Value {
        guard let colon = l.bytes.firstIndex(of: UInt8(ascii: ":")) else {
            throw SyntaxError(line: l.line, message: "\"\(String(decoding: l.bytes.prefix(40), as: UTF8.self))\" is not an attribute line (name: value)")
        }
        let name = String(decoding: l.bytes[..<colon], as: UTF8.self)
        guard !name.isEmpty, name.utf8.allSatisfy({ c in
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-")
                || c == UInt8(ascii: ";") || c == UInt8(ascii: ".")
        }) else {
            throw SyntaxError(line: l.line, message: "\"\(name)\" is not an attribute description")
        }
        var rest = l.bytes[(colon + 1)...]
        if rest.first == UInt8(ascii: ":") {
            rest = rest.dropFirst()
            let text = String(decoding: rest, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard let decoded = Data(base64Encoded: text) else {
                throw SyntaxError(line: l.line, message: "\(name): the base64 value (after ::) is not valid base64")
            }
            return Value(attribute: name, bytes: Array(decoded), line: l.line)
        }
        if rest.first == UInt8(ascii: "<") {
            let url = String(decoding: rest.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            throw SyntaxError(
                line: l.line,
                message: "\(name): values from URLs (\(name):< \(url)) are refused; put the value in the file (base64 with ::)")
        }
        while rest.first == 0x20 { rest = rest.dropFirst() }
        return Value(attribute: name, bytes: Array(rest), line: l.line)
    }

    private static func text(_ v: Value) throws(SyntaxError) -> String {
        guard let t = v.text else { throw SyntaxError(line: v.line, message: "\(v.attribute): the value is not UTF-8 text") }
        return t
    }

    private static func record(_ lines: [Logical]) throws(SyntaxError) -> Record {
        var lines = lines[...]
        guard let first = lines.popFirst() else { throw SyntaxError(line: 0, message: "an empty record") }
        let dnValue = try attributeValue(first)
        guard dnValue.type == "dn" else {
            throw SyntaxError(line: first.line, message: "a record must start with dn: (found \(dnValue.attribute):)")
        }
        let dn = try text(dnValue)
        if let c = lines.first, let v = try? attributeValue(c), v.type == "control" {
            throw SyntaxError(line: c.line, message: "control: lines are not supported; remove the control")
        }
        guard let ct = lines.first, let typeLine = try? attributeValue(ct), typeLine.type == "changetype" else {
            // A content record.
            var values: [Value] = []
            for l in lines { values.append(try attributeValue(l)) }
            return Record(line: first.line, dn: dn, change: .add(values), isChangeRecord: false)
        }
        lines.removeFirst()
        let kind = (typeLine.text ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch kind {
        case "add":
            var values: [Value] = []
            for l in lines { values.append(try attributeValue(l)) }
            return Record(line: first.line, dn: dn, change: .add(values), isChangeRecord: true)
        case "delete":
            if let extra = lines.first {
                throw SyntaxError(line: extra.line, message: "a changetype: delete record has nothing after the changetype")
            }
            return Record(line: first.line, dn: dn, change: .delete, isChangeRecord: true)
        case "modrdn", "moddn":
            var newRDN: String?
            var deleteOld: Bool?
            var newSuperior: String?
            for l in lines {
                let v = try attributeValue(l)
                switch v.type {
                case "newrdn": newRDN = try text(v)
                case "deleteoldrdn":
                    switch v.text {
                    case "0": deleteOld = false
                    case "1": deleteOld = true
                    default: throw SyntaxError(line: l.line, message: "deleteoldrdn: must be 0 or 1")
                    }
                case "newsuperior": newSuperior = try text(v)
                default: throw SyntaxError(line: l.line, message: "\(v.attribute): is not part of a modrdn record (newrdn, deleteoldrdn, newsuperior)")
                }
            }
            guard let newRDN else { throw SyntaxError(line: first.line, message: "a changetype: \(kind) record needs newrdn:") }
            guard let deleteOld else { throw SyntaxError(line: first.line, message: "a changetype: \(kind) record needs deleteoldrdn:") }
            return Record(line: first.line, dn: dn, change: .modifyDN(newRDN: newRDN, deleteOldRDN: deleteOld, newSuperior: newSuperior), isChangeRecord: true)
        case "modify":
            var mods: [Modification] = []
            var pending: Modification?
            for l in lines {
                if l.bytes == [UInt8(ascii: "-")] {
                    guard let m = pending else { throw SyntaxError(line: l.line, message: "'-' without an add:, delete: or replace: before it") }
                    mods.append(m)
                    pending = nil
                    continue
                }
                let v = try attributeValue(l)
                if var m = pending {
                    guard v.type == m.type else {
                        throw SyntaxError(line: l.line, message: "\(v.attribute): inside \(m.kind.rawValue): \(m.type) (end it with a line holding only -)")
                    }
                    m.values.append(v)
                    pending = m
                    continue
                }
                guard let k = Modification.Kind(rawValue: v.type) else {
                    throw SyntaxError(line: l.line, message: "\(v.attribute): expected add:, delete: or replace: in a modify record")
                }
                let attr = try text(v).trimmingCharacters(in: .whitespaces)
                pending = Modification(kind: k, type: String(attr.split(separator: ";", maxSplits: 1).first ?? "").lowercased(), values: [], line: l.line)
            }
            // The last '-' is required by RFC 2849; a missing one at the very end is forgiven.
            if let m = pending { mods.append(m) }
            return Record(line: first.line, dn: dn, change: .modify(mods), isChangeRecord: true)
        default:
            throw SyntaxError(line: ct.line, message: "changetype: \(kind) is not one of add, delete, modify, modrdn, moddn")
        }
    }

    // MARK: - Writing (RFC 2849)

    /// An entry to write: its DN and its attributes in order.
    struct Entry: Sendable, Hashable {
        var dn: String
        var attributes: [(String, [String])]

        static func == (a: Entry, b: Entry) -> Bool {
            a.dn == b.dn && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
        }

        func hash(into h: inout Hasher) { h.combine(dn) }

        mutating func add(_ name: String, _ values: [String]) {
            let kept = values.filter { !$0.isEmpty }
            if !kept.isEmpty { attributes.append((name, kept)) }
        }

        mutating func add(_ name: String, _ value: String?) {
            if let value { add(name, [value]) }
        }
    }

    /// Writes content records separated by blank lines, each line folded at 76 columns. There is
    /// no `version: 1` line: OpenLDAP's `slapadd` refuses one (and `slapcat` writes none), while
    /// `ldapadd` and this reader take a file with or without it.
    static func write(_ entries: [Entry]) -> String {
        var out = ""
        for (i, e) in entries.enumerated() {
            if i > 0 { out += "\n" }
            out += line("dn", e.dn)
            for (name, values) in e.attributes {
                for v in values { out += line(name, v) }
            }
        }
        return out
    }

    /// One `name: value` line, base64 (`name:: …`) when the value is not a SAFE-STRING or ends
    /// with a space (RFC 2849 note 8), folded at 76 columns; ends in LF.
    static func line(_ name: String, _ value: String) -> String {
        let raw = isSafe(value) ? "\(name): \(value)" : "\(name):: \(Data(value.utf8).base64EncodedString())"
        return fold(raw)
    }

    /// Whether a value may be written as is (RFC 2849 SAFE-STRING: ASCII without NUL, LF, CR,
    /// not starting with a space, `:` or `<`), and does not end with a space.
    static func isSafe(_ value: String) -> Bool {
        let b = Array(value.utf8)
        guard let first = b.first else { return true }
        if first == 0x20 || first == UInt8(ascii: ":") || first == UInt8(ascii: "<") { return false }
        if b.last == 0x20 { return false }
        return b.allSatisfy { $0 != 0 && $0 != 0x0A && $0 != 0x0D && $0 < 0x80 }
    }

    /// Folds an ASCII line at `width` columns: continuation lines start with one space.
    static func fold(_ line: String, width: Int = 76) -> String {
        let b = Array(line.utf8)
        guard b.count > width else { return line + "\n" }
        var out = String(decoding: b[0..<width], as: UTF8.self) + "\n"
        var i = width
        while i < b.count {
            let end = min(i + width - 1, b.count)
            out += " " + String(decoding: b[i..<end], as: UTF8.self) + "\n"
            i = end
        }
        return out
    }
}
