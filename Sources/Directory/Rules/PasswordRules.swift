/// The rules a new plain password must meet (DESIGN §7), checked before it is hashed, for LDAP,
/// the CLI and imports alike.
public enum PasswordRules {
    /// The fewest characters a password may have: 6.
    public static let minimumLength = 6

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
    }
}
