import Foundation
public import HashTreeCollections
import Synchronization

/// The whole directory in memory, indexed: every read is served from here, never from disk.
///
/// A value type: readers take a copy (copy-on-write makes that free) and never see a write half
/// applied; the writer mutates its own copy and publishes it.
public struct DirectoryModel: Sendable {
    /// The organisation's name (the root department's name).
    public var organization: String { departments[.root]?.name ?? "" }

    public private(set) var departments: [DepartmentID: Department] = [:]
    private var childIDs: [DepartmentID: [DepartmentID]] = [:]
    /// (parent, folded name) → the child of that name: a path lookup costs a map read per level,
    /// not a normalisation of every sibling's name (found by profiling an import of 100 000 rows,
    /// where it was a quarter of the time).
    private var childByName: TreeDictionary<ChildName, DepartmentID> = [:]
    // Per-member maps are hash trees: a write copies a path, not the whole map, so readers keep
    // cheap snapshots of a large directory.
    /// Each member with its names (one lookup gives both: a search reads them for every entry).
    private var membersByKey: TreeDictionary<String, MemberRecord> = [:]
    // Persistent: a command copies the model, and a member write then touches one department's list,
    // not a copy of every department's.
    private var directMembers: TreeDictionary<DepartmentID, DepartmentMembers> = [:]
    private var emailIndex: TreeDictionary<String, String> = [:]
    private var mobileIndex: TreeDictionary<String, String> = [:]
    /// Folded names, pinyin (spaced and compact) and initials → accounts.
    private var nameIndex = PrefixIndex()
    /// Accounts of departed members.
    private var departedKeys: Set<String> = []
    /// Accounts of the active members placed in more than one department: what a viewer's
    /// navigation looks at, instead of walking every member in its scope on every read.
    private var severalDepartmentKeys: TreeSet<String> = []
    /// Lower-cased e-mail addresses → accounts, for prefix lookups.
    private var emailPrefixIndex = PrefixIndex()
    public private(set) var groups: [String: Group] = [:]
    /// Changes whenever a group is added, renamed or removed, to a number no other model of the
    /// process has had: a reader may cache what it derives from the groups' names under it.
    public private(set) var groupNamesVersion: UInt64 = 0
    private var groupsOfMember: [String: [String]] = [:]
    public private(set) var administrators: [String: Administrator] = [:]
    /// The id the next new department gets: a sequence that only grows (stores persist it), so a
    /// deleted department's id is never given to another one.
    public private(set) var nextDepartmentID = DepartmentID(2)
    /// 成员属性设置.
    public private(set) var fieldPolicy = FieldPolicy()
    /// The rules new passwords must meet.
    public private(set) var passwordPolicy = PasswordPolicy()
    /// What changed since the last ``takeChanges()``.
    public private(set) var changes = ChangeSet()
    /// Grows whenever a department is added, changed or removed: within one lineage of models,
    /// an equal version means an equal tree (caches of tree-derived strings key on it).
    public private(set) var treeVersion: UInt64 = 0

    /// Returns and clears the record of what changed.
    public mutating func takeChanges() -> ChangeSet {
        defer { changes = ChangeSet() }
        return changes
    }

    /// Replaces the field policy.
    public mutating func put(_ policy: FieldPolicy) {
        fieldPolicy = policy
        changes.policy = true
    }

    /// Replaces the password policy (stored with the field policy).
    public mutating func put(_ policy: PasswordPolicy) {
        passwordPolicy = policy
        changes.policy = true
    }

    /// An empty directory whose root department is named `organization`.
    public init(organization: String) {
        let root = Department(id: .root, name: organization, parent: nil, scope: .all)
        departments[.root] = root
        childIDs[.root] = []
    }

    // MARK: - Departments

    /// The department with `id`.
    public func department(_ id: DepartmentID) -> Department? { departments[id] }

    /// Sub-departments of `id`, by sort order then name.
    public func children(of id: DepartmentID) -> [DepartmentID] { childIDs[id] ?? [] }

