public import Directory
import LDAPProtocol
import Foundation

/// Which attributes an entry must carry: a filter's, or a request's. Computing only those keeps a
/// search over many entries cheap; nil means every attribute.
public struct AttributeWant: Sendable {
    public var keys: Set<String> {
        didSet {
            namesOperational = Self.anyOperational(keys)
            named = Self.mask(keys)
        }
    }
    public var allUser: Bool
    public var allOperational: Bool
    /// Whether a key names an operational attribute (kept: asked for every entry built).
    private var namesOperational: Bool
    /// The registered types the keys name, by ``AttributeType/index`` (an entry asks ~30 times).
    private var named: (UInt64, UInt64)

    public init(keys: Set<String>, allUser: Bool, allOperational: Bool) {
        self.keys = keys
        self.allUser = allUser
        self.allOperational = allOperational
        self.namesOperational = Self.anyOperational(keys)
        self.named = Self.mask(keys)
    }

    private static func mask(_ keys: Set<String>) -> (UInt64, UInt64) {
        var m: (UInt64, UInt64) = (0, 0)
        for key in keys {
            guard let i = AttributeRegistry.type(named: key)?.index, i >= 0 else { continue }
            if i < 64 { m.0 |= 1 << UInt64(i) } else if i < 128 { m.1 |= 1 << UInt64(i - 64) }
        }
        return m
    }

    private static func anyOperational(_ keys: Set<String>) -> Bool {
        keys.contains { AttributeRegistry.type(named: $0)?.operational ?? false }
    }

    /// Whether any operational attribute may be wanted.
    var operational: Bool { allOperational || namesOperational }

    /// Whether a known type is wanted (no lookup by name).
    func wants(_ type: AttributeType) -> Bool {
        if type.operational ? allOperational : allUser { return true }
        let i = type.index
        if i >= 0 && i < 64 { return named.0 & (1 << UInt64(i)) != 0 }
        if i >= 64 && i < 128 { return named.1 & (1 << UInt64(i - 64)) != 0 }
        return keys.contains(type.key)
    }

    func wants(_ key: String) -> Bool {
        if keys.contains(key) { return true }
        guard let type = AttributeRegistry.type(named: key) else { return false }
        return type.operational ? allOperational : allUser
    }

    /// Whether every attribute `other` wants is wanted here too.
    func covers(_ other: AttributeWant) -> Bool {
        (!other.allUser || allUser) && (!other.allOperational || allOperational) && other.keys.allSatisfy(wants)
    }

    /// What either wants.
    func union(_ other: AttributeWant) -> AttributeWant {
        AttributeWant(keys: keys.union(other.keys), allUser: allUser || other.allUser, allOperational: allOperational || other.allOperational)
    }

    /// The attributes a filter reads.
    static func of(_ filter: LDAPProtocol.Filter) -> AttributeWant {
        var keys: Set<String> = ["objectclass"]
        var all = false
        func walk(_ f: LDAPProtocol.Filter) {
            func add(_ name: String) {
                if let t = AttributeRegistry.type(named: name) { keys.insert(t.key) }
            }
            switch f {
            case .and(let items), .or(let items): items.forEach(walk)
            case .not(let inner): walk(inner)
            case .equalityMatch(let a), .greaterOrEqual(let a), .lessOrEqual(let a), .approxMatch(let a): add(a.attribute)
            case .substrings(let s): add(s.attribute)
            case .present(let a): add(a)
            case .extensibleMatch(let m):
                if let a = m.attribute { add(a) } else { all = true }
            }
        }
        walk(filter)
        return AttributeWant(keys: keys, allUser: all, allOperational: false)
    }
}

/// Turns domain objects into LDAP entries (DESIGN §3). Called only for nodes the viewer may see.
public struct EntryBuilder: Sendable {
    public let dit: DIT
    public let vendorVersion: String
    /// Where failed binds and administrators' logins are counted (nil: not shown).
    let authenticator: Authenticator?
    /// The plaintext bind policy the rootDSE states (`rosterPlaintextBinds`).
    public let plaintextBinds: PlaintextBindPolicy
    /// The node's health, on the rootDSE for viewers who may see it (nil: not shown).
    let health: NodeStatus?

