import Foundation
import LDAPProtocol

/// Value normalisation and comparison by matching kind (RFC 4517 §4.2, RFC 4518 simplified).
enum Matching {
    /// The form two values are compared in for equality and substrings.
    static func normalize(_ value: String, _ kind: MatchingKind) -> String {
        switch kind {
        case .caseIgnore: return DistinguishedName.foldValue(value)
        case .caseIgnoreIA5:
            // Insignificant spaces (RFC 4518 §2.6.1) are ignored as for caseIgnore: `(mail=a@b.c )`
            // matches a@b.c, as `(uid=a )` matches a (found by review).
            return value.utf8.contains(where: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) })
                ? DistinguishedName.foldValue(value) : value.lowercased()
        case .objectIdentifier, .boolean: return value.lowercased()
        case .telephoneNumber:
            return DistinguishedName.foldValue(value).filter { $0 != " " && $0 != "-" }
        case .distinguishedName:
            return (try? DistinguishedName(parsing: value))?.normalized ?? DistinguishedName.foldValue(value)
        case .integer:
            return Int64(value.trimmingCharacters(in: .whitespaces)).map(String.init) ?? value
        case .generalizedTime: return value.uppercased()
        case .caseExact, .octetString: return value
        }
    }

    /// Orders two normalised values: integers numerically, everything else by code points.
    static func compare(_ a: String, _ b: String, _ kind: MatchingKind) -> Int? {
        switch kind {
        case .integer:
            guard let x = Int64(a), let y = Int64(b) else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case .boolean, .distinguishedName, .objectIdentifier: return nil
        default: return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    /// Whether `value` (normalised) matches the substring assertion parts (normalised).
    static func substring(_ value: String, initial: String?, any: [String], final: String?) -> Bool {
        var rest = Substring(value)
        if let initial {
            guard rest.hasPrefix(initial) else { return false }
            rest = rest.dropFirst(initial.count)
        }
        for part in any where !part.isEmpty {
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
        if let final { return rest.hasSuffix(final) }
        return true
    }

    /// Matching rules known for extensible match, by OID and by name.
    static func rule(named name: String) -> MatchingKind? {
        switch name.lowercased() {
        case "2.5.13.2", "caseignorematch", "2.5.13.3", "caseignoreorderingmatch", "2.5.13.4",
            "caseignoresubstringsmatch":
            return .caseIgnore
        case "2.5.13.5", "caseexactmatch", "2.5.13.6", "caseexactorderingmatch": return .caseExact
        case "1.3.6.1.4.1.1466.109.114.2", "caseignoreia5match", "1.3.6.1.4.1.1466.109.114.1", "caseexactia5match":
            return .caseIgnoreIA5
        case "2.5.13.1", "distinguishednamematch": return .distinguishedName
        case "2.5.13.14", "integermatch", "2.5.13.15", "integerorderingmatch": return .integer
        case "2.5.13.20", "telephonenumbermatch": return .telephoneNumber
        case "2.5.13.0", "objectidentifiermatch": return .objectIdentifier
        case "2.5.13.13", "booleanmatch": return .boolean
        case "2.5.13.17", "octetstringmatch": return .octetString
        case "2.5.13.27", "generalizedtimematch", "2.5.13.28", "generalizedtimeorderingmatch": return .generalizedTime
        default: return nil
        }
    }
}
