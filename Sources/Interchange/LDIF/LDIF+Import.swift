public import Directory
import Foundation

// LDIF import: Roster's own exports and OpenLDAP's (slapcat, ldapsearch -L), content records and
// change records, mapped onto the domain's commands.
extension LDIF {
    /// How an import treats what it reads.
    public struct ImportOptions: Sendable {
        /// Hashes plain-text `userPassword` values and checks `{SCHEME}` ones; without it, a
        /// plain value is an error and a `{SCHEME}` value is stored as given (the domain still
        /// refuses one its hasher cannot read on the next bind).
        public var hasher: (any PasswordHasher)?
        /// Check everything and report, write nothing.
        public var dryRun: Bool
        /// An e-mail pattern (`{account}@example.com`) for entries with no mail, mobile or
        /// WeChat id: Roster needs one contact, OpenLDAP does not.
        public var placeholderEmail: String?

        /// - Parameters: see the properties.
        public init(hasher: (any PasswordHasher)? = nil, dryRun: Bool = false, placeholderEmail: String? = nil) {
            self.hasher = hasher
            self.dryRun = dryRun
            self.placeholderEmail = placeholderEmail
        }
    }

    /// Imports an LDIF file (RFC 2849) into the directory through its commands.
    ///
    /// Content records and `changetype: add` records create: the base entry renames the
    /// organisation (`o`) and sets the root department's settings; `organizationalUnit` entries
    /// (`ou=`) become departments where the DN puts them (sort order, visibility, hidden,
    /// description from Roster's attributes); `uid=` entries (or person entries with a `uid`)
    /// become members of the department their DN names, plus the other departments their
    /// `departmentNumber` names when the file's departments carry `rosterDepartmentID` (Roster's
    /// exports); entries under `cn=departed` become departed members; `groupOfNames` and
    /// `groupOfUniqueNames` entries become groups. Group members and department leaders are set
    /// after every member exists. `changetype: delete` departs an active member, erases a departed
    /// one, deletes a department or a group; `modify` changes member, department and group
    /// attributes; `modrdn`/`moddn` moves a member, reinstates a departed one, renames or moves a
    /// department, renames a group. A file with change records other than `add` is applied in
    /// file order.
    ///
    /// Every record is applied or reported: a record that cannot be read or applied is a
    /// ``InterchangeReport/Failure`` with its line number, the others are still applied (all in
    /// one transaction). Values from URLs (`attr:< file://…`) are refused by name.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - service: the directory.
    ///   - context: who imports (the audit names them).
    ///   - options: the hasher and dry-run switch.
    /// - Returns: what was applied, what failed and why, what was left out.
    /// - Throws: the store's error when the transaction itself failed (nothing written).
    public static func importLDIF(
        _ data: [UInt8], into service: DirectoryService, by context: CommandContext, options: ImportOptions = ImportOptions()
    ) throws -> InterchangeReport {
        var report = InterchangeReport()
        let (records, errors) = parse(data)
        for e in errors { report.failures.append(.init(line: e.line, item: "", message: e.message)) }
        guard let base = try? LDIFName(parsing: service.baseDN) else {
            report.failures.append(.init(line: nil, item: "", message: "the directory's base DN \(service.baseDN) is not a DN"))
            return report
        }
        var planner = LDIFPlanner(base: base, records: records, options: options, snapshot: service.live.snapshot())
        let steps = planner.plan()
        report.failures += planner.failures
        report.notes = planner.notes
        try Interchange.applyPlan(steps, into: service, by: context, allOrNothing: false, dryRun: options.dryRun, report: &report)
        report.failures.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        return report
    }
}

/// What an entry of the file is, for Roster.
private enum EntryKind {
    case organization
    case department(path: [String])
    case member(path: [String], account: String)
    case departedMember(account: String)
    case group(name: String)
    /// A container Roster makes itself (`cn=groups`, `cn=departed`), or an `ou` that holds only groups.
    case container
    /// Administrators and service accounts: not imported.
    case administrator
}

/// Turns records into commands.
private struct LDIFPlanner {
    let base: LDIFName
    let records: [LDIF.Record]
    let options: LDIF.ImportOptions
    let snapshot: DirectoryModel
    var failures: [InterchangeReport.Failure] = []
    var notes: [String] = []
    /// Attributes read and not kept, with how many entries had them.
    var ignored: [String: Int] = [:]
    /// Normalised member DN in the file → account.
    var accountsByDN: [String: String] = [:]
    /// `rosterDepartmentID` in the file → the department's path.
    var pathsByFileID: [String: [String]] = [:]
    /// Normalised DNs of `ou` entries that hold groups and no members.
    var groupContainers: Set<String> = []

