import Directory
import Foundation
import QRCode

/// The member card as a vCard 4.0 (RFC 6350) with the fields the viewer may see, and as the QR
/// code of that vCard (二维码名片).
///
/// A small local writer until Interchange's `VCard` lands; it writes the same properties.
enum ContactCard {
    static func vCard(of m: Member, book: AddressBook) -> String {
        let v = book.visibility
        func shown(_ f: MemberField) -> String? {
            guard let value = m.value(of: f), !value.isEmpty, v.canSee(field: f, of: m) else { return nil }
            return value
        }
        var lines = ["BEGIN:VCARD", "VERSION:4.0"]
        lines.append("FN:" + escape(m.name))
        let parts = NameParts(m.name)
        lines.append("N:" + [parts.surname, parts.givenName, "", "", ""].map(escape).joined(separator: ";"))
        if let nick = shown(.nickname) { lines.append("NICKNAME:" + escape(nick)) }
        let departments = book.departments(of: m)
        let organization = book.model.organization
        if let primary = departments.first {
            let path = book.path(to: primary.id).dropFirst().map(\.name)
            lines.append("ORG:" + ([organization] + path).map(escape).joined(separator: ";"))
        } else if !organization.isEmpty {
            lines.append("ORG:" + escape(organization))
        }
        if let title = shown(.title) { lines.append("TITLE:" + escape(title)) }
        if let mobile = shown(.mobile) { lines.append("TEL;TYPE=cell;VALUE=uri:tel:" + uriPhone(mobile)) }
        for f in [MemberField.phone, .phone2] {
            if let p = shown(f) { lines.append("TEL;TYPE=work;VALUE=uri:tel:" + uriPhone(p)) }
        }
        if let email = shown(.email) { lines.append("EMAIL;TYPE=work:" + escape(email)) }
        if let address = shown(.address) { lines.append("ADR;TYPE=work:;;" + escape(address) + ";;;;") }
        if let birthday = shown(.birthday) { lines.append("BDAY:" + birthday.replacingOccurrences(of: "-", with: "")) }
        if let gender = shown(.gender) {
            let sex = gender == "男" || gender.lowercased() == "male" ? "M" : (gender == "女" || gender.lowercased() == "female" ? "F" : "O")
            lines.append("GENDER:" + sex)
        }
        if let remarks = shown(.remarks) { lines.append("NOTE:" + escape(remarks)) }
        lines.append("UID:urn:uuid:" + m.uuid.uuidString.lowercased())
        lines.append("END:VCARD")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 6350 §3.4: backslash, comma, semicolon and newlines escaped in text values.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case ",": out += "\\,"
            case ";": out += "\\;"
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// A phone number for a `tel:` URI: digits, `+`, and hyphens for the rest of the separators.
    static func uriPhone(_ s: String) -> String {
        String(s.compactMap { c -> Character? in
            if c.isASCII && (c.isNumber || c == "+") { return c }
            if c == " " || c == "-" || c == "(" || c == ")" { return "-" }
            return nil
        })
    }

    /// RFC 6350 §3.2: lines longer than 75 octets are folded (CRLF and a space), never inside a
    /// UTF-8 sequence.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var out = ""
        var count = 0
        for ch in line {
            let n = String(ch).utf8.count
            if count + n > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(ch)
            count += n
        }
        return out
    }

    /// The QR code of a vCard as SVG: level M, or L when M cannot hold it; nil when nothing can.
    static func qrSVG(_ text: String) -> String? {
        let code = (try? QRCode(text: text, errorCorrection: .medium)) ?? (try? QRCode(text: text, errorCorrection: .low))
        return code?.svg()
    }
}
