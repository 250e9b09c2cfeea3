public import Directory
import Crypto
import _CryptoExtras
import Foundation

/// Hashes with PBKDF2-SHA512 by default and verifies the schemes OpenLDAP and 389-ds write:
/// `{PBKDF2-SHA512}`, `{PBKDF2-SHA256}`, `{PBKDF2-SHA1}`/`{PBKDF2}` (OpenLDAP's pw-pbkdf2 format,
/// `rounds$salt$hash` in adapted base64), `{SSHA512}`, `{SSHA256}`, `{SSHA}`, `{SHA}`, and
/// `{CRYPT}` with the methods the platform's crypt(3) supports (SHA-512 `$6$` and SHA-256 `$5$`
/// with at most 1 000 000 rounds, bcrypt `$2b$` with a cost of at most 14, yescrypt `$y$` with
/// Debian's default cost, MD5 `$1$`, traditional DES).
///
/// A stored value is parsed before any work is done on it. Values outside ``Limits`` — more PBKDF2
/// iterations than ``Limits/maximumRounds``, a derived key longer than 512 bytes, a salt longer
/// than 1 024 bytes, bad base64, an unknown scheme — are refused when they are set
/// (``validate(storedHash:)``) and never match, at once, when a bind meets one.
public struct StandardPasswordHasher: PasswordHasher {
    /// The bounds on a stored value's parameters.
    public enum Limits {
        /// The most PBKDF2 iterations a stored value may ask for: 1 000 000 (about a second of
        /// one core for SHA-512). Above OWASP's 2023 advice for PBKDF2-SHA512 (210 000) and
        /// PBKDF2-SHA256 (600 000) and far above OpenLDAP's and 389-ds's defaults (10 000).
        public static let maximumRounds = 1_000_000
        /// The longest PBKDF2 derived key: 512 bytes.
        public static let maximumDerivedKeyLength = 512
        /// The longest salt: 1 024 bytes.
        public static let maximumSaltLength = 1024
        /// The longest stored value: 4 096 characters.
        public static let maximumStoredLength = 4096
    }

    /// PBKDF2 iterations for new hashes.
    public var rounds: Int

    /// - Parameter rounds: PBKDF2-SHA512 iterations for new hashes (default 100 000; kept within
    ///   1…``Limits/maximumRounds``).
    public init(rounds: Int = 100_000) { self.rounds = min(max(rounds, 1), Limits.maximumRounds) }