    init(base: LDIFName, records: [LDIF.Record], options: LDIF.ImportOptions, snapshot: DirectoryModel) {
        self.base = base
        self.records = records
        self.options = options
        self.snapshot = snapshot
    }

    // MARK: - Attributes

    static let derived: Set<String> = [
        "objectclass", "sn", "givenname", "displayname", "ou", "departmentnumber", "manager", "memberof", "rosterstatus",
        "rosterdepartmentid", "dc", "o",
    ]
    static let operational: Set<String> = [
        "entryuuid", "entrycsn", "createtimestamp", "creatorsname", "modifytimestamp", "modifiersname",
        "structuralobjectclass", "entrydn", "subschemasubentry", "hassubordinates", "numsubordinates", "contextcsn",
        "rosterpinyin", "rosterpinyininitials", "rostermembercount", "rostersubtreemembercount", "rosterlockeduntil",
        "rosteradminlogin", "pwdchangedtime", "pwdaccountlockedtime", "pwdfailuretime", "pwdhistory", "pwdpolicysubentry",
    ]
    static let memberFields: [String: MemberField] = [
        "cn": .name, "mail": .email, "mobile": .mobile, "title": .title, "postaladdress": .address,
        "description": .remarks, "rosternickname": .nickname, "rostergender": .gender, "rosterwechatid": .wechat,
        "rosterqq": .qq, "rosterbirthday": .birthday, "rosterlunarbirthday": .lunarBirthday,
        "rosterbirthdayreminder": .birthdayReminder, "rosterhiredate": .hireDate, "rosterfollowstatus": .followStatus,
        "rosterpinned": .pinned, "rosterhidden": .hidden,
    ]

    static func values(_ values: [LDIF.Value], _ type: String) -> [String] {
        values.filter { $0.type == type }.compactMap(\.text)
    }

    static func objectClasses(_ values: [LDIF.Value]) -> Set<String> {
        Set(Self.values(values, "objectclass").map { $0.lowercased() })
    }

    static func isPerson(_ classes: Set<String>) -> Bool {
        !classes.isDisjoint(with: ["inetorgperson", "person", "organizationalperson", "rostermember"])
    }

    static func isGroup(_ classes: Set<String>) -> Bool {
        !classes.isDisjoint(with: ["groupofnames", "groupofuniquenames"])
    }

    // MARK: - Classification

    func name(_ dn: String, line: Int) throws(DirectoryError) -> LDIFName {
        do throws(LDIFName.SyntaxError) {
            return try LDIFName(parsing: dn)
        } catch {
            throw DirectoryError(.invalidValue, "dn: \(dn) is not a DN: \(error.reason)")
        }
    }

    func kind(of dn: LDIFName, values: [LDIF.Value]?) throws(DirectoryError) -> EntryKind {
        guard let rel = dn.relative(to: base) else {
            throw DirectoryError(.notFound, "dn: \(dn) is outside the directory's base \(base) (roster init --base sets it)")
        }
        if rel.isEmpty { return .organization }
        for rdn in rel where rdn.count != 1 {
            throw DirectoryError(.invalidValue, "dn: multi-valued RDNs (\(rdn.map { "\($0.type)=\($0.value)" }.joined(separator: "+"))) name nothing in Roster")
        }
        let pairs = rel.map { $0[0] }
        let types = pairs.map(\.canonicalType)
        let classes = values.map(Self.objectClasses) ?? []
        if types[0] == "cn" {
            switch DirectoryModel.foldName(pairs[0].value) {
            case "groups":
                if pairs.count == 1 { return .container }
                if pairs.count == 2, types[1] == "cn" { return .group(name: pairs[1].value) }
            case "departed":
                if pairs.count == 1 { return .container }
                if pairs.count == 2, types[1] == "uid" { return .departedMember(account: pairs[1].value) }
            case "admins", "services", "admin": return .administrator
            default: break
            }
        }
        if Self.isGroup(classes), types.last == "cn" { return .group(name: pairs[pairs.count - 1].value) }
        let parents = pairs.dropLast()
        guard parents.allSatisfy({ $0.canonicalType == "ou" }) else {
            let bad = parents.first { $0.canonicalType != "ou" }.map { "\($0.type)=\($0.value)" } ?? ""
            throw DirectoryError(
                .invalidValue,
                "dn: \(bad) is not a department; Roster's tree holds departments (ou=) with members (uid=) in them")
        }
        let path = parents.map(\.value)
        let leaf = pairs[pairs.count - 1]
        switch leaf.canonicalType {
        case "ou":
            if groupContainers.contains(dn.normalized) { return .container }
            return .department(path: path + [leaf.value])
        case "uid": return .member(path: path, account: leaf.value)
        default:
            if Self.isPerson(classes), let values, let uid = Self.values(values, "uid").first {
                return .member(path: path, account: uid)
            }
            throw DirectoryError(
                .invalidValue,
                "dn: \(leaf.type)=\(leaf.value) is not a department (ou=), a member (uid=, or a person with a uid) or a group (groupOfNames)")
        }
    }

