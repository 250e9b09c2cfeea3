/// The rules a new plain password must meet, set by the super admin (`roster policy password`)
/// and kept in the directory, so LDAP, the CLI and imports check the same ones.
public struct PasswordPolicy: Sendable, Hashable, Codable {
    /// The fewest characters a password may have. Default 8; at least 6.
    public var minimumLength: Int
    /// How many of the four character classes — lower-case letters, upper-case letters, digits,
    /// others (punctuation, spaces, Chinese and other letters without case) — a password must
    /// use. Default 2; 1 to 4.
    public var requiredClasses: Int
    /// Whether a password may not contain the account, the name, the full pinyin of the name
    /// (four letters or more) or the mobile number, ignoring case and anything but letters and
    /// digits. Default true.
    public var refusePersonalData: Bool

    /// The most characters a password may have: 256 (a long passphrase fits; a megabyte does not).
    public static let maximumLength = 256
    /// The lowest ``minimumLength`` a policy may set: 6.
    public static let lowestMinimumLength = 6

    /// - Parameters: see the properties.
    public init(minimumLength: Int = 8, requiredClasses: Int = 2, refusePersonalData: Bool = true) {
        self.minimumLength = minimumLength
        self.requiredClasses = requiredClasses
        self.refusePersonalData = refusePersonalData
    }

    /// Checks the policy's own settings.
    /// - Throws: ``DirectoryError`` `invalidValue` naming the setting.
    public func validate() throws(DirectoryError) {
        guard (Self.lowestMinimumLength...Self.maximumLength).contains(minimumLength) else {
            throw DirectoryError(
                .invalidValue, "password policy: the minimum length must be \(Self.lowestMinimumLength) to \(Self.maximumLength)")
        }
        guard (1...4).contains(requiredClasses) else {
            throw DirectoryError(.invalidValue, "password policy: the required character classes must be 1 to 4")
        }
    }
}

/// Whose password is being set: what it must not contain.
public struct PasswordOwner: Sendable, Hashable {
    public var account: String
    /// The name's pinyin, run together (`zhangsan`).
    public var pinyin: String?
    public var mobile: String?
    /// The name as written (`张三`).
    public var name: String?

    /// - Parameters: see the properties.
    public init(account: String, pinyin: String? = nil, mobile: String? = nil, name: String? = nil) {
        self.account = account
        self.pinyin = pinyin
        self.mobile = mobile
        self.name = name
    }
}

extension DirectoryModel {
    /// What a member's password must not contain.
    public func passwordOwner(_ m: Member) -> PasswordOwner {
        PasswordOwner(account: m.account.value, pinyin: pinyin(of: m.account).compact, mobile: m.mobile, name: m.name)
    }
}

/// The rules a new plain password must meet (DESIGN §7), checked before it is hashed, for LDAP,
/// the CLI and imports alike.
public enum PasswordRules {
    /// The most characters a password may have.
    public static var maximumLength: Int { PasswordPolicy.maximumLength }

    /// Checks a plain password against the policy.
    /// - Parameters:
    ///   - password: the password as given (never logged, never put in a message).
    ///   - policy: the directory's password policy.
    ///   - owner: whose password it is (nil: only the rules that need no owner).
    /// - Throws: ``DirectoryError`` with code `constraintViolation`, field `password`, naming the
    ///   rule broken.
    public static func check(_ password: String, policy: PasswordPolicy = PasswordPolicy(), owner: PasswordOwner? = nil) throws(DirectoryError) {
        func refuse(_ rule: String) -> DirectoryError { DirectoryError(.constraintViolation, field: .password, rule) }
        guard !password.isEmpty else { throw refuse("a password is required") }
        guard password.count >= policy.minimumLength else {
            throw refuse("at least \(policy.minimumLength) characters are required")
        }
        guard password.count <= PasswordPolicy.maximumLength else {
            throw refuse("at most \(PasswordPolicy.maximumLength) characters are allowed")
        }
        guard !password.unicodeScalars.contains(where: { [.control, .format].contains($0.properties.generalCategory) }) else {
            throw refuse("control and invisible characters (NUL, newline, tab, zero-width, direction marks…) are not allowed")
        }
        guard !password.allSatisfy({ $0.isWhitespace }) else { throw refuse("a password of only spaces is not allowed") }
        var lower = false, upper = false, digit = false, other = false
        for s in password.unicodeScalars {
            if s.properties.isLowercase { lower = true }
            else if s.properties.isUppercase { upper = true }
            else if ("0"..."9").contains(s) { digit = true }
            else { other = true }
        }
        let classes = [lower, upper, digit, other].filter { $0 }.count
        guard classes >= policy.requiredClasses else {
            throw refuse(
                "use at least \(policy.requiredClasses) of: lower-case letters, upper-case letters, digits, other characters")
        }
        guard policy.refusePersonalData, let owner else { return }
        // Compared on letters and digits only, ignoring case: `WANG-wu-12` holds `wangwu`.
        func alphanumerics(_ t: String) -> String { String(t.lowercased().filter { $0.isLetter || $0.isNumber }) }
        let folded = alphanumerics(password)
        let account = alphanumerics(owner.account)
        if account.count >= 3, folded.contains(account) {
            throw refuse("must not contain the account")
        }
        if let p = owner.pinyin?.lowercased(), p.count >= 4, p.allSatisfy({ $0.isASCII && $0.isLetter }), folded.contains(p) {
            throw refuse("must not contain the name's pinyin")
        }
        if let name = owner.name.map(alphanumerics), name.count >= 2, !name.allSatisfy(\.isASCII) || name.count >= 4, folded.contains(name) {
            throw refuse("must not contain the name")
        }
        if let mobile = owner.mobile {
            let digits = String(mobile.filter(\.isNumber))
            if digits.count >= 6, password.filter(\.isNumber).contains(digits) { throw refuse("must not contain the mobile number") }
        }
    }

    /// The `{SCHEME}` a value starts with when it has the form of a stored hash (`{SSHA}…`,
    /// `{MD5}…`): letters, digits, `-`, `_` and `.` between braces, then something. Nil for
    /// anything else (a plain password).
    public static func hashScheme(of value: String) -> String? {
        guard value.hasPrefix("{"), let close = value.firstIndex(of: "}") else { return nil }
        let name = value[value.index(after: value.startIndex)..<close]
        guard !name.isEmpty, name.count <= 32, value.index(after: close) < value.endIndex,
            name.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) })
        else { return nil }
        return "{\(name.uppercased())}"
    }
}
