public import Directory
import Foundation

/// vCard 4.0 (RFC 6350) business cards of members: the seed's 名片, for the CLI's
/// `roster export --format vcf` and the web console's "save card".
///
/// A pure function of the member, the directory it lives in (for the organisation and the
/// department path) and the fields the viewer may see: the caller decides visibility (the web
/// console asks ``Visibility/canSee(field:of:)``), this only writes what it is given.
public enum VCard {
    /// The card of one member.
    ///
    /// Properties (RFC 6350 §6): `FN` and `N` (family;given, from ``NameParts``) always; `UID`
    /// (`urn:uuid:`) always; then, for the fields in `fields` that hold a value: `NICKNAME`,
    /// `GENDER` (M/F/U), `TEL;TYPE=cell` (mobile), `TEL;TYPE=work` (phone, phone 2), `EMAIL`,
    /// `ORG` (organisation;department path of the primary department, with `department`), `TITLE`,
    /// `ADR;TYPE=work` (the address in the street component), `BDAY` (YYYYMMDD), `NOTE` (remarks).
    /// Lines end in CRLF, text values escape `\ , ;` and line breaks (§3.4), and lines are folded
    /// at 75 octets without splitting a UTF-8 sequence (§3.2).
    /// - Parameters:
    ///   - member: the member.
    ///   - model: the directory (organisation name, department names).
    ///   - fields: the member fields the viewer may see.
    /// - Returns: one `BEGIN:VCARD` … `END:VCARD` block, ending in CRLF.
    public static func card(for member: Member, in model: DirectoryModel, fields: Set<MemberField>) -> String {
        var lines: [String] = ["BEGIN:VCARD", "VERSION:4.0"]
        func shown(_ f: MemberField) -> String? {
            guard fields.contains(f), let v = member.value(of: f), !v.isEmpty else { return nil }
            return v
        }
        lines.append("FN:" + escape(member.name))
        let parts = NameParts(member.name)
        lines.append("N:" + [parts.surname, parts.givenName, "", "", ""].map(escape).joined(separator: ";"))
        if let v = shown(.nickname) { lines.append("NICKNAME:" + escape(v)) }
        if let v = shown(.gender) {
            switch v {
            case "男": lines.append("GENDER:M")
            case "女": lines.append("GENDER:F")
            default: lines.append("GENDER:U")
            }
        }
        if let v = shown(.mobile) { lines.append("TEL;TYPE=cell:" + escape(v)) }
        if let v = shown(.phone) { lines.append("TEL;TYPE=work:" + escape(v)) }
        if let v = shown(.phone2) { lines.append("TEL;TYPE=work:" + escape(v)) }
        if let v = shown(.email) { lines.append("EMAIL;TYPE=work:" + escape(v)) }
        var org = [model.organization]
        if fields.contains(.department), member.isActive { org += model.pathNames(of: member.primaryDepartment) }
        if !(org.count == 1 && org[0].isEmpty) { lines.append("ORG:" + org.map(escape).joined(separator: ";")) }
        if let v = shown(.title) { lines.append("TITLE:" + escape(v)) }
        if let v = shown(.address) { lines.append("ADR;TYPE=work:" + ["", "", v, "", "", "", ""].map(escape).joined(separator: ";")) }
        if let v = shown(.birthday) { lines.append("BDAY:" + v.replacingOccurrences(of: "-", with: "")) }
        if let v = shown(.remarks) { lines.append("NOTE:" + escape(v)) }
        lines.append("UID:urn:uuid:" + member.uuid.uuidString.lowercased())
        lines.append("END:VCARD")
        return lines.map { fold($0) }.joined()
    }

    /// The cards of several members, one after another (a `.vcf` file).
    /// - Parameters: see ``card(for:in:fields:)``.
    public static func cards(for members: [Member], in model: DirectoryModel, fields: Set<MemberField>) -> String {
        members.map { card(for: $0, in: model, fields: fields) }.joined()
    }

    // MARK: - RFC 6350 §3

    /// Escapes a text value (RFC 6350 §3.4): backslash, comma and semicolon get a backslash, a
    /// line break (CRLF, LF or CR) becomes `\n`.
    public static func escape(_ text: String) -> String {
        var out = ""
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let s = pending {
            pending = scalars.next()
            switch s {
            case "\\": out += "\\\\"
            case ",": out += "\\,"
            case ";": out += "\\;"
            case "\r":
                out += "\\n"
                if pending == "\n" { pending = scalars.next() }
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Folds a content line (RFC 6350 §3.2): at most 75 octets per physical line excluding the
    /// CRLF, continuation lines start with one space, and a UTF-8 sequence is never split.
    /// - Returns: the physical lines, each ending in CRLF.
    public static func fold(_ line: String, limit: Int = 75) -> String {
        var out = ""
        var width = 0
        for s in line.unicodeScalars {
            let octets = UTF8.width(s)
            if width + octets > limit {
                out += "\r\n "
                width = 1
            }
            out.unicodeScalars.append(s)
            width += octets
        }
        return out + "\r\n"
    }
}