    /// When a simple bind with a password is accepted on a connection without TLS.
    public enum PlaintextBindPolicy: String, Sendable {
        /// Only from loopback addresses; others get `confidentialityRequired` and must use
        /// StartTLS or LDAPS.
        case loopbackOnly = "loopback-only"
        /// From any address (`--allow-plaintext-binds`).
        case allowed
    }

    /// - Parameters:
    ///   - dit: the tree mapping.
    ///   - vendorVersion: the version the rootDSE reports.
    ///   - authenticator: the source of failed binds and login notices.
    ///   - plaintextBinds: the plaintext bind policy the rootDSE states.
    ///   - health: the node's health for the rootDSE.
    public init(
        dit: DIT, vendorVersion: String, authenticator: Authenticator? = nil, plaintextBinds: PlaintextBindPolicy = .loopbackOnly,
        health: NodeStatus? = nil
    ) {
        self.dit = dit
        self.vendorVersion = vendorVersion
        self.authenticator = authenticator
        self.plaintextBinds = plaintextBinds
        self.health = health
    }

    /// The entry of a node, or nil if it does not exist. `known`: the node's member, when the
    /// caller found it already (a member node only).
    public func entry(
        for node: DITNode, in model: DirectoryModel, visibility: Visibility, supportedControls: [String],
        supportedExtensions: [String], wanted: AttributeWant? = nil, known: Member? = nil, names: MemberNames? = nil
    ) -> Entry? {
        var entry: Entry?
        if let known {
            entry = member(known, in: model, visibility: visibility, wanted: wanted, names: names)
        } else {
            entry = rawEntry(for: node, in: model, visibility: visibility, supportedControls: supportedControls, supportedExtensions: supportedExtensions, wanted: wanted)
        }
        if let allow = visibility.attributeAllowList, node != .rootDSE, node != .subschema {
            entry?.attributes.removeAll { $0.type.key != "objectclass" && !allow.contains($0.type.key) && !$0.type.aliases.contains { allow.contains($0.lowercased()) } }
        }
        return entry
    }

    private func rawEntry(
        for node: DITNode, in model: DirectoryModel, visibility: Visibility, supportedControls: [String],
        supportedExtensions: [String], wanted: AttributeWant?
    ) -> Entry? {
        switch node {
        case .rootDSE:
            var e = rootDSE(supportedControls: supportedControls, supportedExtensions: supportedExtensions)
            if let health, visibility.seesNodeHealth { add(health.health(), to: &e) }
            return e
        case .subschema: return Subschema.entry()
        case .department(let id): return model.department(id).map { department($0, in: model, visibility: visibility, wanted: wanted) }
        case .member(let account), .departedMember(let account):
            return model.member(account.key).map { member($0, in: model, visibility: visibility, wanted: wanted) }
        case .group(let key): return model.group(key).map { group($0, in: model, visibility: visibility, wanted: wanted) }
        case .groupsContainer, .departedContainer, .adminsContainer, .servicesContainer:
            return container(node, in: model, visibility: visibility, wanted: wanted)
        case .subAdmin(let key), .service(let key):
            return model.administrator(key).map { administrator($0, node: node, in: model) }
        case .superAdmin:
            return model.administrator("admin").map { administrator($0, node: node, in: model) }
        }
    }

    // MARK: - rootDSE

    func rootDSE(supportedControls: [String], supportedExtensions: [String]) -> Entry {
        var e = Entry(dn: "")
        e.add("objectClass", ["top", "extensibleObject"])
        e.add("namingContexts", [dit.base.description])
        e.add("supportedLDAPVersion", ["3"])
        e.add("supportedControl", supportedControls)
        e.add("supportedExtension", supportedExtensions)
        // All operational attributes (+), absolute true/false filters (RFC 4526).
        e.add("supportedFeatures", ["1.3.6.1.4.1.4203.1.5.1", "1.3.6.1.4.1.4203.1.5.3"])
        e.add("subschemaSubentry", [DIT.subschemaDN.description])
        e.add("vendorName", ["Roster"])
        e.add("vendorVersion", [vendorVersion])
        e.add("rosterPlaintextBinds", [plaintextBinds.rawValue])
        e.add("entryDN", [""])
        e.add("structuralObjectClass", ["top"])
        return e
    }