    // MARK: - Planning

    mutating func plan() -> [PlannedStep] {
        prepare()
        let ordered = records.contains { r in if case .add = r.change { false } else { true } }
        var departments: [PlannedStep] = []
        var members: [PlannedStep] = []
        var later: [PlannedStep] = []
        var inOrder: [PlannedStep] = []
        var departmentRecords: [(id: Int?, steps: [PlannedStep])] = []
        var memberPaths: [(line: Int, path: [String])] = []
        for r in records {
            do {
                let dn = try name(r.dn, line: r.line)
                switch r.change {
                case .add(let values):
                    let (kind, now, deferred) = try addSteps(r, dn, values)
                    if ordered {
                        inOrder += now + deferred
                    } else if case .department = kind {
                        let id = Self.values(values, "rosterdepartmentid").first.flatMap(Int.init)
                        departmentRecords.append((id, now))
                        later += deferred
                    } else if case .organization = kind {
                        departments += now
                        later += deferred
                    } else {
                        if case .member(let path, _) = kind, !path.isEmpty { memberPaths.append((r.line, path)) }
                        members += now
                        later += deferred
                    }
                case .delete: inOrder.append(try deleteStep(r, dn))
                case .modify(let mods): inOrder += try modifySteps(r, dn, mods)
                case .modifyDN(let newRDN, _, let newSuperior): inOrder.append(try modifyDNStep(r, dn, newRDN, newSuperior))
                }
            } catch {
                failures.append(.init(line: r.line, item: r.dn, message: error.message))
            }
        }
        for (attr, n) in ignored.sorted(by: { $0.key < $1.key }) {
            notes.append("\(attr): not kept (\(n) \(n == 1 ? "entry" : "entries")); Roster has no field for it")
        }
        if ordered { return inOrder }
        // Roster's exports number departments in creation order: create them in that order
        // (parents first), so a round trip gives them the same ids.
        if departmentRecords.allSatisfy({ $0.id != nil }) {
            departmentRecords.sort { ($0.id ?? 0) < ($1.id ?? 0) }
        }
        // Departments the DN tree names without an ou entry of their own (a partial export):
        // created with default settings, all levels of a path at once.
        let declared = Set(departmentRecords.compactMap { $0.steps.first?.item }.map(DirectoryModel.foldName))
        var implicit: [PlannedStep] = []
        var seen = Set<String>()
        let missing = memberPaths.filter { m in
            !declared.contains(DirectoryModel.foldName(Self.pathString(m.path))) && snapshot.department(atPath: m.path) == nil
        }
        for m in missing {
            let key = DirectoryModel.foldName(Self.pathString(m.path))
            let covered = missing.contains { other in
                other.path.count > m.path.count && DirectoryModel.foldName(Self.pathString(Array(other.path.prefix(m.path.count)))) == key
            }
            guard !covered, seen.insert(key).inserted else { continue }
            let path = m.path
            notes.append("line \(m.line): department \(Self.pathString(path)) has no ou entry; created from the DN")
            implicit.append(PlannedStep(line: m.line, item: Self.pathString(path)) { model throws(DirectoryError) in
                .createDepartmentPath(parents: Array(path.dropLast()), leaf: DepartmentDraft(name: path[path.count - 1], parent: .root))
            })
        }
        return departments + Self.parentsFirst(departmentRecords.map(\.steps)) + implicit + members + later
    }

    /// Keeps the order but moves each department after its parent (by path).
    static func parentsFirst(_ groups: [[PlannedStep]]) -> [PlannedStep] {
        var out: [PlannedStep] = []
        var done = Set<String>()
        var pending = groups
        while !pending.isEmpty {
            var next: [[PlannedStep]] = []
            for g in pending {
                let path = g.first?.item ?? ""
                let parent = path.components(separatedBy: "->").dropLast().joined(separator: "->")
                let isTop = !path.contains("->")
                if isTop || done.contains(parent) || !pending.contains(where: { $0.first?.item == parent }) {
                    out += g
                    done.insert(path)
                } else {
                    next.append(g)
                }
            }
            if next.count == pending.count {
                out += next.flatMap { $0 }
                break
            }
            pending = next
        }
        return out
    }