    /// The sub-department of `parent` named `name` (names compared ignoring case and full-width
    /// forms: ＡＢＣ and abc are one name).
    public func child(of parent: DepartmentID, named name: String) -> Department? {
        childByName[ChildName(parent: parent, name: Self.foldDepartmentName(name))].flatMap { departments[$0] }
    }

    /// A department's name as sibling names are compared: compatibility-normalised, lower-cased.
    static func foldDepartmentName(_ name: String) -> String { name.compatibilityFolded }

    struct ChildName: Hashable, Sendable {
        var parent: DepartmentID
        var name: String
    }

    /// The chain from the root to `id`, both included.
    public func path(to id: DepartmentID) -> [DepartmentID] {
        var chain: [DepartmentID] = []
        var cursor: DepartmentID? = id
        while let c = cursor, let d = departments[c] {
            chain.append(c)
            cursor = d.parent
        }
        return chain.reversed()
    }

    /// The depth of a department: the root is 0, a top-level department 1.
    public func depth(of id: DepartmentID) -> Int { path(to: id).count - 1 }

    /// Whether `id` is `ancestor` or lies below it. False when either does not exist: a deleted
    /// department contains nothing and lies nowhere (a scope naming it grants nothing).
    public func isDepartment(_ id: DepartmentID, within ancestor: DepartmentID) -> Bool {
        guard departments[ancestor] != nil, departments[id] != nil else { return false }
        var cursor: DepartmentID? = id
        while let c = cursor {
            if c == ancestor { return true }
            cursor = departments[c]?.parent
        }
        return false
    }

    /// Every department of the subtree rooted at `id`, in tree order (a department before its
    /// sub-departments, siblings by sort order).
    public func subtree(of id: DepartmentID) -> [DepartmentID] {
        var out: [DepartmentID] = []
        var stack = [id]
        while let next = stack.popLast() {
            out.append(next)
            stack.append(contentsOf: (childIDs[next] ?? []).reversed())
        }
        return out
    }

    /// Resolves a template path (`营销中心->大客户部`) from the root.
    public func department(atPath names: [String]) -> Department? {
        var cursor = DepartmentID.root
        for name in names {
            guard let d = child(of: cursor, named: name) else { return nil }
            cursor = d.id
        }
        return departments[cursor]
    }

    /// The names from the top-level department down to `id` (empty for the root).
    public func pathNames(of id: DepartmentID) -> [String] {
        path(to: id).dropFirst().compactMap { departments[$0]?.name }
    }

    /// Adds or replaces a department and keeps the sibling order.
    public mutating func put(_ department: Department) {
        changes.departments.insert(department.id)
        treeVersion &+= 1
        let old = departments[department.id]
        departments[department.id] = department
        if let old, let oldParent = old.parent {
            let key = ChildName(parent: oldParent, name: Self.foldDepartmentName(old.name))
            if childByName[key] == department.id { childByName[key] = nil }
        }
        if let parent = department.parent {
            let key = ChildName(parent: parent, name: Self.foldDepartmentName(department.name))
            // Sibling names are unique (a domain rule); should a store hold two, the first stays.
            if childByName[key] == nil || departments[childByName[key]!]?.parent != parent { childByName[key] = department.id }
        }
        if childIDs[department.id] == nil { childIDs[department.id] = [] }
        if let oldParent = old?.parent, oldParent != department.parent {
            childIDs[oldParent]?.removeAll { $0 == department.id }
        }
        if let parent = department.parent {
            var siblings = childIDs[parent] ?? []
            siblings.removeAll { $0 == department.id }
            siblings.append(department.id)
            siblings.sort { a, b in
                let da = departments[a]!, db = departments[b]!
                return da.order != db.order ? da.order < db.order : da.name < db.name
            }
            childIDs[parent] = siblings
        }
        if department.id >= nextDepartmentID {
            let (next, overflow) = department.id.rawValue.addingReportingOverflow(1)
            nextDepartmentID = DepartmentID(overflow ? Int64.max : next)
        }
    }

