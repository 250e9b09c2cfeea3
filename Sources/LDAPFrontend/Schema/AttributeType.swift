/// How values of an attribute are compared (the equality and ordering matching rules by syntax).
public enum MatchingKind: Sendable, Hashable {
    /// caseIgnoreMatch / caseIgnoreOrderingMatch / caseIgnoreSubstringsMatch.
    case caseIgnore
    /// caseExactMatch.
    case caseExact
    /// caseIgnoreIA5Match (mail).
    case caseIgnoreIA5
    /// telephoneNumberMatch: spaces and hyphens ignored.
    case telephoneNumber
    /// distinguishedNameMatch.
    case distinguishedName
    /// integerMatch / integerOrderingMatch.
    case integer
    /// generalizedTimeMatch / generalizedTimeOrderingMatch.
    case generalizedTime
    /// booleanMatch.
    case boolean
    /// objectIdentifierMatch (objectClass): case-insensitive names.
    case objectIdentifier
    /// octetStringMatch.
    case octetString
}

/// An attribute type Roster knows: its canonical name, aliases, OID and how it matches.
///
/// A class: the registry holds one of each, and entries carry references to them (a struct's
/// three strings and array were four retains per attribute copied, and its key was lower-cased
/// on every comparison: both showed in a search's profile).
public final class AttributeType: Sendable, Hashable {
    public let name: String
    public let aliases: [String]
    public let oid: String
    public let matching: MatchingKind
    /// Operational attributes are returned only when asked for by name or with `+`.
    public let operational: Bool
    /// Names whose values are matched through pinyin as well (cn, displayName, sn, givenName).
    public let pinyin: Bool
    /// The lower-cased canonical name that identifies the type.
    public let key: String
    /// Its place in the registry (-1 for a type not registered): what an attribute list is
    /// tested by (``AttributeWant``), without hashing the name.
    public let index: Int

    /// - Parameters: see the properties.
    public init(
        _ name: String, oid: String, _ matching: MatchingKind, aliases: [String] = [], operational: Bool = false,
        pinyin: Bool = false
    ) {
        self.name = name
        self.aliases = aliases
        self.oid = oid
        self.matching = matching
        self.operational = operational
        self.pinyin = pinyin
        self.key = name.lowercased()
        self.index = -1
    }

    /// The same type at its place in the registry.
    init(_ other: AttributeType, index: Int) {
        self.name = other.name
        self.aliases = other.aliases
        self.oid = other.oid
        self.matching = other.matching
        self.operational = other.operational
        self.pinyin = other.pinyin
        self.key = other.key
        self.index = index
    }

    public static func == (a: AttributeType, b: AttributeType) -> Bool { a === b || a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key) }
}

/// The attribute types Roster serves, looked up by any of their names or their OID, case ignored.
public enum AttributeRegistry {
    /// Roster's project arc (X.667 UUID OID): attributes `.1.n`, object classes `.2.n`.
    public static let arc = "2.25.121712965254274650008542573729291927098"

    static let all: [AttributeType] = listed.enumerated().map { AttributeType($1, index: $0) }