    /// Reads what later records refer to: member DNs, department ids, ou entries that hold only groups.
    mutating func prepare() {
        var holdsMembers = Set<String>()
        var holdsGroups = Set<String>()
        var ous: [String] = []
        for r in records {
            guard case .add(let values) = r.change, let dn = try? LDIFName(parsing: r.dn) else { continue }
            let classes = Self.objectClasses(values)
            var ancestors: [String] = []
            var cursor = LDIFName(Array(dn.rdns.dropFirst()))
            while !cursor.rdns.isEmpty {
                ancestors.append(cursor.normalized)
                cursor = LDIFName(Array(cursor.rdns.dropFirst()))
            }
            if dn.leaf?.canonicalType == "ou" { ous.append(dn.normalized) }
            if Self.isGroup(classes) {
                holdsGroups.formUnion(ancestors)
            } else if dn.leaf?.canonicalType == "uid" || Self.isPerson(classes) {
                holdsMembers.formUnion(ancestors)
                if let kind = try? kind(of: dn, values: values) {
                    switch kind {
                    case .member(_, let account), .departedMember(let account): accountsByDN[dn.normalized] = account
                    default: break
                    }
                }
            }
            // Department ids in the file (Roster's exports): the base entry is the organisation.
            if let id = Self.values(values, "rosterdepartmentid").first, let rel = dn.relative(to: base),
                rel.isEmpty || rel.allSatisfy({ $0.count == 1 && $0[0].canonicalType == "ou" })
            {
                pathsByFileID[id] = rel.map { $0[0].value }
            }
        }
        for ou in ous where holdsGroups.contains(ou) && !holdsMembers.contains(ou) { groupContainers.insert(ou) }
    }

    /// The account a DN in a `member`, `uniqueMember` or `rosterLeader` value names.
    func account(named dnString: String) -> String? {
        guard let dn = try? LDIFName(parsing: dnString) else { return nil }
        if let a = accountsByDN[dn.normalized] { return a }
        if dn.leaf?.canonicalType == "uid", dn.relative(to: base) != nil { return dn.leaf?.value }
        return nil
    }

    static func pathString(_ path: [String]) -> String { path.joined(separator: "->") }

    static func department(_ path: [String], in model: DirectoryModel) throws(DirectoryError) -> Department {
        guard let d = path.isEmpty ? model.department(.root) : model.department(atPath: path) else {
            throw DirectoryError(.notFound, field: .department, "no department \(pathString(path)) (create it first: its ou= entry)")
        }
        return d
    }

    /// The fields of a member entry, and its password hash.
    mutating func memberFields(_ values: [LDIF.Value], line: Int) throws(DirectoryError) -> ([MemberField: String], String?) {
        var fields: [MemberField: String] = [:]
        var hash: String?
        var phones: [String] = []
        var seen = Set<String>()
        for v in values {
            let type = v.type
            if let field = Self.memberFields[type] {
                guard let text = v.text else { throw DirectoryError(.invalidValue, field: field, "the value is not UTF-8 text") }
                // Single-valued in Roster: the first value counts (cn's first value is the name).
                if fields[field] == nil { fields[field] = text }
                continue
            }
            switch type {
            case "uid": continue
            case "telephonenumber":
                if let t = v.text { phones.append(t) }
            case "userpassword":
                guard let t = v.text else { throw DirectoryError(.invalidValue, field: .password, "the value is not UTF-8 text") }
                hash = try storedHash(t)
            default:
                if Self.derived.contains(type) || Self.operational.contains(type) { continue }
                if seen.insert(type).inserted { ignored[v.attribute.split(separator: ";").first.map(String.init) ?? type, default: 0] += 1 }
            }
        }
        if fields[.name] == nil, let display = Self.values(values, "displayname").first { fields[.name] = display }
        if phones.count > 2 {
            throw DirectoryError(.constraintViolation, field: .phone, "Roster keeps two telephone numbers (phone, phone2); this entry has \(phones.count)")
        }
        if let p = phones.first { fields[.phone] = p }
        if phones.count > 1 { fields[.phone2] = phones[1] }
        return (fields, hash)
    }

