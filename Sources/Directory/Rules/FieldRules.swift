/// The format rules of member and department fields (DESIGN §2). Each returns the value to store
/// or throws a ``DirectoryError`` whose message names the field and the rule.
public enum FieldRules {
    /// Characters a department name may not contain.
    public static let forbiddenInDepartmentNames: Set<Character> = ["\\", "/", ":", "*", "?", "\"", "<", ">", "|"]

    /// Display columns of a string: East Asian wide and full-width characters count two.
    public static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    static func isWide(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default: return false
        }
    }

    /// Control characters (NUL, newline, tab…) and the invisible format characters that make two
    /// names look alike or reorder text (zero-width spaces and joiners, bidirectional overrides).
    static func invisibleCharacter(in value: String) -> Unicode.Scalar? {
        value.unicodeScalars.first { s in
            // Printable ASCII and Han ideographs are neither (their property lookup is not free).
            if s.isPlainVisible { return false }
            switch s.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// A department name: 1–50 display columns, none of `\ / : * ? " < > |`, no control or
    /// invisible format characters.
    public static func departmentName(_ raw: String) throws(DirectoryError) -> String {
        let name = raw.trimmingWhitespace
        guard !name.isEmpty else { throw DirectoryError(.invalidValue, field: .department, "a department name is required") }
        let width = displayWidth(name)
        guard width <= 50 else {
            throw DirectoryError(
                .invalidValue, field: .department,
                "\(name) is \(width) columns wide; at most 50 are allowed (a CJK character counts as two)")
        }
        // By scalar: `>` followed by a combining mark is one Character that is not `>` (found by
        // review: `X->\u{301}Y` passed and looked like a path).
        if let bad = name.unicodeScalars.first(where: { forbiddenInDepartmentNames.contains(Character($0)) }) {
            throw DirectoryError(
                .invalidValue, field: .department, "\(name) contains \(bad); a name may not contain \\ / : * ? \" < > |")
        }
        if let bad = invisibleCharacter(in: name) {
            throw DirectoryError(
                .invalidValue, field: .department,
                "the name contains U+\(String(bad.value, radix: 16, uppercase: true)); control and invisible characters are not allowed")
        }
        if name.unicodeScalars.contains(where: { $0 == ";" || $0 == "；" || $0 == ">" }) && (name.contains("->") || name.contains(";") || name.contains("；")) {
            throw DirectoryError(.invalidValue, field: .department, "\(name) contains a path separator (-> or ;)")
        }
        return name
    }

    /// Validates one member field and returns the value to store (nil clears the field).
    public static func memberField(_ field: MemberField, _ raw: String?) throws(DirectoryError) -> String? {
        guard let raw else {
            if field == .name { throw DirectoryError(.invalidValue, field: .name, "a name is required") }
            return nil
        }
        let value = raw.trimmingWhitespace
        if value.isEmpty {
            if field == .name { throw DirectoryError(.invalidValue, field: .name, "a name is required") }
            return nil
        }
        // One-line fields hold no control or invisible characters; the address and the remarks
        // may have line breaks, never a NUL or a bidirectional override.
        let multiline = field == .address || field == .remarks
        if let bad = invisibleCharacter(in: multiline ? value.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ") : value) {
            throw DirectoryError(
                .invalidValue, field: field,
                "contains U+\(String(bad.value, radix: 16, uppercase: true)); control and invisible characters are not allowed")
        }
        switch field {
        case .name:
            return try length(value, field, max: 64)
        case .nickname, .title:
            return try length(value, field, max: 64)
        case .address:
            return try length(value, field, max: 200)
        case .remarks:
            return try length(value, field, max: 500)
        case .wechat:
            return try wechat(value)
        case .mobile, .phone, .phone2:
            return try phone(value, field)
        case .email:
            return try email(value)
        case .qq:
            guard value.allSatisfy({ $0.isASCII && $0.isNumber }), (5...12).contains(value.count), value.first != "0" else {
                throw DirectoryError(.invalidValue, field: .qq, "\(value) is not a QQ number (5–12 digits, not starting with 0)")
            }
            return value
        case .gender:
            switch value.lowercased() {
            case "男", "male", "m": return "男"
            case "女", "female", "f": return "女"
            case "未知", "unknown", "other": return "未知"
            default: throw DirectoryError(.invalidValue, field: .gender, "\(value) is not one of 男, 女, 未知")
            }
        case .birthday, .hireDate:
            return try date(value, field)
        case .lunarBirthday:
            let parts = value.split(separator: "-")
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
                let m = Int(parts[0]), let d = Int(parts[1]), (1...12).contains(m), (1...30).contains(d)
            else {
                throw DirectoryError(.invalidValue, field: .lunarBirthday, "\(value) is not a lunar date MM-DD (month 01–12, day 01–30)")
            }
            return value
        case .birthdayReminder:
            switch value.lowercased() {
            case "solar", "阳历", "公历": return "solar"
            case "lunar", "农历", "阴历": return "lunar"
            default: throw DirectoryError(.invalidValue, field: .birthdayReminder, "\(value) is not solar (阳历) or lunar (农历)")
            }
        case .followStatus:
            guard let s = Member.FollowStatus(rawValue: value) else {
                throw DirectoryError(.invalidValue, field: .followStatus, "\(value) is not one of 未关注, 已关注, 已取消关注")
            }
            return s.rawValue
        case .pinned, .hidden:
            switch value.lowercased() {
            case "true", "yes", "1", "是": return "TRUE"
            case "false", "no", "0", "否": return "FALSE"
            default: throw DirectoryError(.invalidValue, field: field, "\(value) is not yes or no")
            }
        case .account, .department, .password:
            return value
        }
    }

    /// The description of a department or a group: at most 500 characters, line breaks allowed,
    /// no control or invisible characters; blank is none.
    public static func description(_ raw: String?, of what: String) throws(DirectoryError) -> String? {
        guard let value = raw?.trimmingWhitespace, !value.isEmpty else { return nil }
        if let bad = invisibleCharacter(in: value.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")) {
            throw DirectoryError(
                .invalidValue,
                "description: contains U+\(String(bad.value, radix: 16, uppercase: true)); control and invisible characters are not allowed in a \(what)'s description")
        }
        guard value.count <= 500 else {
            throw DirectoryError(.invalidValue, "description: a \(what)'s description is \(value.count) characters; at most 500")
        }
        return value
    }

    static func length(_ value: String, _ field: MemberField, max: Int) throws(DirectoryError) -> String {
        guard value.count <= max else {
            throw DirectoryError(.invalidValue, field: field, "\(value.prefix(20))… is \(value.count) characters; at most \(max)")
        }
        return value
    }

    /// WeChat id: 6–20 letters, digits, `_` and `-`, starting with a letter; an all-digit value is
    /// called out as the mobile number it almost always is.
    static func wechat(_ value: String) throws(DirectoryError) -> String {
        if value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw DirectoryError(
                .invalidValue, field: .wechat,
                "\(value) is all digits; a WeChat id starts with a letter — this looks like a mobile number, put it in the mobile field")
        }
        guard let first = value.first, first.isASCII, first.isLetter else {
            throw DirectoryError(.invalidValue, field: .wechat, "\(value) must start with a letter")
        }
        guard value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw DirectoryError(.invalidValue, field: .wechat, "\(value) may contain only letters, digits, _ and -")
        }
        guard (6...20).contains(value.count) else {
            throw DirectoryError(.invalidValue, field: .wechat, "\(value) is \(value.count) characters; a WeChat id has 6–20")
        }
        return value
    }

    /// A phone number kept exactly as written: digits, spaces, `-`, parentheses and a leading `+`;
    /// 5–20 digits.
    static func phone(_ value: String, _ field: MemberField) throws(DirectoryError) -> String {
        var digits = 0
        for (i, c) in value.enumerated() {
            if c.isASCII && c.isNumber {
                digits += 1
            } else if c == " " || c == "-" || c == "(" || c == ")" || (c == "+" && i == 0) {
                continue
            } else {
                throw DirectoryError(
                    .invalidValue, field: field, "\(value) is not a phone number (digits, spaces, -, ( ) and a leading + only)")
            }
        }
        guard (5...20).contains(digits) else {
            throw DirectoryError(.invalidValue, field: field, "\(value) has \(digits) digits; a phone number has 5–20")
        }
        return value
    }

    static func email(_ value: String) throws(DirectoryError) -> String {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].utf8.contains(UInt8(ascii: ".")), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), value.utf8.count <= 254,
            // ASCII without whitespace and the list separators (bytes: a Character test per
            // letter was a twentieth of an import's rows).
            value.utf8.allSatisfy({ b in
                b < 0x80 && b != 0x20 && !(0x09...0x0D).contains(b) && b != UInt8(ascii: ",") && b != UInt8(ascii: ";")
                    && b != UInt8(ascii: "<") && b != UInt8(ascii: ">")
            })
        else {
            throw DirectoryError(.invalidValue, field: .email, "\(value) is not an e-mail address (name@domain.tld)")
        }
        return value
    }

    static func date(_ value: String, _ field: MemberField) throws(DirectoryError) -> String {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1900...2200).contains(y),
            (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y)
        else {
            throw DirectoryError(.invalidValue, field: field, "\(value) is not a date YYYY-MM-DD")
        }
        return value
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
