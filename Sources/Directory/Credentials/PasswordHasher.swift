/// Hashes and verifies passwords. The domain core never sees a hash algorithm; the server injects one.
public protocol PasswordHasher: Sendable {
    /// Hashes a new password into a `{SCHEME}…` string.
    func hash(_ password: String) -> String
    /// Whether `password` matches a stored `{SCHEME}…` string.
    func verify(_ password: [UInt8], against stored: String) -> Bool
}