    func storedHash(_ value: String) throws(DirectoryError) -> String {
        if value.hasPrefix("{") {
            try options.hasher?.validate(storedHash: value)
            return value
        }
        guard let hasher = options.hasher else {
            throw DirectoryError(.invalidValue, field: .password, "a plain-text userPassword is not imported without a hasher; give a {SCHEME} hash")
        }
        try PasswordRules.check(value, policy: snapshot.passwordPolicy)
        return hasher.hash(value)
    }

    /// The steps of an add: those to run now and those to run once every member exists.
    mutating func addSteps(
        _ r: LDIF.Record, _ dn: LDIFName, _ values: [LDIF.Value]
    ) throws(DirectoryError) -> (EntryKind, [PlannedStep], [PlannedStep]) {
        let kind = try kind(of: dn, values: values)
        let leaderAccounts = Self.values(values, "rosterleader").compactMap(account(named:))
        switch kind {
        case .container:
            return (kind, [], [])
        case .administrator:
            notes.append("line \(r.line): \(r.dn): administrators and service accounts are not imported (roster admin adds them)")
            return (kind, [], [])
        case .organization:
            var now: [PlannedStep] = []
            let rootType = base.leaf?.canonicalType
            if rootType != "o", let o = Self.values(values, "o").first, o != snapshot.organization {
                now.append(PlannedStep(line: r.line, item: r.dn) { _ throws(DirectoryError) in .renameOrganization(o) })
            }
            // Only what differs from the organisation as it is (its scope is always all, it is never hidden).
            var changes = try departmentChanges(values, line: r.line)
            if let root = snapshot.department(.root) {
                if changes.order == root.order { changes.order = nil }
                if changes.scope == root.scope { changes.scope = nil }
                if changes.hidden == root.hidden { changes.hidden = nil }
                if changes.description == .some(root.description) { changes.description = nil }
            }
            if changes != DepartmentChanges() {
                now.append(PlannedStep(line: r.line, item: r.dn) { _ throws(DirectoryError) in .updateDepartment(.root, changes) })
            }
            return (kind, now, leaderSteps(r, path: [], leaderAccounts))
        case .department(let path):
            let draftChanges = try departmentChanges(values, line: r.line)
            let item = Self.pathString(path)
            let step = PlannedStep(line: r.line, item: item) { model throws(DirectoryError) in
                let parent = try Self.department(Array(path.dropLast()), in: model)
                if let existing = model.child(of: parent.id, named: path[path.count - 1]) {
                    throw DirectoryError(.alreadyExists, field: .department, "\(model.pathString(of: existing.id)) already exists")
                }
                return .createDepartment(
                    DepartmentDraft(
                        name: path[path.count - 1], parent: parent.id, order: draftChanges.order ?? 0,
                        scope: draftChanges.scope ?? .inherit, hidden: draftChanges.hidden ?? false,
                        description: draftChanges.description ?? nil))
            }
            return (kind, [step], leaderSteps(r, path: path, leaderAccounts))
        case .member, .departedMember:
            let departed: Bool
            let primaryPath: [String]
            let account: String
            if case .member(let p, let a) = kind {
                departed = false
                primaryPath = p
                account = a
            } else if case .departedMember(let a) = kind {
                departed = true
                primaryPath = []
                account = a
            } else {
                return (kind, [], [])
            }
            var (fields, hash) = try memberFields(values, line: r.line)
            if fields[.email] == nil, fields[.mobile] == nil, fields[.wechat] == nil, let pattern = options.placeholderEmail {
                fields[.email] = pattern.replacingOccurrences(of: "{account}", with: account)
            }
            let memberFields = fields
            // Other departments: by the file's department ids (Roster's exports) when they all resolve.
            let numbers = Self.values(values, "departmentnumber")
            var paths: [[String]] = []
            if !numbers.isEmpty, numbers.allSatisfy({ pathsByFileID[$0] != nil }) {
                paths = numbers.compactMap { pathsByFileID[$0] }
            }
            if !departed {
                paths.removeAll { $0.map(DirectoryModel.foldName) == primaryPath.map(DirectoryModel.foldName) }
                paths.insert(primaryPath, at: 0)
            } else if paths.isEmpty {
                paths = [[]]
            }
            let passwordHash = hash
            let wantsDeparted = departed || Self.values(values, "rosterstatus").first?.lowercased() == "departed"
            var steps = [
                PlannedStep(line: r.line, item: account) { model throws(DirectoryError) in
                    var ids: [DepartmentID] = []
                    for p in paths { ids.append(try Self.department(p, in: model).id) }
                    return .createMember(account: account, fields: memberFields, departments: ids, passwordHash: passwordHash)
                }
            ]
            if wantsDeparted {
                steps.append(PlannedStep(line: r.line, item: account) { model throws(DirectoryError) in
                    .depart(try Account(parsing: account))
                })
            }
            return (kind, steps, [])
        case .group(let name):
            let description = Self.values(values, "description").first
            var accounts: [String] = []
            for v in values where v.type == "member" || v.type == "uniquemember" {
                guard let text = v.text else { continue }
                // uniqueMember may carry an #'bits' suffix (RFC 4517 NameAndOptionalUID).
                let dnText = v.type == "uniquemember" ? String(text.split(separator: "#").first ?? "") : text
                if let a = account(named: dnText) {
                    accounts.append(a)
                } else {
                    notes.append("line \(v.line): group \(name): member \(dnText) is not a member entry; left out")
                }
            }
            let step = PlannedStep(line: r.line, item: "group \(name)") { model throws(DirectoryError) in
                // Members that failed to import are reported on their own lines.
                let present = accounts.compactMap { model.member($0) }.filter(\.isActive).map(\.account)
                return .createGroup(name: name, description: description, members: present)
            }
            return (kind, [], [step])
        }
    }

