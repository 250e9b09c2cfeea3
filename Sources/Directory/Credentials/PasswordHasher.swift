/// Hashes and verifies passwords. The domain core never sees a hash algorithm; the server injects one.
public protocol PasswordHasher: Sendable {
    /// Hashes a new password into a `{SCHEME}…` string.
    func hash(_ password: String) -> String
    /// Whether `password` matches a stored `{SCHEME}…` string. A value ``validate(storedHash:)``
    /// refuses never matches, and is refused at once (no work spent on absurd parameters).
    func verify(_ password: [UInt8], against stored: String) -> Bool
    /// Checks a pre-hashed `{SCHEME}…` value before it is stored (an administrator's LDAP add or
    /// modify, the CLI, an import): a known scheme, well-formed base64, parameters within the
    /// hasher's stated limits.
    /// - Throws: ``DirectoryError`` with code `invalidValue`, field `password`, naming the rule
    ///   broken (never the value).
    func validate(storedHash: String) throws(DirectoryError)
    /// Whether verifying `password` against `stored` costs about one digest of a short input
    /// (salted SHA schemes), so cheap that a server may do it where it stands instead of
    /// handing it to a worker thread. Key-stretching schemes (PBKDF2) are never cheap.
    func isCheapToVerify(_ password: [UInt8], against stored: String) -> Bool
    /// Whether a stored value should be replaced by a new hash of the same password (it uses
    /// another scheme than the default, or fewer iterations): done after a successful bind.
    func needsRehash(_ stored: String) -> Bool
}

extension PasswordHasher {
    /// By default nothing is cheap: every verification may be handed off.
    public func isCheapToVerify(_ password: [UInt8], against stored: String) -> Bool { false }
    /// By default nothing is upgraded.
    public func needsRehash(_ stored: String) -> Bool { false }
}
