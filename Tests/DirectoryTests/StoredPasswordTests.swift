import Directory
import Foundation
import PasswordHashing
import Testing

/// A stored password value with absurd parameters is refused when it is set and never matches,
/// at once, when a bind meets it (issue 8, item 5).
@Suite struct StoredPasswordTests {
    let hasher = StandardPasswordHasher(rounds: 1000)

    /// OpenLDAP's adapted base64 of `count` bytes.
    func ab64(_ count: Int, _ byte: UInt8 = 0x41) -> String {
        Data(repeating: byte, count: count).base64EncodedString().replacingOccurrences(of: "+", with: ".")
            .replacingOccurrences(of: "=", with: "")
    }

    func refusal(_ stored: String) -> String? {
        do {
            try hasher.validate(storedHash: stored)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func valuesTheHasherWritesAndOpenLDAPSchemesAreAccepted() throws {
        let own = hasher.hash("secret-1")
        try hasher.validate(storedHash: own)
        #expect(hasher.verify(Array("secret-1".utf8), against: own))
        #expect(!hasher.verify(Array("secret-2".utf8), against: own))
        try hasher.validate(storedHash: "{PBKDF2-SHA256}10000$\(ab64(16))$\(ab64(32))")
        try hasher.validate(storedHash: "{SSHA}" + Data(repeating: 1, count: 24).base64EncodedString())
        try hasher.validate(storedHash: "{SHA}" + Data(repeating: 1, count: 20).base64EncodedString())
        #expect(StandardPasswordHasher.Limits.maximumRounds == 1_000_000)
    }

    static let absurd: [(String, String)] = [
        ("{PBKDF2-SHA512}5000000$QUFBQUFBQUFBQUFBQUFBQQ$QUFBQUFBQUFBQUFBQUFBQQ", "iterations"),
        ("{PBKDF2-SHA512}99999999999$QUFBQUFBQUFBQUFBQUFBQQ$QUFBQUFBQUFBQUFBQUFBQQ", "iterations"),
        ("{PBKDF2-SHA512}0$QUFBQUFBQUFBQUFBQUFBQQ$QUFBQUFBQUFBQUFBQUFBQQ", "iterations"),
        ("{PBKDF2-SHA512}-5$QUFBQUFBQUFBQUFBQUFBQQ$QUFBQUFBQUFBQUFBQUFBQQ", "iterations"),
        ("{PBKDF2-SHA512}1000$QUFBQUFBQUFBQUFBQUFBQQ$" + String(repeating: "QUFB", count: 200), "derived key"),
        ("{PBKDF2-SHA512}1000$" + String(repeating: "QUFB", count: 400) + "$QUFBQUFBQUFBQUFBQUFBQQ", "salt"),
        ("{PBKDF2-SHA512}1000$QUFBQUFBQUFBQUFBQUFBQQ$Q", "derived key"),
        ("{PBKDF2-SHA512}1000$QUFBQUFBQUFBQUFBQUFBQQ", "rounds$salt$key"),
        ("{PBKDF2-SHA512}1000$!!!!$QUFBQUFBQUFBQUFBQUFBQQ", "salt"),
        ("{SSHA}QUFBQUF", "digest"),
        ("{SSHA}QUFBQUFBQUFBQUFBQUFBQUFBQUE=", "digest"),
        ("{SSHA512}" + String(repeating: "QUFB", count: 400), "salt"),
        ("{SHA}QUFBQUFB", "digest"),
        ("{CRYPT}$9$abc$def", "not supported"),
        ("{CRYPT}$6$rounds=5000000$abc$def", "rounds is refused"),
        ("{CRYPT}$2b$20$abcdefghijklmnopqrstuv", "cost above 14"),
        ("{MD5}1B2M2Y8AsgTpgAmY7PhCfg==", "not supported"),
        ("plain-text", "{SCHEME}"),
        ("{PBKDF2-SHA512" + String(repeating: "9", count: 5000), "at most"),
    ]

    @Test(arguments: absurd)
    func anAbsurdStoredValueIsRefusedWhenSet(stored: String, rule: String) {
        let message = refusal(stored)
        #expect(message != nil, "accepted: \(stored.prefix(60))")
        #expect(message?.hasPrefix("password: ") == true)
        #expect(message?.contains(rule) == true, "\(message ?? "") should name \(rule)")
        #expect(message?.contains("QUFB") != true, "the message never repeats the value")
    }

    @Test(arguments: absurd)
    func anAbsurdStoredValueNeverMatchesAndAnswersAtOnce(stored: String, rule: String) {
        let start = Date()
        #expect(!hasher.verify(Array("AAAAAAAAAAAAAAAA".utf8), against: stored))
        #expect(Date().timeIntervalSince(start) < 1, "no work is spent on a refused value")
    }

    @Test func newHashesStayWithinTheCap() throws {
        let capped = StandardPasswordHasher(rounds: 50_000_000)
        #expect(capped.rounds == StandardPasswordHasher.Limits.maximumRounds)
    }
}