    func leaderSteps(_ r: LDIF.Record, path: [String], _ accounts: [String]) -> [PlannedStep] {
        guard !accounts.isEmpty else { return [] }
        return [
            PlannedStep(line: r.line, item: path.isEmpty ? r.dn : Self.pathString(path)) { model throws(DirectoryError) in
                let d = try Self.department(path, in: model)
                let leaders = accounts.compactMap { model.member($0) }.filter(\.isActive).map(\.account)
                return .updateDepartment(d.id, DepartmentChanges(leaders: leaders))
            }
        ]
    }

    /// Roster's department attributes (sort order, visibility, hidden, description).
    func departmentChanges(_ values: [LDIF.Value], line: Int) throws(DirectoryError) -> DepartmentChanges {
        var c = DepartmentChanges()
        if let o = Self.values(values, "rostersortorder").first {
            guard let n = Int(o) else { throw DirectoryError(.invalidValue, "rosterSortOrder: \(o) is not an integer") }
            c.order = n
        }
        if let s = Self.values(values, "rostervisibility").first {
            guard let scope = VisibilityScope(rawValue: s.lowercased()) else {
                throw DirectoryError(.invalidValue, "rosterVisibility: \(s) is not one of all, department, subdepartment, inherit")
            }
            c.scope = scope
        }
        if let h = Self.values(values, "rosterhidden").first {
            switch h.uppercased() {
            case "TRUE": c.hidden = true
            case "FALSE": c.hidden = false
            default: throw DirectoryError(.invalidValue, "rosterHidden: \(h) is not TRUE or FALSE")
            }
        }
        if let d = Self.values(values, "description").first { c.description = .some(d) }
        return c
    }

    // MARK: - Change records

    func deleteStep(_ r: LDIF.Record, _ dn: LDIFName) throws(DirectoryError) -> PlannedStep {
        let kind = try kind(of: dn, values: nil)
        switch kind {
        case .member(let path, let account):
            return PlannedStep(line: r.line, item: account) { model throws(DirectoryError) in
                let m = try Self.member(account, at: path, in: model)
                return .depart(m.account)
            }
        case .departedMember(let account):
            return PlannedStep(line: r.line, item: account) { model throws(DirectoryError) in
                guard let m = model.member(account), !m.isActive else {
                    throw DirectoryError(.notFound, field: .account, "no departed member \(account)")
                }
                return .erase(m.account)
            }
        case .department(let path):
            return PlannedStep(line: r.line, item: Self.pathString(path)) { model throws(DirectoryError) in
                .deleteDepartment(try Self.department(path, in: model).id)
            }
        case .group(let name):
            return PlannedStep(line: r.line, item: "group \(name)") { _ throws(DirectoryError) in .deleteGroup(name) }
        case .organization, .container, .administrator:
            throw DirectoryError(.constraintViolation, "dn: \(dn) cannot be deleted")
        }
    }

    /// The active member `account` whose primary department is `path`.
    static func member(_ account: String, at path: [String], in model: DirectoryModel) throws(DirectoryError) -> Member {
        let d = try department(path, in: model)
        guard let m = model.member(account), m.isActive, m.primaryDepartment == d.id else {
            throw DirectoryError(.notFound, field: .account, "no member \(account) in \(path.isEmpty ? "the root department" : pathString(path))")
        }
        return m
    }