    /// Raises the department id sequence to at least `next` (never lowers it).
    mutating func reserveDepartmentIDs(below next: DepartmentID) {
        if next > nextDepartmentID { nextDepartmentID = next }
    }

    /// Removes a department that has no sub-departments and no members.
    public mutating func removeDepartment(_ id: DepartmentID) {
        guard let d = departments.removeValue(forKey: id) else { return }
        changes.departments.insert(id)
        treeVersion &+= 1
        if let parent = d.parent {
            let key = ChildName(parent: parent, name: Self.foldDepartmentName(d.name))
            if childByName[key] == id { childByName[key] = nil }
        }
        if let parent = d.parent { childIDs[parent]?.removeAll { $0 == id } }
        childIDs[id] = nil
        directMembers[id] = nil
    }

    // MARK: - Members

    /// The member with this account (case ignored), active or departed.
    public func member(_ account: String) -> Member? {
        // Most callers hold the key itself (lower-cased): looked up as it is first.
        (membersByKey[account] ?? membersByKey[account.lowercased()])?.member
    }

    /// The member holding this e-mail address (case ignored).
    public func member(email: String) -> Member? { emailIndex[email.lowercased()].flatMap { membersByKey[$0]?.member } }

    /// The member holding this mobile number (spaces and hyphens ignored).
    public func member(mobile: String) -> Member? { mobileIndex[Self.mobileKey(mobile)].flatMap { membersByKey[$0]?.member } }

    /// Every member, active and departed, in no particular order.
    public var allMembers: LazyMapCollection<TreeDictionary<String, MemberRecord>.Values, Member> { membersByKey.values.lazy.map(\.member) }

    /// The keys a member's name is indexed under: the folded name, its pinyin with and without
    /// spaces, and its initials; then the surname and the given name (sn, givenName) folded and
    /// in pinyin with and without spaces, so that a search on one part finds its candidates. The index is a superset:
    /// which part a key belongs to is decided when the filter is evaluated on the entry, where
    /// `(sn=zhang)` matches 张三 and `(givenName=zhang*)` does not.
    static func nameKeys(_ name: String, _ names: MemberNames) -> Set<String> {
        let pinyin = names.pinyin
        var keys: Set<String> = [Self.foldName(name)]
        if !pinyin.compact.isEmpty {
            keys.insert(pinyin.spaced)
            keys.insert(pinyin.compact)
            keys.insert(pinyin.initials)
        }
        let parts = names.parts
        for part in [parts.surname, parts.givenName] where !part.isEmpty { keys.insert(Self.foldName(part)) }
        for p in [names.surnamePinyin, names.givenNamePinyin].compactMap({ $0 }) {
            keys.insert(p.spaced)
            keys.insert(p.compact)
        }
        return keys
    }

    /// The pinyin of a Han name's surname and of its given name (sn and givenName, DESIGN §3):
    /// a Han character is one syllable, so the surname's pinyin is the name's first syllables
    /// (with the surname's special reading, 曾 zeng, 单 shan) and the given name's the rest. Nil
    /// for a part that is not all Han, or when the syllables do not line up with the characters.
    /// - Parameters:
    ///   - name: the member's name.
    ///   - pinyin: its pinyin (``pinyin(of:)``).
    public static func partPinyin(
        _ name: String, _ pinyin: PinyinName
    ) -> (surname: PinyinName?, givenName: PinyinName?) {
        let trimmed = name.trimmingWhitespace
        let syllables = pinyin.spaced.split(separator: " ")
        guard !syllables.isEmpty, syllables.count == trimmed.count else { return (nil, nil) }
        let parts = NameParts(trimmed)
        func forms(_ part: String, first: Bool) -> PinyinName? {
            guard !part.isEmpty, part.unicodeScalars.allSatisfy(Pinyin.isHan), part.count <= syllables.count else {
                return nil
            }
            let slice = first ? syllables.prefix(part.count) : syllables.suffix(part.count)
            return PinyinName(spaced: slice.joined(separator: " "))
        }
        return (forms(parts.surname, first: true), forms(parts.givenName, first: false))
    }

