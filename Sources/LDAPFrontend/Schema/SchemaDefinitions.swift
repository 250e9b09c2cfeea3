/// Roster's schema: every attribute type, object class, syntax and matching rule it serves, as
/// RFC 4512 §4.1 definitions. The same definitions produce the `cn=Subschema` entry and the
/// OpenLDAP files in `schema/` (`roster schema`), so the two cannot drift.
public enum SchemaDefinitions {
    /// An attribute type description (RFC 4512 §4.1.2).
    public struct AttributeTypeDefinition: Sendable, Hashable {
        public var oid: String
        public var names: [String]
        public var description: String?
        public var sup: String?
        public var equality: String?
        public var ordering: String?
        public var substr: String?
        public var syntax: String?
        public var singleValue = false
        public var noUserModification = false
        public var usage: String?

        /// The RFC 4512 string form.
        public var rendered: String {
            var s = "( \(oid) NAME " + SchemaDefinitions.names(names)
            if let description { s += " DESC '\(description)'" }
            if let sup { s += " SUP \(sup)" }
            if let equality { s += " EQUALITY \(equality)" }
            if let ordering { s += " ORDERING \(ordering)" }
            if let substr { s += " SUBSTR \(substr)" }
            if let syntax { s += " SYNTAX \(syntax)" }
            if singleValue { s += " SINGLE-VALUE" }
            if noUserModification { s += " NO-USER-MODIFICATION" }
            if let usage { s += " USAGE \(usage)" }
            return s + " )"
        }
    }

    /// An object class description (RFC 4512 §4.1.1).
    public struct ObjectClassDefinition: Sendable, Hashable {
        public var oid: String
        public var name: String
        public var description: String?
        public var sup: String?
        public var kind: String
        public var must: [String] = []
        public var may: [String] = []

        /// The RFC 4512 string form.
        public var rendered: String {
            var s = "( \(oid) NAME '\(name)'"
            if let description { s += " DESC '\(description)'" }
            if let sup { s += " SUP \(sup)" }
            s += " \(kind)"
            if !must.isEmpty { s += " MUST " + SchemaDefinitions.list(must) }
            if !may.isEmpty { s += " MAY " + SchemaDefinitions.list(may) }
            return s + " )"
        }
    }

    static func names(_ names: [String]) -> String {
        names.count == 1 ? "'\(names[0])'" : "( " + names.map { "'\($0)'" }.joined(separator: " ") + " )"
    }

    static func list(_ items: [String]) -> String {
        items.count == 1 ? items[0] : "( " + items.joined(separator: " $ ") + " )"
    }

    static let ds = "1.3.6.1.4.1.1466.115.121.1.15"
    static let dn = "1.3.6.1.4.1.1466.115.121.1.12"
    static let oidSyntax = "1.3.6.1.4.1.1466.115.121.1.38"
    static let boolean = "1.3.6.1.4.1.1466.115.121.1.7"
    static let integer = "1.3.6.1.4.1.1466.115.121.1.27"
    static let time = "1.3.6.1.4.1.1466.115.121.1.24"
    static let arc = AttributeRegistry.arc

    static func string(_ oid: String, _ name: String, _ desc: String, single: Bool = true) -> AttributeTypeDefinition {
        AttributeTypeDefinition(
            oid: oid, names: [name], description: desc, equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch",
            syntax: ds, singleValue: single)
    }

    static func operational(
        _ oid: String, _ names: [String], equality: String?, ordering: String? = nil, syntax: String, single: Bool = true,
        usage: String = "directoryOperation", noUserModification: Bool = true
    ) -> AttributeTypeDefinition {
        AttributeTypeDefinition(
            oid: oid, names: names, equality: equality, ordering: ordering, syntax: syntax, singleValue: single,
            noUserModification: noUserModification, usage: usage)
    }

