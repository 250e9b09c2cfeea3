public import Directory
import Crypto
import _CryptoExtras
import Foundation

/// Hashes with PBKDF2-SHA512 by default and verifies the schemes OpenLDAP and 389-ds write:
/// `{PBKDF2-SHA512}`, `{PBKDF2-SHA256}`, `{PBKDF2-SHA1}`/`{PBKDF2}` (OpenLDAP's pw-pbkdf2 format,
/// `rounds$salt$hash` in adapted base64), `{SSHA512}`, `{SSHA256}`, `{SSHA}` and `{SHA}`.
public struct StandardPasswordHasher: PasswordHasher {
    /// PBKDF2 iterations for new hashes.
    public var rounds: Int

    /// - Parameter rounds: PBKDF2-SHA512 iterations for new hashes (default 100 000).
    public init(rounds: Int = 100_000) { self.rounds = rounds }

    public func hash(_ password: String) -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let dk = Self.pbkdf2(Array(password.utf8), salt: salt, hash: .sha512, rounds: rounds, length: 64)
        return "{PBKDF2-SHA512}\(rounds)$\(Self.ab64(salt))$\(Self.ab64(dk))"
    }

    public func verify(_ password: [UInt8], against stored: String) -> Bool {
        guard stored.hasPrefix("{"), let close = stored.firstIndex(of: "}") else { return false }
        let scheme = stored[stored.index(after: stored.startIndex)..<close].uppercased()
        let rest = String(stored[stored.index(after: close)...])
        switch scheme {
        case "PBKDF2-SHA512": return verifyPBKDF2(password, rest, .sha512, 64)
        case "PBKDF2-SHA256": return verifyPBKDF2(password, rest, .sha256, 32)
        case "PBKDF2-SHA1", "PBKDF2": return verifyPBKDF2(password, rest, .insecureSHA1, 20)
        case "SSHA512": return verifySalted(password, rest, digestLength: 64) { Array(SHA512.hash(data: $0)) }
        case "SSHA256": return verifySalted(password, rest, digestLength: 32) { Array(SHA256.hash(data: $0)) }
        case "SSHA": return verifySalted(password, rest, digestLength: 20) { Array(Insecure.SHA1.hash(data: $0)) }
        case "SHA":
            guard let expected = Data(base64Encoded: rest) else { return false }
            return Self.constantTimeEqual(Array(Insecure.SHA1.hash(data: password)), Array(expected))
        default: return false
        }
    }

    private func verifyPBKDF2(
        _ password: [UInt8], _ rest: String, _ hash: KDF.Insecure.PBKDF2.HashFunction, _ length: Int
    ) -> Bool {
        let parts = rest.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, let rounds = Int(parts[0]), rounds > 0, rounds <= 10_000_000,
            let salt = Self.unab64(String(parts[1])), let expected = Self.unab64(String(parts[2])), !expected.isEmpty
        else { return false }
        let dk = Self.pbkdf2(password, salt: salt, hash: hash, rounds: rounds, length: expected.count)
        return Self.constantTimeEqual(dk, expected)
    }

    private func verifySalted(
        _ password: [UInt8], _ rest: String, digestLength: Int, _ digest: ([UInt8]) -> [UInt8]
    ) -> Bool {
        guard let raw = Data(base64Encoded: rest), raw.count > digestLength else { return false }
        let bytes = Array(raw)
        let expected = Array(bytes[..<digestLength])
        let salt = bytes[digestLength...]
        return Self.constantTimeEqual(digest(password + salt), expected)
    }

    static func pbkdf2(
        _ password: [UInt8], salt: [UInt8], hash: KDF.Insecure.PBKDF2.HashFunction, rounds: Int, length: Int
    ) -> [UInt8] {
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: hash, outputByteCount: length, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares without an early exit, so timing does not reveal where two hashes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    /// OpenLDAP's adapted base64: `.` for `+`, no padding.
    static func ab64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: ".").replacingOccurrences(of: "=", with: "")
    }

    static func unab64(_ s: String) -> [UInt8]? {
        var t = s.replacingOccurrences(of: ".", with: "+")
        while t.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t).map(Array.init)
    }
}
