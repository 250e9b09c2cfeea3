public import Directory
import Foundation

// The whole directory as LDIF, with the DNs and attributes of the LDAP view (DESIGN §3): the
// mapping is re-derived here from the domain model (Interchange does not depend on the LDAP
// frontend); `LDIFTests` hold the two to the same output.
extension LDIF {
    /// What an export holds.
    public struct ExportOptions: Sendable, Hashable {
        /// Write each member's stored password hash (`{PBKDF2-SHA512}…`) as `userPassword`.
        /// Off by default: hashes leave the server only when asked for.
        public var withPasswordHashes: Bool
        /// Write departed members (under `cn=departed`); on by default, so nothing is lost.
        public var withDepartedMembers: Bool

        /// - Parameters: see the properties.
        public init(withPasswordHashes: Bool = false, withDepartedMembers: Bool = true) {
            self.withPasswordHashes = withPasswordHashes
            self.withDepartedMembers = withDepartedMembers
        }
    }

    /// Exports the directory: the organisation (the base entry), every department as an
    /// `organizationalUnit` in tree order with its members under it, `cn=groups` with every
    /// group (`groupOfNames`), and `cn=departed` with the departed members. Administrators and
    /// service accounts are not exported. Operational attributes (entryUUID, timestamps,
    /// memberOf, pinyin, counts) are left out: the target computes its own.
    /// - Parameters:
    ///   - model: the directory.
    ///   - baseDN: the naming context (``DirectoryService/baseDN``).
    ///   - options: what to include.
    /// - Returns: the LDIF text (RFC 2849 content records, LF line ends).
    /// - Throws: ``LDIF/SyntaxError`` (line 0) when `baseDN` is not a DN.
    public static func export(_ model: DirectoryModel, baseDN: String, options: ExportOptions = ExportOptions()) throws(SyntaxError) -> String {
        let base: LDIFName
        do throws(LDIFName.SyntaxError) {
            base = try LDIFName(parsing: baseDN)
        } catch {
            throw SyntaxError(line: 0, message: "the base DN \(baseDN) is not a DN: \(error.reason)")
        }
        let dit = LDIFTree(base: base, model: model)
        var entries: [Entry] = []
        for id in model.subtree(of: .root) {
            guard let d = model.department(id) else { continue }
            entries.append(dit.departmentEntry(d))
            for m in model.primaryMembers(in: id) { entries.append(dit.memberEntry(m, options)) }
        }
        var groups = Entry(dn: base.child("cn", "groups").description, attributes: [])
        groups.add("objectClass", ["top", "applicationProcess"])
        groups.add("cn", "groups")
        entries.append(groups)
        for g in model.groups.values.sorted(by: { $0.key < $1.key }) {
            var e = Entry(dn: base.child("cn", "groups").child("cn", g.name).description, attributes: [])
            e.add("objectClass", ["top", "groupOfNames"])
            e.add("cn", g.name)
            e.add("description", g.description)
            e.add("member", g.members.compactMap { model.member($0.key) }.filter(\.isActive).map { dit.memberDN($0) })
            entries.append(e)
        }
        if options.withDepartedMembers {
            var departed = Entry(dn: base.child("cn", "departed").description, attributes: [])
            departed.add("objectClass", ["top", "applicationProcess"])
            departed.add("cn", "departed")
            entries.append(departed)
            for m in model.departedMembers { entries.append(dit.memberEntry(m, options)) }
        }
        return write(entries)
    }
}

/// The DIT mapping of DESIGN §3, from the domain model: the base entry is the root department,
/// departments are `ou=`, members `uid=<account>` under their primary department (departed
/// ones under `cn=departed`), groups `cn=<name>,cn=groups`.
struct LDIFTree {
    let base: LDIFName
    let model: DirectoryModel

    func departmentName(_ id: DepartmentID) -> LDIFName {
        var dn = base
        for d in model.path(to: id).dropFirst() { dn = dn.child("ou", model.department(d)?.name ?? "") }
        return dn
    }

    func memberDN(_ m: Member) -> String {
        (m.isActive ? departmentName(m.primaryDepartment) : base.child("cn", "departed")).child("uid", m.account.value).description
    }

    func departmentEntry(_ d: Department) -> LDIF.Entry {
        let dn = departmentName(d.id)
        var e = LDIF.Entry(dn: dn.description, attributes: [])
        if d.id == .root {
            let rdn = dn.leaf
            switch rdn?.canonicalType ?? "o" {
            case "dc":
                e.add("objectClass", ["top", "dcObject", "organization", "rosterDepartment"])
                e.add("dc", rdn?.value)
                e.add("o", d.name)
            case "ou":
                e.add("objectClass", ["top", "organizationalUnit", "rosterDepartment"])
                e.add("ou", rdn?.value)
            case let type:
                e.add("objectClass", ["top", "organization", "rosterDepartment"])
                e.add("o", type == "o" ? (rdn?.value ?? d.name) : d.name)
            }
        } else {
            e.add("objectClass", ["top", "organizationalUnit", "rosterDepartment"])
            e.add("ou", d.name)
        }
        e.add("description", d.description)
        e.add("rosterDepartmentID", String(d.id.rawValue))
        e.add("rosterSortOrder", String(d.order))
        e.add("rosterVisibility", d.scope.rawValue)
        e.add("rosterLeader", d.leaders.compactMap { model.member($0.key) }.filter(\.isActive).map(memberDN))
        e.add("rosterHidden", d.hidden ? "TRUE" : "FALSE")
        return e
    }

    func memberEntry(_ m: Member, _ options: LDIF.ExportOptions) -> LDIF.Entry {
        var e = LDIF.Entry(dn: memberDN(m), attributes: [])
        let parts = NameParts(m.name)
        e.add("objectClass", ["top", "person", "organizationalPerson", "inetOrgPerson", "rosterMember"])
        e.add("uid", m.account.value)
        e.add("cn", m.name)
        e.add("displayName", m.name)
        e.add("sn", parts.surname)
        e.add("givenName", parts.givenName)
        e.add("mail", m.email)
        e.add("mobile", m.mobile)
        e.add("telephoneNumber", [m.phone, m.phone2].compactMap { $0 })
        e.add("title", m.title)
        let departments = m.departments.compactMap { model.department($0) }
        e.add("ou", departments.map(\.name))
        e.add("departmentNumber", departments.map { String($0.id.rawValue) })
        e.add("postalAddress", m.address)
        e.add("description", m.remarks)
        if m.isActive, let primary = model.department(m.primaryDepartment),
            let leader = primary.leaders.first(where: { $0 != m.account }), let lm = model.member(leader.key), lm.isActive
        {
            e.add("manager", memberDN(lm))
        }
        e.add("rosterNickname", m.nickname)
        e.add("rosterGender", m.gender)
        e.add("rosterWeChatID", m.wechat)
        e.add("rosterQQ", m.qq)
        e.add("rosterBirthday", m.birthday)
        e.add("rosterLunarBirthday", m.lunarBirthday)
        e.add("rosterBirthdayReminder", m.birthdayReminder?.rawValue)
        e.add("rosterHireDate", m.hireDate)
        e.add("rosterFollowStatus", m.followStatus.rawValue)
        e.add("rosterPinned", m.pinned ? "TRUE" : "FALSE")
        e.add("rosterHidden", m.hidden ? "TRUE" : "FALSE")
        e.add("rosterStatus", m.isActive ? "active" : "departed")
        if options.withPasswordHashes { e.add("userPassword", m.passwordHash) }
        return e
    }
}