    /// Roster's own attribute types, under its arc.
    public static let projectAttributeTypes: [AttributeTypeDefinition] = [
        string("\(arc).1.1", "rosterNickname", "nickname (昵称)"),
        string("\(arc).1.2", "rosterGender", "gender (性别)"),
        string("\(arc).1.3", "rosterWeChatID", "WeChat id (微信号)"),
        string("\(arc).1.4", "rosterQQ", "QQ number (QQ号码)"),
        string("\(arc).1.5", "rosterBirthday", "solar birthday YYYY-MM-DD (阳历生日)"),
        string("\(arc).1.6", "rosterLunarBirthday", "lunar birthday MM-DD (农历生日)"),
        string("\(arc).1.7", "rosterBirthdayReminder", "birthday reminder: solar or lunar (生日提醒)"),
        string("\(arc).1.8", "rosterHireDate", "hire date YYYY-MM-DD (入职时间)"),
        string("\(arc).1.9", "rosterFollowStatus", "follow status (关注状态)"),
        AttributeTypeDefinition(oid: "\(arc).1.10", names: ["rosterPinned"], description: "pinned in its department (置顶)", equality: "booleanMatch", syntax: boolean, singleValue: true),
        AttributeTypeDefinition(oid: "\(arc).1.11", names: ["rosterHidden"], description: "hidden from other members", equality: "booleanMatch", syntax: boolean, singleValue: true),
        string("\(arc).1.12", "rosterStatus", "active or departed (离职)"),
        AttributeTypeDefinition(oid: "\(arc).1.13", names: ["rosterSortOrder"], description: "department sort order, smaller first", equality: "integerMatch", ordering: "integerOrderingMatch", syntax: integer, singleValue: true),
        string("\(arc).1.14", "rosterVisibility", "visibility scope: all, department, subdepartment or inherit (权限选择)"),
        AttributeTypeDefinition(oid: "\(arc).1.15", names: ["rosterLeader"], description: "department leaders (部门负责人)", equality: "distinguishedNameMatch", syntax: dn),
        AttributeTypeDefinition(oid: "\(arc).1.16", names: ["rosterDepartmentID"], description: "stable numeric id of a department", equality: "integerMatch", ordering: "integerOrderingMatch", syntax: integer, singleValue: true),
        AttributeTypeDefinition(oid: "\(arc).1.17", names: ["rosterPinyin"], description: "pinyin of the name, with and without spaces", equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch", syntax: ds),
        AttributeTypeDefinition(oid: "\(arc).1.18", names: ["rosterPinyinInitials"], description: "initials of the pinyin of the name", equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch", syntax: ds, singleValue: true),
        AttributeTypeDefinition(oid: "\(arc).1.19", names: ["rosterMemberCount"], description: "members directly in a department", equality: "integerMatch", ordering: "integerOrderingMatch", syntax: integer, singleValue: true),
        AttributeTypeDefinition(oid: "\(arc).1.20", names: ["rosterSubtreeMemberCount"], description: "members in the subtree of a department", equality: "integerMatch", ordering: "integerOrderingMatch", syntax: integer, singleValue: true),
        string("\(arc).1.21", "rosterPlaintextBinds", "rootDSE: where a simple bind with a password is accepted without TLS: loopback-only (others need StartTLS or LDAPS) or allowed"),
        AttributeTypeDefinition(oid: "\(arc).1.22", names: ["rosterLockedUntil"], description: "until when failed binds lock the account", equality: "generalizedTimeMatch", ordering: "generalizedTimeOrderingMatch", syntax: time, singleValue: true),
        AttributeTypeDefinition(oid: "\(arc).1.23", names: ["rosterAdminLogin"], description: "logins of administrators bound to the member: time, administrator, address", equality: "caseIgnoreMatch", syntax: ds),
        string("\(arc).1.24", "rosterNodeId", "rootDSE, super admin and service accounts only: the name of the node answering (roster serve --node-id)"),
        string("\(arc).1.25", "rosterStore", "rootDSE: the store the node serves from: sqlite, postgresql or memory"),
        AttributeTypeDefinition(oid: "\(arc).1.26", names: ["rosterAppliedSequence"], description: "rootDSE: the change-log sequence number of the directory the node serves", equality: "integerMatch", ordering: "integerOrderingMatch", syntax: integer, singleValue: true),
        AttributeTypeDefinition(oid: "\(arc).1.27", names: ["rosterLastCatchUp"], description: "rootDSE: when the node last read the change log up to its head", equality: "generalizedTimeMatch", ordering: "generalizedTimeOrderingMatch", syntax: time, singleValue: true),
        AttributeTypeDefinition(oid: "\(arc).1.28", names: ["rosterListening"], description: "rootDSE, PostgreSQL: whether the connection listening for the changes of other nodes is up", equality: "booleanMatch", syntax: boolean, singleValue: true),
        string("\(arc).1.29", "rosterLagSeconds", "rootDSE, PostgreSQL: seconds from the start of the last write from another node to this node reading it, on the database clock"),
    ]

    /// Roster's own object classes.
    public static let projectObjectClasses: [ObjectClassDefinition] = [
        ObjectClassDefinition(
            oid: "\(arc).2.1", name: "rosterMember", description: "a member of a Roster directory (成员)", sup: "top",
            kind: "AUXILIARY",
            may: ["rosterNickname", "rosterGender", "rosterWeChatID", "rosterQQ", "rosterBirthday", "rosterLunarBirthday",
                  "rosterBirthdayReminder", "rosterHireDate", "rosterFollowStatus", "rosterPinned", "rosterHidden",
                  "rosterStatus", "rosterPinyin", "rosterPinyinInitials"]),
        ObjectClassDefinition(
            oid: "\(arc).2.2", name: "rosterDepartment", description: "a department of a Roster directory (部门)", sup: "top",
            kind: "AUXILIARY",
            may: ["rosterSortOrder", "rosterVisibility", "rosterLeader", "rosterHidden", "rosterDepartmentID",
                  "rosterMemberCount", "rosterSubtreeMemberCount"]),
    ]

    /// Standard attribute types Roster serves (RFC 4512, 4519, 4524, 2798, 3045, 4530, 5020, …).
    public static let standardAttributeTypes: [AttributeTypeDefinition] = [
        AttributeTypeDefinition(oid: "2.5.4.0", names: ["objectClass"], equality: "objectIdentifierMatch", syntax: oidSyntax),
        AttributeTypeDefinition(oid: "2.5.4.41", names: ["name"], equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch", syntax: ds),
        AttributeTypeDefinition(oid: "2.5.4.3", names: ["cn", "commonName"], sup: "name"),
        AttributeTypeDefinition(oid: "2.5.4.4", names: ["sn", "surname"], sup: "name"),
        AttributeTypeDefinition(oid: "2.5.4.42", names: ["givenName", "gn"], sup: "name"),
        AttributeTypeDefinition(oid: "2.5.4.12", names: ["title"], sup: "name"),
        AttributeTypeDefinition(oid: "2.5.4.11", names: ["ou", "organizationalUnitName"], sup: "name"),
        AttributeTypeDefinition(oid: "2.5.4.10", names: ["o", "organizationName"], sup: "name"),
        AttributeTypeDefinition(oid: "2.16.840.1.113730.3.1.241", names: ["displayName"], equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch", syntax: ds, singleValue: true),
        AttributeTypeDefinition(oid: "0.9.2342.19200300.100.1.1", names: ["uid", "userid"], equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch", syntax: ds),
        AttributeTypeDefinition(oid: "0.9.2342.19200300.100.1.3", names: ["mail", "rfc822Mailbox"], equality: "caseIgnoreIA5Match", substr: "caseIgnoreIA5SubstringsMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.26{256}"),
        AttributeTypeDefinition(oid: "0.9.2342.19200300.100.1.41", names: ["mobile", "mobileTelephoneNumber"], equality: "telephoneNumberMatch", substr: "telephoneNumberSubstringsMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.50"),
        AttributeTypeDefinition(oid: "2.5.4.20", names: ["telephoneNumber"], equality: "telephoneNumberMatch", substr: "telephoneNumberSubstringsMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.50"),
        AttributeTypeDefinition(oid: "0.9.2342.19200300.100.1.25", names: ["dc", "domainComponent"], equality: "caseIgnoreIA5Match", substr: "caseIgnoreIA5SubstringsMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.26", singleValue: true),
        AttributeTypeDefinition(oid: "2.16.840.1.113730.3.1.2", names: ["departmentNumber"], equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch", syntax: ds),
        AttributeTypeDefinition(oid: "2.5.4.16", names: ["postalAddress"], equality: "caseIgnoreListMatch", substr: "caseIgnoreListSubstringsMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.41"),
        AttributeTypeDefinition(oid: "2.5.4.13", names: ["description"], equality: "caseIgnoreMatch", substr: "caseIgnoreSubstringsMatch", syntax: ds),
        AttributeTypeDefinition(oid: "2.5.4.49", names: ["distinguishedName"], equality: "distinguishedNameMatch", syntax: dn),
        AttributeTypeDefinition(oid: "0.9.2342.19200300.100.1.10", names: ["manager"], equality: "distinguishedNameMatch", syntax: dn),
        AttributeTypeDefinition(oid: "2.5.4.31", names: ["member"], sup: "distinguishedName"),
        AttributeTypeDefinition(oid: "2.5.4.35", names: ["userPassword"], equality: "octetStringMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.40"),
        AttributeTypeDefinition(oid: "2.5.18.6", names: ["subtreeSpecification"], syntax: "1.3.6.1.4.1.1466.115.121.1.45", singleValue: true, usage: "directoryOperation"),
        operational("1.3.6.1.4.1.42.2.27.8.1.16", ["pwdChangedTime"], equality: "generalizedTimeMatch", ordering: "generalizedTimeOrderingMatch", syntax: time),
        operational("1.3.6.1.4.1.42.2.27.8.1.17", ["pwdAccountLockedTime"], equality: "generalizedTimeMatch", ordering: "generalizedTimeOrderingMatch", syntax: time),
        operational("1.3.6.1.4.1.42.2.27.8.1.19", ["pwdFailureTime"], equality: "generalizedTimeMatch", ordering: "generalizedTimeOrderingMatch", syntax: time, single: false),
        operational("1.2.840.113556.1.2.102", ["memberOf"], equality: "distinguishedNameMatch", syntax: dn, single: false, usage: "dSAOperation"),
        operational("1.3.6.1.1.16.4", ["entryUUID"], equality: "UUIDMatch", ordering: "UUIDOrderingMatch", syntax: "1.3.6.1.1.16.1"),
        operational("1.3.6.1.1.20", ["entryDN"], equality: "distinguishedNameMatch", syntax: dn),
        operational("2.5.18.1", ["createTimestamp"], equality: "generalizedTimeMatch", ordering: "generalizedTimeOrderingMatch", syntax: time),
        operational("2.5.18.2", ["modifyTimestamp"], equality: "generalizedTimeMatch", ordering: "generalizedTimeOrderingMatch", syntax: time),
        operational("2.5.18.3", ["creatorsName"], equality: "distinguishedNameMatch", syntax: dn),
        operational("2.5.18.4", ["modifiersName"], equality: "distinguishedNameMatch", syntax: dn),
        operational("2.5.18.9", ["hasSubordinates"], equality: "booleanMatch", syntax: boolean),
        operational("1.3.6.1.4.1.453.16.2.103", ["numSubordinates"], equality: "integerMatch", ordering: "integerOrderingMatch", syntax: integer, usage: "dSAOperation"),
        operational("2.5.18.10", ["subschemaSubentry"], equality: "distinguishedNameMatch", syntax: dn),
        operational("2.5.21.9", ["structuralObjectClass"], equality: "objectIdentifierMatch", syntax: oidSyntax),
        operational("1.3.6.1.4.1.1466.101.120.5", ["namingContexts"], equality: nil, syntax: dn, single: false, usage: "dSAOperation", noUserModification: false),
        operational("1.3.6.1.4.1.1466.101.120.13", ["supportedControl"], equality: nil, syntax: oidSyntax, single: false, usage: "dSAOperation", noUserModification: false),
        operational("1.3.6.1.4.1.1466.101.120.7", ["supportedExtension"], equality: nil, syntax: oidSyntax, single: false, usage: "dSAOperation", noUserModification: false),
        operational("1.3.6.1.4.1.4203.1.3.5", ["supportedFeatures"], equality: "objectIdentifierMatch", syntax: oidSyntax, single: false, usage: "dSAOperation", noUserModification: false),
        operational("1.3.6.1.4.1.1466.101.120.15", ["supportedLDAPVersion"], equality: nil, syntax: integer, single: false, usage: "dSAOperation", noUserModification: false),
        operational("1.3.6.1.4.1.1466.101.120.14", ["supportedSASLMechanisms"], equality: nil, syntax: ds, single: false, usage: "dSAOperation", noUserModification: false),
        operational("1.3.6.1.1.4", ["vendorName"], equality: "caseExactIA5Match", syntax: ds, usage: "dSAOperation"),
        operational("1.3.6.1.1.5", ["vendorVersion"], equality: "caseExactIA5Match", syntax: ds, usage: "dSAOperation"),
        operational("2.5.21.5", ["attributeTypes"], equality: "objectIdentifierFirstComponentMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.3", single: false, noUserModification: false),
        operational("2.5.21.6", ["objectClasses"], equality: "objectIdentifierFirstComponentMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.37", single: false, noUserModification: false),
        operational("1.3.6.1.4.1.1466.101.120.16", ["ldapSyntaxes"], equality: "objectIdentifierFirstComponentMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.54", single: false, noUserModification: false),
        operational("2.5.21.4", ["matchingRules"], equality: "objectIdentifierFirstComponentMatch", syntax: "1.3.6.1.4.1.1466.115.121.1.30", single: false, noUserModification: false),
    ]

    /// Standard object classes Roster's entries use (attribute lists limited to what Roster serves).
    public static let standardObjectClasses: [ObjectClassDefinition] = [
        ObjectClassDefinition(oid: "2.5.6.0", name: "top", kind: "ABSTRACT", must: ["objectClass"]),
        ObjectClassDefinition(oid: "2.5.6.6", name: "person", sup: "top", kind: "STRUCTURAL", must: ["sn", "cn"], may: ["userPassword", "telephoneNumber", "description"]),
        ObjectClassDefinition(oid: "2.5.6.7", name: "organizationalPerson", sup: "person", kind: "STRUCTURAL", may: ["title", "ou", "postalAddress"]),
        ObjectClassDefinition(oid: "2.16.840.1.113730.3.2.2", name: "inetOrgPerson", sup: "organizationalPerson", kind: "STRUCTURAL", may: ["departmentNumber", "displayName", "givenName", "mail", "manager", "mobile", "uid"]),
        ObjectClassDefinition(oid: "2.5.6.5", name: "organizationalUnit", sup: "top", kind: "STRUCTURAL", must: ["ou"], may: ["description", "telephoneNumber", "postalAddress"]),
        ObjectClassDefinition(oid: "2.5.6.4", name: "organization", sup: "top", kind: "STRUCTURAL", must: ["o"], may: ["description", "telephoneNumber", "postalAddress"]),
        ObjectClassDefinition(oid: "1.3.6.1.4.1.1466.344", name: "dcObject", sup: "top", kind: "AUXILIARY", must: ["dc"]),
        ObjectClassDefinition(oid: "2.5.6.9", name: "groupOfNames", sup: "top", kind: "STRUCTURAL", must: ["member", "cn"], may: ["description", "o", "ou"]),
        ObjectClassDefinition(oid: "2.5.6.11", name: "applicationProcess", sup: "top", kind: "STRUCTURAL", must: ["cn"], may: ["description", "ou"]),
        ObjectClassDefinition(oid: "0.9.2342.19200300.100.4.19", name: "simpleSecurityObject", sup: "top", kind: "AUXILIARY", must: ["userPassword"]),
        ObjectClassDefinition(oid: "1.3.6.1.4.1.1466.101.120.111", name: "extensibleObject", sup: "top", kind: "AUXILIARY"),
        ObjectClassDefinition(oid: "2.5.17.0", name: "subentry", sup: "top", kind: "STRUCTURAL", must: ["cn", "subtreeSpecification"]),
        ObjectClassDefinition(oid: "2.5.20.1", name: "subschema", kind: "AUXILIARY", may: ["ldapSyntaxes", "attributeTypes", "objectClasses", "matchingRules"]),
    ]

    /// Syntaxes (RFC 4517 §3.3, RFC 4530).
    public static let syntaxes: [(String, String)] = [
        ("1.3.6.1.4.1.1466.115.121.1.3", "Attribute Type Description"),
        ("1.3.6.1.4.1.1466.115.121.1.7", "Boolean"),
        ("1.3.6.1.4.1.1466.115.121.1.12", "DN"),
        ("1.3.6.1.4.1.1466.115.121.1.15", "Directory String"),
        ("1.3.6.1.4.1.1466.115.121.1.24", "Generalized Time"),
        ("1.3.6.1.4.1.1466.115.121.1.26", "IA5 String"),
        ("1.3.6.1.4.1.1466.115.121.1.27", "INTEGER"),
        ("1.3.6.1.4.1.1466.115.121.1.30", "Matching Rule Description"),
        ("1.3.6.1.4.1.1466.115.121.1.37", "Object Class Description"),
        ("1.3.6.1.4.1.1466.115.121.1.38", "OID"),
        ("1.3.6.1.4.1.1466.115.121.1.40", "Octet String"),
        ("1.3.6.1.4.1.1466.115.121.1.41", "Postal Address"),
        ("1.3.6.1.4.1.1466.115.121.1.45", "Subtree Specification"),
        ("1.3.6.1.4.1.1466.115.121.1.50", "Telephone Number"),
        ("1.3.6.1.4.1.1466.115.121.1.54", "LDAP Syntax Description"),
        ("1.3.6.1.4.1.1466.115.121.1.58", "Substring Assertion"),
        ("1.3.6.1.1.16.1", "UUID"),
    ]

    /// Matching rules (RFC 4517 §4.2, RFC 4530): OID, name, syntax.
    public static let matchingRules: [(String, String, String)] = [
        ("2.5.13.0", "objectIdentifierMatch", "1.3.6.1.4.1.1466.115.121.1.38"),
        ("2.5.13.1", "distinguishedNameMatch", "1.3.6.1.4.1.1466.115.121.1.12"),
        ("2.5.13.2", "caseIgnoreMatch", "1.3.6.1.4.1.1466.115.121.1.15"),
        ("2.5.13.3", "caseIgnoreOrderingMatch", "1.3.6.1.4.1.1466.115.121.1.15"),
        ("2.5.13.4", "caseIgnoreSubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"),
        ("2.5.13.5", "caseExactMatch", "1.3.6.1.4.1.1466.115.121.1.15"),
        ("2.5.13.11", "caseIgnoreListMatch", "1.3.6.1.4.1.1466.115.121.1.41"),
        ("2.5.13.12", "caseIgnoreListSubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"),
        ("2.5.13.13", "booleanMatch", "1.3.6.1.4.1.1466.115.121.1.7"),
        ("2.5.13.14", "integerMatch", "1.3.6.1.4.1.1466.115.121.1.27"),
        ("2.5.13.15", "integerOrderingMatch", "1.3.6.1.4.1.1466.115.121.1.27"),
        ("2.5.13.17", "octetStringMatch", "1.3.6.1.4.1.1466.115.121.1.40"),
        ("2.5.13.20", "telephoneNumberMatch", "1.3.6.1.4.1.1466.115.121.1.50"),
        ("2.5.13.21", "telephoneNumberSubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"),
        ("2.5.13.27", "generalizedTimeMatch", "1.3.6.1.4.1.1466.115.121.1.24"),
        ("2.5.13.28", "generalizedTimeOrderingMatch", "1.3.6.1.4.1.1466.115.121.1.24"),
        ("2.5.13.30", "objectIdentifierFirstComponentMatch", "1.3.6.1.4.1.1466.115.121.1.38"),
        ("1.3.6.1.4.1.1466.109.114.1", "caseExactIA5Match", "1.3.6.1.4.1.1466.115.121.1.26"),
        ("1.3.6.1.4.1.1466.109.114.2", "caseIgnoreIA5Match", "1.3.6.1.4.1.1466.115.121.1.26"),
        ("1.3.6.1.4.1.1466.109.114.3", "caseIgnoreIA5SubstringsMatch", "1.3.6.1.4.1.1466.115.121.1.58"),
        ("1.3.6.1.1.16.2", "UUIDMatch", "1.3.6.1.1.16.1"),
        ("1.3.6.1.1.16.3", "UUIDOrderingMatch", "1.3.6.1.1.16.1"),
    ]

    /// Every attribute type, standard and project.
    public static var attributeTypes: [AttributeTypeDefinition] { standardAttributeTypes + projectAttributeTypes }
    /// Every object class, standard and project.
    public static var objectClasses: [ObjectClassDefinition] { standardObjectClasses + projectObjectClasses }

    // MARK: - OpenLDAP files

    /// `schema/roster.schema`: the project definitions in slapd.conf format (needs core, cosine
    /// and inetorgperson).
    public static var openLDAPSchema: String {
        var out = """
            # Roster's project schema (generated by `roster schema --format schema`; do not edit).
            # Load after core.schema, cosine.schema and inetorgperson.schema.
            # Object identifiers live under the X.667 UUID arc \(arc).

            """
        for a in projectAttributeTypes { out += "attributetype \(a.rendered)\n" }
        out += "\n"
        for o in projectObjectClasses { out += "objectclass \(o.rendered)\n" }
        return out
    }

    /// `schema/roster.ldif`: the same definitions for `cn=config`.
    public static var openLDAPConfigLDIF: String {
        var out = """
            # Roster's project schema for cn=config (generated by `roster schema --format ldif`; do not edit).
            # ldapadd -Y EXTERNAL -H ldapi:/// -f roster.ldif
            dn: cn=roster,cn=schema,cn=config
            objectClass: olcSchemaConfig
            cn: roster

            """
        for (i, a) in projectAttributeTypes.enumerated() { out += "olcAttributeTypes: {\(i)}\(a.rendered)\n" }
        for (i, o) in projectObjectClasses.enumerated() { out += "olcObjectClasses: {\(i)}\(o.rendered)\n" }
        return out
    }
}
