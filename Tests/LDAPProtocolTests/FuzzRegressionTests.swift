import BER
import Testing

@testable import LDAPProtocol

/// Inputs the fuzzers in Fuzz/ found, each kept as a test of the rule it broke.
@Suite struct FuzzRegressionTests {
    /// A filter string with `operators` and/or/not nested: `(!` around `innermost`, itself one.
    static func nested(_ operators: Int, around innermost: String) -> String {
        String(repeating: "(!", count: operators - 1) + innermost + String(repeating: ")", count: operators - 1)
    }

    // FuzzFilter: "(&)" parsed at maxDepth 0, and 65 operators ending in an empty (&) at the
    // default 64, though the BER decoder refuses both: the string parser counted the item's
    // level, not the operators.
    @Test(arguments: ["(&)", "(|)", "(!(cn=a))", "(&(cn=a)(sn=b))"], [1, 2, 64])
    func theFilterStringLimitCountsOperatorsAsTheDecoderDoes(innermost: String, operators: Int) throws {
        let string = Self.nested(operators, around: innermost)
        let filter = try Filter(parsing: string, maxDepth: operators)
        #expect(throws: FilterSyntaxError.self) { try Filter(parsing: string, maxDepth: operators - 1) }

        var s = BERSerializer()
        filter.encode(into: &s)
        var reader = BERReader(s.bytes[...], limits: ProtocolLimits().ber)
        let node = try reader.read()
        #expect(try Filter(berEncoded: node, maxDepth: operators) == filter)
        #expect(throws: BERError.self) { try Filter(berEncoded: node, maxDepth: operators - 1) }
    }

    @Test func aFilterStringOneOperatorTooDeepNamesTheLimit() {
        #expect(throws: FilterSyntaxError.self) { try Filter(parsing: Self.nested(65, around: "(&)")) }
        do {
            _ = try Filter(parsing: Self.nested(65, around: "(|)"))
        } catch {
            #expect(error.reason.contains("nested deeper than 64 levels of and/or/not"), "\(error)")
        }
    }

    // FuzzDN, on RFC 4514's own example CN=Before\0dAfter: an ASCII value kept its CR (or TAB,
    // LF…) when folded, while a value with any non-ASCII character had it folded to a space, so
    // "Before\rAfter" and "Before After" named different entries.
    @Test(arguments: ["Before\rAfter", "Before\tAfter", "Before\nAfter", "Before\u{0B}After", "Before\u{0C}After", "BEFORE \t\r\n AFTER"])
    func everyWhitespaceFoldsToOneSpaceInASCIIValuesToo(value: String) {
        #expect(DistinguishedName.foldValue(value) == "before after")
        #expect(DistinguishedName.foldValue("é" + value) == "ébefore after")
    }

    @Test(arguments: [" Before After\t", "\tbefore after", "\r\nbefore\r\nafter\r\n"])
    func whitespaceAroundAnASCIIValueIsDropped(value: String) {
        #expect(DistinguishedName.foldValue(value) == "before after")
    }

    @Test func aDNWithAnEscapedCarriageReturnNormalisesAsWithASpace() throws {
        let withCR = try DistinguishedName(parsing: "CN=Before\\0dAfter,DC=example,DC=net")
        let withSpace = try DistinguishedName(parsing: "cn=before after,dc=example,dc=net")
        #expect(withCR.normalized == "cn=before after,dc=example,dc=net")
        #expect(withCR.normalized == withSpace.normalized)
        #expect(withCR.isWithin(withSpace) && withSpace.isWithin(withCR))
    }

    /// Found by the CI fuzz run: a combining mark after whitespace folded to a space and the mark,
    /// which folded again lost the mark (a space and a combining mark are one Character).
    @Test(arguments: ["i\t\u{0307}9", "a \u{0301}b", "x\n\u{0300}\u{0301}", "\u{0307}", " \u{0307} "])
    func foldingIsIdempotentWhenWhitespaceMeetsACombiningMark(value: String) throws {
        let once = DistinguishedName.foldValue(value)
        #expect(DistinguishedName.foldValue(once) == once)
        #expect(Array(once.unicodeScalars).contains("\u{0307}") == value.unicodeScalars.contains("\u{0307}"))
        let dn = try DistinguishedName(parsing: "c=" + value.replacingOccurrences(of: " ", with: "\\20"))
        #expect(try DistinguishedName(parsing: dn.normalized).normalized == dn.normalized)
    }

    // FuzzDN, from a clean clone's seeded run: `İ` (U+0130) before a combining mark lower-cased
    // to `i` U+0307 with the marks out of canonical order, which a second fold reordered, so
    // normalising a DN was not idempotent.
    @Test(arguments: ["UID=\nİ\u{317}İ\u{307}İ", "cn=İ\u{317}", "cn=Ａİ\u{316}\u{301}", "cn=ℌİ\u{317}x", "cn=i\u{307}\u{317}"])
    func normalisingACapitalDottedIBeforeAMarkIsIdempotent(input: String) throws {
        let dn = try DistinguishedName(parsing: input)
        let normalized = dn.normalized
        #expect(Array(try DistinguishedName(parsing: normalized).normalized.utf8) == Array(normalized.utf8), "\(Array(normalized.utf8))")
        for rdn in dn.rdns {
            for pair in rdn.attributes {
                let once = DistinguishedName.foldValue(pair.value)
                #expect(Array(DistinguishedName.foldValue(once).utf8) == Array(once.utf8))
            }
        }
    }
}