    public func hash(_ password: String) -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        // Deriving with these fixed parameters does not fail; if it ever did, the empty key makes
        // a value that never matches rather than a trap.
        let dk = Self.pbkdf2(Array(password.utf8), salt: salt, hash: .sha512, rounds: rounds, length: 64) ?? []
        return "{PBKDF2-SHA512}\(rounds)$\(Self.ab64(salt))$\(Self.ab64(dk))"
    }

    public func verify(_ password: [UInt8], against stored: String) -> Bool {
        guard case .success(let parsed) = Self.parse(stored) else { return false }
        switch parsed {
        case .pbkdf2(let hash, let rounds, let salt, let expected):
            guard let dk = Self.pbkdf2(password, salt: salt, hash: hash, rounds: rounds, length: expected.count) else {
                return false
            }
            return Self.constantTimeEqual(dk, expected)
        case .salted(let digest, let salt, let expected):
            return Self.constantTimeEqual(digest.digest(password + salt), expected)
        case .unsalted(let digest, let expected):
            return Self.constantTimeEqual(digest.digest(password), expected)
        case .crypt(let setting):
            guard let result = SystemCrypt.hash(password, setting: setting) else { return false }
            return Self.constantTimeEqual(Array(result.utf8), Array(setting.utf8))
        }
    }

    /// Salted and unsalted SHA schemes cost one digest; a password of at most 128 bytes keeps it
    /// under a microsecond or two. PBKDF2 is never cheap.
    /// Decided by the scheme's name alone (parsing the value decoded its base64 on every bind): a
    /// malformed value of a digest scheme is "cheap" and then fails its check like a wrong password.
    public func isCheapToVerify(_ password: [UInt8], against stored: String) -> Bool {
        guard password.count <= 128, stored.utf8.count <= Limits.maximumStoredLength else { return false }
        return Self.digestSchemeName(stored)
    }

    /// Whether a stored value starts with `{SSHA}`, `{SSHA256}`, `{SSHA512}` or `{SHA}` (any case).
    static func digestSchemeName(_ stored: String) -> Bool {
        // The name upper-cased, packed into a word (the names are at most 7 bytes).
        var name: UInt64 = 0
        var length = 0
        var iterator = stored.utf8.makeIterator()
        guard iterator.next() == UInt8(ascii: "{") else { return false }
        while let b = iterator.next() {
            if b == UInt8(ascii: "}") { return digestSchemes.contains(name) }
            length += 1
            guard length <= 7, b > 0x20, b < 0x7F else { return false }
            name = name << 8 | UInt64(b >= 0x61 && b <= 0x7A ? b - 0x20 : b)
        }
        return false
    }

    private static let digestSchemes: [UInt64] = ["SSHA", "SHA", "SSHA256", "SSHA512"].map { name in
        name.utf8.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public func validate(storedHash: String) throws(DirectoryError) {
        switch Self.parse(storedHash) {
        case .failure(let e): throw e
        case .success(.crypt(let setting)):
            // The platform must compute it: an unsupported method would never match anything.
            guard SystemCrypt.hash(Array("probe".utf8), setting: setting) != nil else {
                throw Self.refusal("{CRYPT}: this platform's crypt(3) does not support this method")
            }
        case .success: break
        }
    }

    /// Everything but `{PBKDF2-SHA512}` with at least ``rounds`` iterations is upgraded.
    public func needsRehash(_ stored: String) -> Bool {
        guard stored.uppercased().hasPrefix("{PBKDF2-SHA512}"), case .success(.pbkdf2(_, let r, _, let expected)) = Self.parse(stored)
        else { return true }
        return r < rounds || expected.count < 64
    }

    // MARK: - Parsing stored values

    enum Digest {
        case sha1, sha256, sha512

        var length: Int {
            switch self {
            case .sha1: 20
            case .sha256: 32
            case .sha512: 64
            }
        }

        func digest(_ bytes: [UInt8]) -> [UInt8] {
            switch self {
            case .sha1: Array(Insecure.SHA1.hash(data: bytes))
            case .sha256: Array(SHA256.hash(data: bytes))
            case .sha512: Array(SHA512.hash(data: bytes))
            }
        }
    }

    /// A stored value, checked: every parameter within ``Limits``.
    enum Parsed {
        case pbkdf2(KDF.Insecure.PBKDF2.HashFunction, rounds: Int, salt: [UInt8], expected: [UInt8])
        case salted(Digest, salt: [UInt8], expected: [UInt8])
        case unsalted(Digest, expected: [UInt8])
        /// A crypt(3) string (`$6$salt$hash`…), checked to be one the platform computes.
        case crypt(String)
    }

    static func refusal(_ rule: String) -> DirectoryError {
        DirectoryError(.invalidValue, field: .password, rule)
    }

    /// Parses `{SCHEME}rest`, refusing what is malformed or outside the limits.
    static func parse(_ stored: String) -> Result<Parsed, DirectoryError> {
        guard stored.utf8.count <= Limits.maximumStoredLength else {
            return .failure(refusal("a stored password value may have at most \(Limits.maximumStoredLength) characters"))
        }
        guard stored.hasPrefix("{"), let close = stored.firstIndex(of: "}") else {
            return .failure(refusal("a stored password value starts with {SCHEME}"))
        }
        let scheme = stored[stored.index(after: stored.startIndex)..<close].uppercased()
        let rest = String(stored[stored.index(after: close)...])
        switch scheme {
        case "PBKDF2-SHA512": return parsePBKDF2(rest, scheme, .sha512)
        case "PBKDF2-SHA256": return parsePBKDF2(rest, scheme, .sha256)
        case "PBKDF2-SHA1", "PBKDF2": return parsePBKDF2(rest, scheme, .insecureSHA1)
        case "SSHA512": return parseSalted(rest, scheme, .sha512)
        case "SSHA256": return parseSalted(rest, scheme, .sha256)
        case "SSHA": return parseSalted(rest, scheme, .sha1)
        case "SHA":
            guard let raw = Data(base64Encoded: rest), raw.count == Digest.sha1.length else {
                return .failure(refusal("{SHA} needs the base64 of a \(Digest.sha1.length)-byte digest"))
            }
            return .success(.unsalted(.sha1, expected: Array(raw)))
        case "CRYPT": return parseCrypt(rest)
        default:
            return .failure(refusal("the scheme {\(scheme.prefix(32))} is not supported"))
        }
    }

    private static func parsePBKDF2(
        _ rest: String, _ scheme: String, _ hash: KDF.Insecure.PBKDF2.HashFunction
    ) -> Result<Parsed, DirectoryError> {
        let parts = rest.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(refusal("{\(scheme)} needs rounds$salt$key")) }
        let digits = parts[0]
        guard !digits.isEmpty, digits.count <= 10, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let rounds = Int(digits), rounds >= 1
        else { return .failure(refusal("{\(scheme)} needs a positive number of iterations")) }
        guard rounds <= Limits.maximumRounds else {
            return .failure(
                refusal("{\(scheme)} with \(rounds) iterations is refused; at most \(Limits.maximumRounds) are allowed"))
        }
        guard let salt = unab64(String(parts[1])), !salt.isEmpty else {
            return .failure(refusal("{\(scheme)} needs a salt in base64"))
        }
        guard salt.count <= Limits.maximumSaltLength else {
            return .failure(refusal("a salt of \(salt.count) bytes is refused; at most \(Limits.maximumSaltLength) are allowed"))
        }
        guard let expected = unab64(String(parts[2])), !expected.isEmpty else {
            return .failure(refusal("{\(scheme)} needs a derived key in base64"))
        }
        guard expected.count <= Limits.maximumDerivedKeyLength else {
            return .failure(
                refusal("a derived key of \(expected.count) bytes is refused; at most \(Limits.maximumDerivedKeyLength) are allowed"))
        }
        return .success(.pbkdf2(hash, rounds: rounds, salt: salt, expected: expected))
    }

    /// The crypt(3) methods accepted, with bounds on their cost: a stored value must never make
    /// one bind cost seconds.
    private static func parseCrypt(_ rest: String) -> Result<Parsed, DirectoryError> {
        let allowed = Set("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$=,".utf8)
        guard !rest.isEmpty, rest.utf8.count <= 512, rest.utf8.allSatisfy(allowed.contains) else {
            return .failure(refusal("{CRYPT} needs a crypt(3) string such as $6$salt$hash"))
        }
        let fields = rest.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        if !rest.hasPrefix("$") {
            guard rest.utf8.count == 13, !rest.contains("$") else {
                return .failure(refusal("{CRYPT} needs a crypt(3) string such as $6$salt$hash"))
            }
        } else {
            guard fields.count >= 4 else { return .failure(refusal("{CRYPT} needs $method$salt$hash")) }
            switch fields[1] {
            case "1": break
            case "5", "6":
                if fields[2].hasPrefix("rounds=") {
                    guard let n = Int(fields[2].dropFirst(7)), n <= 1_000_000 else {
                        return .failure(refusal("{CRYPT} with more than 1000000 rounds is refused"))
                    }
                }
            case "2a", "2b", "2y":
                guard let cost = Int(fields[2]), cost <= 14 else {
                    return .failure(refusal("{CRYPT} bcrypt with a cost above 14 is refused"))
                }
            case "y":
                guard ["j9T", "j8T", "j7T", "jAT"].contains(fields[2]) else {
                    return .failure(refusal("{CRYPT} yescrypt is accepted with the default cost (j9T) or lower"))
                }
            default:
                return .failure(refusal("{CRYPT} method $\(fields[1].prefix(8))$ is not supported"))
            }
        }
        return .success(.crypt(rest))
    }

    private static func parseSalted(_ rest: String, _ scheme: String, _ digest: Digest) -> Result<Parsed, DirectoryError> {
        guard let raw = Data(base64Encoded: rest), raw.count > digest.length else {
            return .failure(refusal("{\(scheme)} needs the base64 of a \(digest.length)-byte digest and a salt"))
        }
        let bytes = Array(raw)
        let salt = Array(bytes[digest.length...])
        guard salt.count <= Limits.maximumSaltLength else {
            return .failure(refusal("a salt of \(salt.count) bytes is refused; at most \(Limits.maximumSaltLength) are allowed"))
        }
        return .success(.salted(digest, salt: salt, expected: Array(bytes[..<digest.length])))
    }

    // MARK: - Primitives

    static func pbkdf2(
        _ password: [UInt8], salt: [UInt8], hash: KDF.Insecure.PBKDF2.HashFunction, rounds: Int, length: Int
    ) -> [UInt8]? {
        guard let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: hash, outputByteCount: length, unsafeUncheckedRounds: rounds)
        else { return nil }
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares without an early exit, so timing does not reveal where two hashes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    /// OpenLDAP's adapted base64: `.` for `+`, no padding.
    static func ab64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: ".").replacingOccurrences(of: "=", with: "")
    }

    static func unab64(_ s: String) -> [UInt8]? {
        var t = s.replacingOccurrences(of: ".", with: "+")
        while t.utf8.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t).map(Array.init)
    }
}