    private static let listed: [AttributeType] = [
        AttributeType("objectClass", oid: "2.5.4.0", .objectIdentifier),
        AttributeType("cn", oid: "2.5.4.3", .caseIgnore, aliases: ["commonName"], pinyin: true),
        AttributeType("sn", oid: "2.5.4.4", .caseIgnore, aliases: ["surname"], pinyin: true),
        AttributeType("givenName", oid: "2.5.4.42", .caseIgnore, aliases: ["gn"], pinyin: true),
        AttributeType("displayName", oid: "2.16.840.1.113730.3.1.241", .caseIgnore, pinyin: true),
        AttributeType("uid", oid: "0.9.2342.19200300.100.1.1", .caseIgnore, aliases: ["userid"]),
        AttributeType("mail", oid: "0.9.2342.19200300.100.1.3", .caseIgnoreIA5, aliases: ["rfc822Mailbox"]),
        AttributeType("mobile", oid: "0.9.2342.19200300.100.1.41", .telephoneNumber, aliases: ["mobileTelephoneNumber"]),
        AttributeType("telephoneNumber", oid: "2.5.4.20", .telephoneNumber),
        AttributeType("title", oid: "2.5.4.12", .caseIgnore),
        AttributeType("ou", oid: "2.5.4.11", .caseIgnore, aliases: ["organizationalUnitName"]),
        AttributeType("o", oid: "2.5.4.10", .caseIgnore, aliases: ["organizationName"]),
        AttributeType("dc", oid: "0.9.2342.19200300.100.1.25", .caseIgnoreIA5, aliases: ["domainComponent"]),
        AttributeType("departmentNumber", oid: "2.16.840.1.113730.3.1.2", .caseIgnore),
        AttributeType("postalAddress", oid: "2.5.4.16", .caseIgnore),
        AttributeType("description", oid: "2.5.4.13", .caseIgnore),
        AttributeType("manager", oid: "0.9.2342.19200300.100.1.10", .distinguishedName),
        AttributeType("member", oid: "2.5.4.31", .distinguishedName),
        AttributeType("userPassword", oid: "2.5.4.35", .octetString),
        AttributeType("rosterNickname", oid: "\(arc).1.1", .caseIgnore),
        AttributeType("rosterGender", oid: "\(arc).1.2", .caseIgnore),
        AttributeType("rosterWeChatID", oid: "\(arc).1.3", .caseIgnore),
        AttributeType("rosterQQ", oid: "\(arc).1.4", .caseIgnore),
        AttributeType("rosterBirthday", oid: "\(arc).1.5", .caseIgnore),
        AttributeType("rosterLunarBirthday", oid: "\(arc).1.6", .caseIgnore),
        AttributeType("rosterBirthdayReminder", oid: "\(arc).1.7", .caseIgnore),
        AttributeType("rosterHireDate", oid: "\(arc).1.8", .caseIgnore),
        AttributeType("rosterFollowStatus", oid: "\(arc).1.9", .caseIgnore),
        AttributeType("rosterPinned", oid: "\(arc).1.10", .boolean),
        AttributeType("rosterHidden", oid: "\(arc).1.11", .boolean),
        AttributeType("rosterStatus", oid: "\(arc).1.12", .caseIgnore),
        AttributeType("rosterSortOrder", oid: "\(arc).1.13", .integer),
        AttributeType("rosterVisibility", oid: "\(arc).1.14", .caseIgnore),
        AttributeType("rosterLeader", oid: "\(arc).1.15", .distinguishedName),
        AttributeType("rosterDepartmentID", oid: "\(arc).1.16", .integer),
        AttributeType("rosterPinyin", oid: "\(arc).1.17", .caseIgnore, operational: true),
        AttributeType("rosterPinyinInitials", oid: "\(arc).1.18", .caseIgnore, operational: true),
        AttributeType("rosterMemberCount", oid: "\(arc).1.19", .integer, operational: true),
        AttributeType("rosterSubtreeMemberCount", oid: "\(arc).1.20", .integer, operational: true),
        AttributeType("rosterPlaintextBinds", oid: "\(arc).1.21", .caseIgnore, operational: true),
        AttributeType("rosterLockedUntil", oid: "\(arc).1.22", .generalizedTime, operational: true),
        AttributeType("rosterAdminLogin", oid: "\(arc).1.23", .caseIgnore, operational: true),
        AttributeType("rosterNodeId", oid: "\(arc).1.24", .caseIgnore, operational: true),
        AttributeType("rosterStore", oid: "\(arc).1.25", .caseIgnore, operational: true),
        AttributeType("rosterAppliedSequence", oid: "\(arc).1.26", .integer, operational: true),
        AttributeType("rosterLastCatchUp", oid: "\(arc).1.27", .generalizedTime, operational: true),
        AttributeType("rosterListening", oid: "\(arc).1.28", .boolean, operational: true),
        AttributeType("rosterLagSeconds", oid: "\(arc).1.29", .caseIgnore, operational: true),
        AttributeType("pwdChangedTime", oid: "1.3.6.1.4.1.42.2.27.8.1.16", .generalizedTime, operational: true),
        AttributeType("pwdAccountLockedTime", oid: "1.3.6.1.4.1.42.2.27.8.1.17", .generalizedTime, operational: true),
        AttributeType("pwdFailureTime", oid: "1.3.6.1.4.1.42.2.27.8.1.19", .generalizedTime, operational: true),
        AttributeType("memberOf", oid: "1.2.840.113556.1.2.102", .distinguishedName, operational: true),
        AttributeType("entryUUID", oid: "1.3.6.1.1.16.4", .caseIgnore, operational: true),
        AttributeType("entryDN", oid: "1.3.6.1.1.20", .distinguishedName, operational: true),
        AttributeType("createTimestamp", oid: "2.5.18.1", .generalizedTime, operational: true),
        AttributeType("modifyTimestamp", oid: "2.5.18.2", .generalizedTime, operational: true),
        AttributeType("creatorsName", oid: "2.5.18.3", .distinguishedName, operational: true),
        AttributeType("modifiersName", oid: "2.5.18.4", .distinguishedName, operational: true),
        AttributeType("hasSubordinates", oid: "2.5.18.9", .boolean, operational: true),
        AttributeType("numSubordinates", oid: "1.3.6.1.4.1.453.16.2.103", .integer, operational: true),
        AttributeType("subschemaSubentry", oid: "2.5.18.10", .distinguishedName, operational: true),
        AttributeType("structuralObjectClass", oid: "2.5.21.9", .objectIdentifier, operational: true),
        AttributeType("namingContexts", oid: "1.3.6.1.4.1.1466.101.120.5", .distinguishedName, operational: true),
        AttributeType("supportedLDAPVersion", oid: "1.3.6.1.4.1.1466.101.120.15", .integer, operational: true),
        AttributeType("supportedControl", oid: "1.3.6.1.4.1.1466.101.120.13", .objectIdentifier, operational: true),
        AttributeType("supportedExtension", oid: "1.3.6.1.4.1.1466.101.120.7", .objectIdentifier, operational: true),
        AttributeType("supportedFeatures", oid: "1.3.6.1.4.1.4203.1.3.5", .objectIdentifier, operational: true),
        AttributeType("supportedSASLMechanisms", oid: "1.3.6.1.4.1.1466.101.120.14", .caseIgnore, operational: true),
        AttributeType("vendorName", oid: "1.3.6.1.1.4", .caseExact, operational: true),
        AttributeType("vendorVersion", oid: "1.3.6.1.1.5", .caseExact, operational: true),
        AttributeType("subtreeSpecification", oid: "2.5.18.6", .caseExact, operational: true),
        AttributeType("name", oid: "2.5.4.41", .caseIgnore),
        AttributeType("distinguishedName", oid: "2.5.4.49", .distinguishedName),
        AttributeType("attributeTypes", oid: "2.5.21.5", .objectIdentifier, operational: true),
        AttributeType("objectClasses", oid: "2.5.21.6", .objectIdentifier, operational: true),
        AttributeType("ldapSyntaxes", oid: "1.3.6.1.4.1.1466.101.120.16", .objectIdentifier, operational: true),
        AttributeType("matchingRules", oid: "2.5.21.4", .objectIdentifier, operational: true),
    ]

    static let byName: [String: AttributeType] = {
        var map: [String: AttributeType] = [:]
        for t in all {
            map[t.name.lowercased()] = t
            map[t.name] = t
            map[t.oid] = t
            for a in t.aliases { map[a.lowercased()] = t; map[a] = t }
        }
        return map
    }()

    /// The type named by an attribute description (options such as `;binary` ignored), or nil.
    public static func type(named description: String) -> AttributeType? {
        // Most names arrive as the registry spells them (the entry builder's, most clients'):
        // looked up as they are before lower-casing.
        if let t = byName[description] { return t }
        if let t = byName[description.lowercased()] { return t }
        guard let semi = description.firstIndex(of: ";") else { return nil }
        return byName[description[..<semi].lowercased()]
    }
}