    /// The node's health (operational: returned when asked for by name or with `+`).
    func add(_ health: NodeHealth, to e: inout Entry) {
        e.add("rosterNodeId", health.nodeID)
        e.add("rosterStore", health.store?.rawValue)
        e.add("rosterAppliedSequence", String(health.appliedSequence))
        e.add("rosterLastCatchUp", GeneralizedTime.string(health.lastCatchUp))
        e.add("rosterListening", health.listening.map { $0 ? "TRUE" : "FALSE" })
        e.add("rosterLagSeconds", health.lagSeconds.map { String(format: "%.3f", $0) })
    }

    // MARK: - Departments

    func department(_ d: Department, in model: DirectoryModel, visibility: Visibility, wanted: AttributeWant? = nil) -> Entry {
        func want(_ key: String) -> Bool { wanted?.wants(key) ?? true }
        let dn = dit.departmentDN(d.id, in: model)
        var e = Entry(dn: dn.description)
        if d.id == .root {
            let rdn = dn.rdn?.attributes.first
            let rdnType = rdn.map { DistinguishedName.canonicalType($0.type) } ?? "o"
            switch rdnType {
            case "dc":
                e.add("objectClass", ["top", "dcObject", "organization", "rosterDepartment"])
                e.add("dc", rdn?.value)
                e.add("o", d.name)
            case "ou":
                e.add("objectClass", ["top", "organizationalUnit", "rosterDepartment"])
                e.add("ou", rdn?.value)
            default:
                e.add("objectClass", ["top", "organization", "rosterDepartment"])
                e.add("o", rdnType == "o" ? (rdn?.value ?? d.name) : d.name)
            }
        } else {
            e.add("objectClass", ["top", "organizationalUnit", "rosterDepartment"])
            e.add("ou", d.name)
        }
        e.add("description", d.description)
        e.add("rosterDepartmentID", String(d.id.rawValue))
        e.add("rosterSortOrder", String(d.order))
        e.add("rosterVisibility", d.scope.rawValue)
        e.add("rosterLeader", d.leaders.compactMap { model.member($0.key) }.filter { $0.isActive && visibility.canSee(member: $0) }.map { dit.memberDNString($0, in: model) })
        e.add("rosterHidden", d.hidden ? "TRUE" : "FALSE")
        let countSubordinates = want("hassubordinates") || want("numsubordinates")
        let subordinates = !countSubordinates ? 0 : model.children(of: d.id).filter { visibility.canSee(department: $0) }.count
            + model.primaryMembers(in: d.id).filter { visibility.canSee(member: $0) }.count
            + (d.id == .root ? dit.children(of: .department(.root), in: model).filter { node in
                switch node {
                case .department, .member: return false
                default: return visibility.canSee(node)
                }
            }.count : 0)
        addOperational(&e, dn: e.dn, uuid: d.uuid.uuidString.lowercased(), created: d.created, modified: d.modified,
                       structural: d.id == .root && e.values(of: AttributeRegistry.type(named: "o")!) != nil ? "organization" : "organizationalUnit",
                       subordinates: subordinates)
        if want("rostermembercount") {
            e.add("rosterMemberCount", String(model.members(in: d.id).filter { visibility.canSee(member: $0) }.count))
        }
        if want("rostersubtreemembercount") {
            var seen = Set<String>()
            for sub in model.subtree(of: d.id) where visibility.canSee(department: sub) {
                for m in model.members(in: sub) where visibility.canSee(member: m) { seen.insert(m.account.key) }
            }
            e.add("rosterSubtreeMemberCount", String(seen.count))
        }
        return e
    }

    // MARK: - Members