    func modifySteps(_ r: LDIF.Record, _ dn: LDIFName, _ mods: [LDIF.Modification]) throws(DirectoryError) -> [PlannedStep] {
        let kind = try kind(of: dn, values: nil)
        switch kind {
        case .member(let path, let account):
            var hash: String?
            var fieldMods: [LDIF.Modification] = []
            for m in mods {
                if m.type == "userpassword" {
                    guard m.kind != .delete, let v = m.values.first?.text else {
                        throw DirectoryError(.constraintViolation, field: .password, "a password can be replaced, not deleted")
                    }
                    hash = try storedHash(v)
                } else if Self.memberFields[m.type] != nil || m.type == "telephonenumber" {
                    fieldMods.append(m)
                } else {
                    throw DirectoryError(.invalidValue, "\(m.type): Roster cannot change this attribute of a member")
                }
            }
            let passwordHash = hash
            return [
                PlannedStep(line: r.line, item: account) { model throws(DirectoryError) in
                    let member = try Self.member(account, at: path, in: model)
                    var fields: [MemberField: String?] = [:]
                    var phones = [member.phone, member.phone2].compactMap { $0 }
                    for m in fieldMods {
                        let texts = m.values.compactMap(\.text)
                        if m.type == "telephonenumber" {
                            switch m.kind {
                            case .replace: phones = texts
                            case .add: phones += texts
                            case .delete: phones = texts.isEmpty ? [] : phones.filter { !texts.contains($0) }
                            }
                            guard phones.count <= 2 else {
                                throw DirectoryError(.constraintViolation, field: .phone, "Roster keeps two telephone numbers (phone, phone2)")
                            }
                            fields[.phone] = .some(phones.first)
                            fields[.phone2] = .some(phones.count > 1 ? phones[1] : nil)
                            continue
                        }
                        guard let field = Self.memberFields[m.type] else {
                            throw DirectoryError(.invalidValue, "\(m.type): Roster cannot change this attribute of a member")
                        }
                        switch m.kind {
                        case .replace: fields[field] = .some(texts.first)
                        case .add:
                            guard member.value(of: field) == nil || fields[field] == .some(nil) else {
                                throw DirectoryError(.constraintViolation, field: field, "already has a value; use replace")
                            }
                            fields[field] = .some(texts.first)
                        case .delete:
                            if texts.isEmpty || texts.contains(member.value(of: field) ?? "") { fields[field] = .some(nil) }
                        }
                    }
                    return .updateMember(member.account, fields: fields, passwordHash: passwordHash)
                }
            ]
        case .department, .organization:
            let p: [String]
            if case .department(let dp) = kind { p = dp } else { p = [] }
            var c = DepartmentChanges()
            var leaderValues: [String]?
            for m in mods {
                let texts = m.values.compactMap(\.text)
                switch m.type {
                case "rosterleader":
                    guard m.kind == .replace else { throw DirectoryError(.invalidValue, "rosterLeader: use replace with the whole list") }
                    leaderValues = texts
                case "rostersortorder", "rostervisibility", "rosterhidden", "description":
                    guard m.kind == .replace || (m.kind == .delete && m.type == "description") || m.kind == .add else {
                        throw DirectoryError(.invalidValue, "\(m.type): use replace")
                    }
                    if m.kind == .delete {
                        c.description = .some(nil)
                        continue
                    }
                    let single = try departmentChanges(m.values.map { var v = $0; v.attribute = m.type; return v }, line: m.line)
                    c.order = single.order ?? c.order
                    c.scope = single.scope ?? c.scope
                    c.hidden = single.hidden ?? c.hidden
                    if single.description != nil { c.description = single.description }
                default:
                    throw DirectoryError(.invalidValue, "\(m.type): Roster cannot change this attribute of a department (rename with modrdn)")
                }
            }
            let leaders = leaderValues?.compactMap(account(named:))
            let changes = c
            return [
                PlannedStep(line: r.line, item: p.isEmpty ? r.dn : Self.pathString(p)) { model throws(DirectoryError) in
                    var all = changes
                    if let leaders {
                        var accounts: [Account] = []
                        for a in leaders { accounts.append(try Account(parsing: a)) }
                        all.leaders = accounts
                    }
                    return .updateDepartment(try Self.department(p, in: model).id, all)
                }
            ]
        case .group(let name):
            var steps: [PlannedStep] = []
            for m in mods {
                switch m.type {
                case "member", "uniquemember":
                    var accounts: [Account] = []
                    for v in m.values {
                        guard let t = v.text, let a = account(named: t) else {
                            throw DirectoryError(.notFound, "member: \(v.text ?? "") is not a member's DN")
                        }
                        accounts.append(try Account(parsing: a))
                    }
                    let list = accounts
                    let command: DirectoryCommand =
                        switch m.kind {
                        case .add: .addGroupMembers(name, list)
                        case .delete: .removeGroupMembers(name, list)
                        case .replace: .setGroup(name, members: list, description: nil)
                        }
                    if m.kind == .delete && list.isEmpty {
                        steps.append(PlannedStep(line: r.line, item: "group \(name)") { _ throws(DirectoryError) in
                            .setGroup(name, members: [], description: nil)
                        })
                    } else {
                        steps.append(PlannedStep(line: r.line, item: "group \(name)") { _ throws(DirectoryError) in command })
                    }
                case "description":
                    let d: String?? = m.kind == .delete ? .some(nil) : .some(m.values.first?.text)
                    steps.append(PlannedStep(line: r.line, item: "group \(name)") { _ throws(DirectoryError) in
                        .updateGroup(name, newName: nil, description: d)
                    })
                default:
                    throw DirectoryError(.invalidValue, "\(m.type): Roster cannot change this attribute of a group")
                }
            }
            return steps
        case .departedMember, .container, .administrator:
            throw DirectoryError(.constraintViolation, "dn: \(dn) cannot be modified by an import")
        }
    }

