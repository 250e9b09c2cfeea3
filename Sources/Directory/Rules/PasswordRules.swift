/// The rules a new plain password must meet (DESIGN §7), checked before it is hashed, for LDAP,
/// the CLI and imports alike.
public enum PasswordRules {
    /// The fewest characters a password may have: 6.
    public static let minimumLength = 6
    /// The most characters a password may have: 256 (a long passphrase fits; a megabyte does not).
    public static let maximumLength = 256

    /// Checks a plain password.
    /// - Parameter password: the password as given (never logged, never put in a message).
    /// - Throws: ``DirectoryError`` with code `constraintViolation`, field `password`, naming the
    ///   rule broken.
    public static func check(_ password: String) throws(DirectoryError) {
        guard !password.isEmpty else {
            throw DirectoryError(.constraintViolation, field: .password, "a password is required")
        }
        guard password.count >= minimumLength else {
            throw DirectoryError(
                .constraintViolation, field: .password, "at least \(minimumLength) characters are required")
        }
        guard password.count <= maximumLength else {
            throw DirectoryError(.constraintViolation, field: .password, "at most \(maximumLength) characters are allowed")
        }
        guard !password.unicodeScalars.contains(where: { [.control, .format].contains($0.properties.generalCategory) }) else {
            throw DirectoryError(
                .constraintViolation, field: .password,
                "control and invisible characters (NUL, newline, tab, zero-width, direction marks…) are not allowed")
        }
        guard !password.allSatisfy({ $0.isWhitespace }) else {
            throw DirectoryError(.constraintViolation, field: .password, "a password of only spaces is not allowed")
        }
    }
}