    func member(
        _ m: Member, in model: DirectoryModel, visibility: Visibility, wanted: AttributeWant? = nil, names known: MemberNames? = nil
    ) -> Entry {
        typealias T = MemberAttributeTypes
        func want(_ type: AttributeType) -> Bool { wanted?.wants(type) ?? true }
        let dnString = dit.memberDNString(m, in: model)
        var e = Entry(dn: dnString)
        e.attributes.reserveCapacity(24)
        func field(_ f: MemberField, _ type: AttributeType, _ value: String?) {
            if let value, !value.isEmpty, want(type), visibility.canSee(field: f, of: m) {
                e.attributes.append(Entry.Attribute(type: type, values: [value]))
            }
        }
        let names = known ?? model.names(of: m.account) ?? MemberNames(m.name, pinyin: PinyinName(spaced: ""))
        let parts = names.parts
        // Only what is wanted is added (each attribute is an array of its own).
        if want(T.objectClass) { e.add(T.objectClass, T.objectClasses) }
        if want(T.uid) { e.add(T.uid, m.account.value) }
        if want(T.cn) { e.add(T.cn, m.name) }
        if want(T.displayName) { e.add(T.displayName, m.name) }
        if want(T.sn) { e.add(T.sn, parts.surname) }
        if want(T.givenName) { e.add(T.givenName, parts.givenName) }
        field(.email, T.mail, m.email)
        field(.mobile, T.mobile, m.mobile)
        if want(T.telephoneNumber) {
            var phones: [String] = []
            if let p = m.phone, visibility.canSee(field: .phone, of: m) { phones.append(p) }
            if let p = m.phone2, visibility.canSee(field: .phone2, of: m) { phones.append(p) }
            e.add(T.telephoneNumber, phones)
        }
        field(.title, T.title, m.title)
        let wantsMemberOf = want(T.memberOf)
        let wantsOU = want(T.ou), wantsNumber = want(T.departmentNumber)
        let departments = !(wantsOU || wantsNumber || wantsMemberOf) ? [] : m.departments.filter { visibility.canSee(department: $0) }.compactMap { model.department($0) }
        if wantsOU { e.add(T.ou, departments.map(\.name)) }
        if wantsNumber { e.add(T.departmentNumber, departments.map { String($0.id.rawValue) }) }
        field(.address, T.postalAddress, m.address)
        field(.remarks, T.description, m.remarks)
        if m.isActive, want(T.manager), let primary = model.department(m.primaryDepartment),
            let leader = primary.leaders.first(where: { $0 != m.account }), let lm = model.member(leader.key), lm.isActive,
            visibility.canSee(member: lm)
        {
            e.add(T.manager, dit.memberDNString(lm, in: model))
        }
        field(.nickname, T.rosterNickname, m.nickname)
        field(.gender, T.rosterGender, m.gender)
        field(.wechat, T.rosterWeChatID, m.wechat)
        field(.qq, T.rosterQQ, m.qq)
        field(.birthday, T.rosterBirthday, m.birthday)
        field(.lunarBirthday, T.rosterLunarBirthday, m.lunarBirthday)
        field(.birthdayReminder, T.rosterBirthdayReminder, m.birthdayReminder?.rawValue)
        field(.hireDate, T.rosterHireDate, m.hireDate)
        field(.followStatus, T.rosterFollowStatus, m.followStatus.rawValue)
        if want(T.rosterPinned) { e.add(T.rosterPinned, m.pinned ? "TRUE" : "FALSE") }
        if visibility.isAdministrator || m.hidden, want(T.rosterHidden) { e.add(T.rosterHidden, m.hidden ? "TRUE" : "FALSE") }
        if want(T.rosterStatus) { e.add(T.rosterStatus, m.isActive ? "active" : "departed") }
        let operational = wanted?.operational ?? true
        if operational {
            addOperational(&e, dn: dnString, uuid: m.uuid.uuidString.lowercased(), created: m.created, modified: m.modified,
                           structural: "inetOrgPerson", subordinates: 0)
        }
        if operational { addSecurity(&e, m, visibility, { wanted?.wants($0) ?? true }) }
        if m.isActive, wantsMemberOf {
            var memberOf = departments.map { dit.departmentDNString($0.id, in: model) }
            if visibility.canSeeGroups {
                memberOf += model.groups(of: m.account).map { dit.dn(of: .group($0.key), in: model).description }
            }
            e.add(T.memberOf, memberOf)
        }
        let py = names.pinyin
        let needPinyin = want(T.cn) || want(T.displayName) || want(T.sn) || want(T.givenName) || want(T.rosterPinyin)
            || want(T.rosterPinyinInitials)
        if needPinyin && !py.compact.isEmpty && py.compact != m.name.lowercased() {
            e.add(T.rosterPinyin, py.spaced == py.compact ? [py.spaced] : [py.compact, py.spaced].sorted())
            e.add(T.rosterPinyinInitials, py.initials)
            e.pinyin = [py.spaced, py.compact, py.initials]
            // sn and givenName match the pinyin of their own part (the index holds the same keys):
            // only a filter on them reads it, so it is carried only when they are named.
            if wanted.map({ $0.keys.contains("sn") || $0.keys.contains("givenname") }) ?? true {
                e.surnamePinyin = names.surnamePinyin.map { [$0.spaced, $0.compact] } ?? []
                e.givenNamePinyin = names.givenNamePinyin.map { [$0.spaced, $0.compact] } ?? []
            }
        }
        return e
    }