    func modifyDNStep(_ r: LDIF.Record, _ dn: LDIFName, _ newRDN: String, _ newSuperior: String?) throws(DirectoryError) -> PlannedStep {
        let kind = try kind(of: dn, values: nil)
        let rdn = try name(newRDN, line: r.line)
        guard rdn.rdns.count == 1, let pair = rdn.leaf else {
            throw DirectoryError(.invalidValue, "newrdn: \(newRDN) is not one RDN")
        }
        var superiorPath: [String]?
        if let newSuperior {
            let s = try name(newSuperior, line: r.line)
            guard case .department(let p) = try self.kind(of: s, values: nil) else {
                if case .organization = try self.kind(of: s, values: nil) {
                    superiorPath = []
                    return try modifyDNStep(r, kind, pair, superiorPath)
                }
                throw DirectoryError(.invalidValue, "newsuperior: \(newSuperior) is not a department")
            }
            superiorPath = p
        }
        return try modifyDNStep(r, kind, pair, superiorPath)
    }

    func modifyDNStep(_ r: LDIF.Record, _ kind: EntryKind, _ pair: LDIFName.Pair, _ superior: [String]?) throws(DirectoryError) -> PlannedStep {
        switch kind {
        case .member(_, let account), .departedMember(let account):
            guard pair.canonicalType == "uid", pair.value.lowercased() == account.lowercased() else {
                throw DirectoryError(.constraintViolation, field: .account, "accounts are immutable (\(account) cannot become \(pair.value))")
            }
            guard let superior else { throw DirectoryError(.invalidValue, "newsuperior: a member moves to a department; name it") }
            if case .member(let path, _) = kind {
                return PlannedStep(line: r.line, item: account) { model throws(DirectoryError) in
                    let m = try Self.member(account, at: path, in: model)
                    let target = try Self.department(superior, in: model).id
                    return .setDepartments(m.account, [target] + m.departments.dropFirst().filter { $0 != target })
                }
            }
            return PlannedStep(line: r.line, item: account) { model throws(DirectoryError) in
                .reinstate(try Account(parsing: account), into: [try Self.department(superior, in: model).id])
            }
        case .department(let path):
            guard pair.canonicalType == "ou" else { throw DirectoryError(.invalidValue, "newrdn: a department's RDN is ou=") }
            return PlannedStep(line: r.line, item: Self.pathString(path)) { model throws(DirectoryError) in
                let d = try Self.department(path, in: model)
                let rename = pair.value == d.name ? nil : pair.value
                if let superior {
                    return .moveDepartment(d.id, to: try Self.department(superior, in: model).id, rename: rename)
                }
                return .updateDepartment(d.id, DepartmentChanges(name: rename ?? d.name))
            }
        case .group(let name):
            guard pair.canonicalType == "cn", superior == nil else {
                throw DirectoryError(.invalidValue, "newrdn: a group is renamed with cn= and stays under cn=groups")
            }
            return PlannedStep(line: r.line, item: "group \(name)") { _ throws(DirectoryError) in
                .updateGroup(name, newName: pair.value, description: nil)
            }
        case .organization, .container, .administrator:
            throw DirectoryError(.constraintViolation, "this entry cannot be renamed or moved by an import")
        }
    }
}