    /// Folds a name for lookups: compatibility-normalised (full-width to half-width), lower-cased,
    /// runs of spaces collapsed.
    public static func foldName(_ name: String) -> String {
        let folded = name.compatibilityFolded
        return folded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Members (active and departed) whose name, pinyin or initials equal `key` (folded).
    public func members(named key: String) -> [Member] {
        let folded = Self.foldName(key)
        return Set(nameIndex.exact(folded) + nameIndex.exact(folded.replacingOccurrences(of: " ", with: "")))
            .sorted().compactMap { membersByKey[$0]?.member }
    }

    /// Account keys of the members (active and departed) whose name, pinyin or initials equal
    /// `key` (folded): the index answer without building the members.
    public func accountKeys(named key: String) -> Set<String> {
        let folded = Self.foldName(key)
        return Set(nameIndex.exact(folded) + nameIndex.exact(folded.replacingOccurrences(of: " ", with: "")))
    }

    /// Account keys of the members whose name, pinyin or initials start with `prefix` (folded).
    public func accountKeys(namePrefix prefix: String) -> Set<String> { Set(nameIndex.prefix(Self.foldName(prefix))) }

    /// An account key reduced to an integer, the same in one process for the same key: search
    /// candidates are sets of these (a collision only adds a candidate, which the filter then
    /// refuses).
    @inline(__always)
    public static func accountHash(_ key: String) -> Int { key.hashValue }

    /// Calls `body` with ``accountHash(_:)`` and (when it asks) the account key of each member
    /// whose name, pinyin or initials start with `prefix` (folded), as the index lists them (an
    /// account may come more than once).
    public func visitAccounts(namePrefix prefix: String, _ body: (_ hash: Int, _ key: () -> String) -> Void) {
        nameIndex.visit(prefix: Self.foldName(prefix), body)
    }

    /// The same for the members whose e-mail address starts with `prefix` (case ignored).
    public func visitAccounts(emailPrefix prefix: String, _ body: (_ hash: Int, _ key: () -> String) -> Void) {
        emailPrefixIndex.visit(prefix: prefix.lowercased(), body)
    }

    /// The name index's version: what is derived from its answers may be kept under it
    /// (``PrefixIndex/version``).
    public var nameIndexVersion: UInt64 { nameIndex.version }

    /// The e-mail prefix index's version.
    public var emailIndexVersion: UInt64 { emailPrefixIndex.version }

    /// How many name index entries start with `prefix` (folded): at least as many as the
    /// accounts ``visitAccounts(namePrefix:_:)`` gives, counted without visiting them.
    public func accountEntryCount(namePrefix prefix: String) -> Int { nameIndex.count(prefix: Self.foldName(prefix)) }

    /// The same for e-mail addresses.
    public func accountEntryCount(emailPrefix prefix: String) -> Int { emailPrefixIndex.count(prefix: prefix.lowercased()) }

    /// The departed members' account keys.
    public var departedAccountKeys: Set<String> { departedKeys }

    /// Account keys of the members whose e-mail address starts with `prefix` (case ignored).
    public func accountKeys(emailPrefix prefix: String) -> Set<String> { Set(emailPrefixIndex.prefix(prefix.lowercased())) }

    /// Members whose e-mail address starts with `prefix` (case ignored).
    public func members(emailPrefix prefix: String) -> [Member] {
        Set(emailPrefixIndex.prefix(prefix.lowercased())).sorted().compactMap { membersByKey[$0]?.member }
    }

    /// Members whose name, pinyin or initials start with `prefix` (folded).
    public func members(namePrefix prefix: String) -> [Member] {
        Set(nameIndex.prefix(Self.foldName(prefix))).sorted().compactMap { membersByKey[$0]?.member }
    }

    /// How many members (active and departed) the directory holds.
    public var memberCount: Int { membersByKey.count }

    /// Account keys of the active members directly in `id` (primary or not), in the
    /// department's order, without building the members.
    public func memberKeys(in id: DepartmentID) -> [String] { directMembers[id]?.keys ?? [] }

    /// The active members directly in `id` (primary or not), in the department's order, as keys
    /// with their account hashes.
    public func departmentMembers(_ id: DepartmentID) -> DepartmentMembers { directMembers[id] ?? DepartmentMembers() }

    /// Whether the account key is a departed member's.
    public func isDeparted(key: String) -> Bool { departedKeys.contains(key) }

    /// How many members have departed.
    public var departedCount: Int { departedKeys.count }

    /// Active members directly in `id` (primary or not): pinned first, then by pinyin.
    public func members(in id: DepartmentID) -> [Member] {
        (directMembers[id]?.keys ?? []).compactMap { membersByKey[$0]?.member }
    }

    /// Active members placed in more than one department, in no particular order.
    public var membersInSeveralDepartments: [Member] { severalDepartmentKeys.compactMap { membersByKey[$0]?.member } }

    /// Members whose primary department is `id`, in the same order.
    public func primaryMembers(in id: DepartmentID) -> [Member] {
        members(in: id).filter { $0.primaryDepartment == id }
    }

    /// Active members in the subtree of `id`, each counted once.
    public func subtreeMemberCount(of id: DepartmentID) -> Int {
        var seen = Set<String>()
        for d in subtree(of: id) { for key in directMembers[d]?.keys ?? [] { seen.insert(key) } }
        return seen.count
    }

    /// The pinyin forms of a member's name.
    public func pinyin(of account: Account) -> PinyinName {
        membersByKey[account.key]?.names.pinyin ?? PinyinName("")
    }

    /// A member's name as searched and shown: pinyin, parts and the parts' pinyin (nil for an
    /// account that is not a member's).
    public func names(of account: Account) -> MemberNames? { membersByKey[account.key]?.names }

    /// A member and its names, in one lookup.
    public func record(_ key: String) -> MemberRecord? { membersByKey[key] ?? membersByKey[key.lowercased()] }

    /// Departed members.
    public var departedMembers: [Member] {
        departedKeys.sorted().compactMap { membersByKey[$0]?.member }
    }

    /// Adds many members at once (loading a store), sorting each department's list once.
    /// - Parameters:
    ///   - members: the members.
    ///   - pinyin: stored spaced pinyin by account key, to skip transliteration.
    public mutating func bulkLoad(members: [Member], pinyin: [String: String] = [:]) {
        var touched = Set<DepartmentID>()
        var keys: [(String, String)] = []
        for m in members {
            put(m, sorted: false, pinyin: pinyin[m.account.key].map { PinyinName(spaced: $0) })
            if m.isActive { touched.formUnion(m.departments) }
            for k in Self.nameKeys(m.name, membersByKey[m.account.key]!.names) { keys.append((k, m.account.key)) }
        }
        for d in touched { sortMembers(of: d) }
        nameIndex.build(keys)
        emailPrefixIndex.build(members.compactMap { m in m.email.map { ($0.lowercased(), m.account.key) } })
    }

    /// Adds or replaces a member and keeps every index current.
    public mutating func put(_ member: Member) { put(member, sorted: true) }

    private mutating func put(_ member: Member, sorted: Bool, pinyin: PinyinName? = nil) {
        let key = member.account.key
        changes.members.insert(key)
        let oldRecord = membersByKey[key]
        let old = oldRecord?.member
        if member.isActive {
            if old?.isActive == false { departedKeys.remove(key) }
        } else if old?.isActive != false {
            departedKeys.insert(key)
        }
        if member.isActive && Set(member.departments).count > 1 {
            severalDepartmentKeys.insert(key)
        } else if old != nil {
            severalDepartmentKeys.remove(key)
        }
        // Only the indexes whose inputs changed are touched: a title change costs a map write.
        let names: MemberNames
        if let oldRecord, oldRecord.member.name == member.name {
            names = oldRecord.names
        } else {
            if let oldRecord {
                for k in Self.nameKeys(oldRecord.member.name, oldRecord.names) { nameIndex.remove(k, account: key) }
            }
            names = MemberNames(member.name, pinyin: pinyin ?? PinyinName(member.name))
            if sorted {
                for k in Self.nameKeys(member.name, names) { nameIndex.insert(k, account: key) }
            }
        }
        membersByKey[key] = MemberRecord(member: member, names: names)
        if old?.email != member.email {
            if let email = old?.email {
                if emailIndex[email.lowercased()] == key { emailIndex[email.lowercased()] = nil }
                emailPrefixIndex.remove(email.lowercased(), account: key)
            }
            if let email = member.email {
                emailIndex[email.lowercased()] = key
                if sorted { emailPrefixIndex.insert(email.lowercased(), account: key) }
            }
        }
        if old?.mobile != member.mobile {
            if let mobile = old?.mobile, mobileIndex[Self.mobileKey(mobile)] == key { mobileIndex[Self.mobileKey(mobile)] = nil }
            if let mobile = member.mobile { mobileIndex[Self.mobileKey(mobile)] = key }
        }
        let oldPlacement = old.map { $0.isActive ? Set($0.departments) : [] } ?? []
        let newPlacement: Set<DepartmentID> = member.isActive ? Set(member.departments) : []
        let reorder = old?.pinned != member.pinned || old?.name != member.name
        for d in oldPlacement where !newPlacement.contains(d) { directMembers[d]?.remove(key) }
        for d in newPlacement where !oldPlacement.contains(d) || reorder {
            var list = directMembers[d] ?? DepartmentMembers()
            directMembers[d] = nil  // the list is uniquely referenced while it changes
            if oldPlacement.contains(d) { list.remove(key) }
            if sorted {
                // Binary insertion into the department's order: an import into one department of
                // n members costs O(log n) comparisons a row, not a sort of the whole list (found
                // by review: 2 000 rows into one department took 44 s).
                let mine = memberOrderKey(key)
                var low = 0
                var high = list.count
                while low < high {
                    let mid = (low + high) / 2
                    if Self.precedes(memberOrderKey(list.keys[mid]), mine) { low = mid + 1 } else { high = mid }
                }
                list.insert(key, at: low)
            } else {
                list.append(key)
            }
            directMembers[d] = list
        }
    }

    /// Records that a member's entry changed without changing the member (its DN moved).
    mutating func touchMember(_ account: Account) { changes.members.insert(account.key) }

    /// Records that a group's entry changed without changing the group.
    mutating func touchGroup(_ key: String) { changes.groups.insert(key) }

    /// Erases a member from every index and every group.
    public mutating func removeMember(_ account: Account) {
        guard let record = membersByKey.removeValue(forKey: account.key) else { return }
        let old = record.member
        changes.members.insert(account.key)
        departedKeys.remove(account.key)
        severalDepartmentKeys.remove(account.key)
        unindex(old)
        for k in Self.nameKeys(old.name, record.names) { nameIndex.remove(k, account: account.key) }
        for g in groupsOfMember[account.key] ?? [] {
            groups[g]?.members.removeAll { $0 == account }
            changes.groups.insert(g)
        }
        groupsOfMember[account.key] = nil
    }

    private mutating func unindex(_ member: Member) {
        let key = member.account.key
        if let email = member.email { emailPrefixIndex.remove(email.lowercased(), account: key) }
        if let email = member.email, emailIndex[email.lowercased()] == key { emailIndex[email.lowercased()] = nil }
        if let mobile = member.mobile, mobileIndex[Self.mobileKey(mobile)] == key {
            mobileIndex[Self.mobileKey(mobile)] = nil
        }
        for d in Set(member.departments) { directMembers[d]?.remove(key) }
    }

    private mutating func sortMembers(of id: DepartmentID) {
        guard var list = directMembers[id] else { return }
        directMembers[id] = nil
        let keys = Dictionary(uniqueKeysWithValues: list.keys.map { ($0, memberOrderKey($0)) })
        list.sort { Self.precedes(keys[$0]!, keys[$1]!) }
        directMembers[id] = list
    }

    /// A member's place in its departments' order: pinned first, then by pinyin, then account.
    private func memberOrderKey(_ key: String) -> (pinned: Bool, pinyin: String, key: String) {
        (membersByKey[key]?.member.pinned ?? false, membersByKey[key]?.names.pinyin.compact ?? "", key)
    }

    private static func precedes(
        _ a: (pinned: Bool, pinyin: String, key: String), _ b: (pinned: Bool, pinyin: String, key: String)
    ) -> Bool {
        if a.pinned != b.pinned { return a.pinned }
        return a.pinyin != b.pinyin ? a.pinyin < b.pinyin : a.key < b.key
    }

    /// The key the mobile index uses: digits and `+` only.
    public static func mobileKey(_ mobile: String) -> String {
        String(mobile.unicodeScalars.filter { $0 != " " && $0 != "-" }.map(Character.init))
    }

    // MARK: - Groups

    /// The group with this name (case ignored).
    public func group(_ name: String) -> Group? { groups[name.lowercased()] }

    /// Groups that list `account`, by name.
    public func groups(of account: Account) -> [Group] {
        (groupsOfMember[account.key] ?? []).compactMap { groups[$0] }.sorted { $0.key < $1.key }
    }

    /// Adds or replaces a group.
    public mutating func put(_ group: Group) {
        changes.groups.insert(group.key)
        if let old = groups[group.key] {
            for m in old.members { groupsOfMember[m.key]?.removeAll { $0 == group.key } }
        }
        if groups[group.key]?.name != group.name { groupNamesVersion = Self.nextVersion() }
        groups[group.key] = group
        for m in group.members { groupsOfMember[m.key, default: []].append(group.key) }
    }

    private static let versions = Atomic<UInt64>(0)

    static func nextVersion() -> UInt64 { versions.add(1, ordering: .relaxed).newValue }

    /// Removes a group.
    public mutating func removeGroup(_ name: String) {
        guard let old = groups.removeValue(forKey: name.lowercased()) else { return }
        groupNamesVersion = Self.nextVersion()
        changes.groups.insert(old.key)
        for m in old.members { groupsOfMember[m.key]?.removeAll { $0 == old.key } }
    }

    // MARK: - Administrators

    /// The administrator or service account with this name (case ignored).
    public func administrator(_ name: String) -> Administrator? { administrators[name.lowercased()] }

    /// Adds or replaces an administrator or service account.
    public mutating func put(_ admin: Administrator) {
        administrators[admin.key] = admin
        changes.administrators.insert(admin.key)
    }

    /// Removes an administrator or service account.
    public mutating func removeAdministrator(_ name: String) {
        administrators[name.lowercased()] = nil
        changes.administrators.insert(name.lowercased())
    }
}

extension String {
    /// Compatibility-normalised (NFKC) and lower-cased: how names are compared. Text of ASCII
    /// and CJK unified ideographs only — most names — is its own NFKC form and needs at most
    /// the ASCII lower-casing (the normalisation was a fifth of an import's department lookups).
    var compatibilityFolded: String {
        var upper = false
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: upper = true
            case 0..<0x80, 0x4E00...0x9FFF, 0x3400...0x4DBF: continue
            default:
                // Repeated until the bytes stop changing, as DN values are folded: one round of
                // NFKC and lower-casing can leave marks out of canonical order (`İ` + U+0317).
                var current = precomposedStringWithCompatibilityMapping.lowercased()
                for _ in 0..<4 {
                    let next = current.precomposedStringWithCompatibilityMapping.lowercased()
                    if next.utf8.elementsEqual(current.utf8) { break }
                    current = next
                }
                return current
            }
        }
        return upper ? lowercased() : self
    }
}