    /// The account's security state, for the administrators who administer it: the lock
    /// (`pwdAccountLockedTime`, `rosterLockedUntil`), failed binds still counted (`pwdFailureTime`)
    /// and the last password change (`pwdChangedTime`), named as OpenLDAP's ppolicy names them;
    /// and, for them and the member, the logins of administrators bound to it (`rosterAdminLogin`).
    private func addSecurity(_ e: inout Entry, _ m: Member, _ visibility: Visibility, _ want: (String) -> Bool) {
        let administers = visibility.administers(member: m)
        if administers {
            let now = Date()
            if want("pwdchangedtime"), let t = m.security.passwordChangedAt { e.add("pwdChangedTime", GeneralizedTime.string(t)) }
            if m.security.isLocked(at: now), let until = m.security.lockedUntil {
                if want("pwdaccountlockedtime") { e.add("pwdAccountLockedTime", GeneralizedTime.string(m.security.lockedAt ?? now)) }
                if want("rosterlockeduntil") { e.add("rosterLockedUntil", GeneralizedTime.string(until)) }
            }
            if want("pwdfailuretime"), let failures = authenticator?.guardian.recordedFailures(of: .member(m.account)), !failures.isEmpty {
                e.add("pwdFailureTime", failures.map { GeneralizedTime.string($0) })
            }
        }
        if administers || visibility.isSelf(m), want("rosteradminlogin"), let notices = authenticator?.notices(for: m.account), !notices.isEmpty {
            e.add("rosterAdminLogin", notices.map { "\(GeneralizedTime.string($0.time)) \($0.administrator) from \($0.address)" })
        }
    }

    // MARK: - Groups, containers, administrators

    func group(_ g: Group, in model: DirectoryModel, visibility: Visibility, wanted: AttributeWant? = nil) -> Entry {
        let dn = dit.dn(of: .group(g.key), in: model)
        var e = Entry(dn: dn.description)
        e.add("objectClass", ["top", "groupOfNames"])
        e.add("cn", g.name)
        e.add("description", g.description)
        if wanted?.wants("member") ?? true {
            e.add("member", g.members.compactMap { model.member($0.key) }.filter { $0.isActive && visibility.canSee(member: $0) }.map { dit.memberDNString($0, in: model) })
        }
        addOperational(&e, dn: e.dn, uuid: g.uuid.uuidString.lowercased(), created: g.created, modified: g.modified,
                       structural: "groupOfNames", subordinates: 0)
        return e
    }

    func container(
        _ node: DITNode, in model: DirectoryModel, visibility: Visibility, wanted: AttributeWant? = nil
    ) -> Entry {
        let dn = dit.dn(of: node, in: model)
        var e = Entry(dn: dn.description)
        e.add("objectClass", ["top", "applicationProcess"])
        e.add("cn", dn.rdn?.attributes.first?.value)
        e.add("entryDN", dn.description)
        e.add("structuralObjectClass", "applicationProcess")
        e.add("subschemaSubentry", DIT.subschemaDN.description)
        if wanted.map({ $0.wants("hassubordinates") || $0.wants("numsubordinates") }) ?? true {
            // Only what the viewer sees is counted: a sub-admin's cn=departed holds their scope's.
            let count = dit.children(of: node, in: model).filter { visibility.canSee($0) }.count
            e.add("hasSubordinates", count > 0 ? "TRUE" : "FALSE")
            e.add("numSubordinates", String(count))
        }
        return e
    }

    func administrator(_ a: Administrator, node: DITNode, in model: DirectoryModel) -> Entry {
        let dn = dit.dn(of: node, in: model)
        var e = Entry(dn: dn.description)
        e.add("objectClass", ["top", "applicationProcess", "simpleSecurityObject"])
        e.add("cn", a.name)
        switch a.role {
        case .superAdmin: e.add("description", "super administrator")
        case .subAdmin: e.add("description", "department administrator")
        case .service: e.add("description", "read-only service account")
        }
        e.add("entryDN", dn.description)
        e.add("structuralObjectClass", "applicationProcess")
        e.add("subschemaSubentry", DIT.subschemaDN.description)
        e.add("hasSubordinates", "FALSE")
        e.add("numSubordinates", "0")
        return e
    }

    private func addOperational(
        _ e: inout Entry, dn: String, uuid: String, created: AuditStamp, modified: AuditStamp,
        structural: String, subordinates: Int
    ) {
        e.add("structuralObjectClass", structural)
        e.add("entryUUID", uuid)
        e.add("entryDN", dn)
        e.add("creatorsName", actorDN(created.actor))
        e.add("createTimestamp", GeneralizedTime.string(created.time))
        e.add("modifiersName", actorDN(modified.actor))
        e.add("modifyTimestamp", GeneralizedTime.string(modified.time))
        e.add("subschemaSubentry", DIT.subschemaDN.description)
        e.add("hasSubordinates", subordinates > 0 ? "TRUE" : "FALSE")
        e.add("numSubordinates", String(subordinates))
    }

    private func actorDN(_ actor: String) -> String {
        if actor.contains("=") { return actor }
        return dit.base.child(RelativeDistinguishedName(type: "cn", value: "admin")).description
    }
}

/// The attribute types of a member's entry, looked up once.
enum MemberAttributeTypes {
    private static func t(_ name: String) -> AttributeType { AttributeRegistry.type(named: name)! }
    static let objectClasses = ["top", "person", "organizationalPerson", "inetOrgPerson", "rosterMember"]
    static let objectClass = t("objectClass")
    static let uid = t("uid")
    static let cn = t("cn")
    static let displayName = t("displayName")
    static let sn = t("sn")
    static let givenName = t("givenName")
    static let mail = t("mail")
    static let mobile = t("mobile")
    static let telephoneNumber = t("telephoneNumber")
    static let title = t("title")
    static let ou = t("ou")
    static let departmentNumber = t("departmentNumber")
    static let postalAddress = t("postalAddress")
    static let description = t("description")
    static let manager = t("manager")
    static let rosterNickname = t("rosterNickname")
    static let rosterGender = t("rosterGender")
    static let rosterWeChatID = t("rosterWeChatID")
    static let rosterQQ = t("rosterQQ")
    static let rosterBirthday = t("rosterBirthday")
    static let rosterLunarBirthday = t("rosterLunarBirthday")
    static let rosterBirthdayReminder = t("rosterBirthdayReminder")
    static let rosterHireDate = t("rosterHireDate")
    static let rosterFollowStatus = t("rosterFollowStatus")
    static let rosterPinned = t("rosterPinned")
    static let rosterHidden = t("rosterHidden")
    static let rosterStatus = t("rosterStatus")
    static let memberOf = t("memberOf")
    static let rosterPinyin = t("rosterPinyin")
    static let rosterPinyinInitials = t("rosterPinyinInitials")
}
