import Directory
import Foundation

/// What the address book shows one viewer, decided by the domain's ``Visibility`` — the same
/// decisions the LDAP frontend makes before anything becomes an entry: a person or department the
/// viewer may not see is in no list, no count and no search result, and their page is a 404.
struct AddressBook {
    let visibility: Visibility
    var model: DirectoryModel { visibility.model }

    /// Whether the viewer sees this active member.
    func sees(_ m: Member) -> Bool { m.isActive && visibility.canSee(member: m) }

    /// A member the viewer sees, by account.
    func member(_ account: String) -> Member? {
        guard let m = model.member(account), sees(m) else { return nil }
        return m
    }

    // MARK: - Search

    /// The people a search finds: as LDAP's `(|(cn=Q*)(mail=Q*)(mobile=*Q*)(ou=Q*))` finds them for
    /// the same viewer — the name, its pinyin with and without spaces or its initials starting
    /// with the text; the e-mail address starting with it; the mobile number holding it (spaces and
    /// hyphens ignored); or one of the member's departments the viewer sees named with it. Fields
    /// the viewer may not see are not searched. In pinyin order, at most `limit`.
    func search(_ text: String, limit: Int) -> (people: [Member], more: Bool) {
        let q = DirectoryModel.foldName(text)
        guard !q.isEmpty else { return ([], false) }
        var candidates = model.accountKeys(namePrefix: q)
        candidates.formUnion(model.accountKeys(emailPrefix: q))
        let digits = q.contains(where: \.isNumber) ? Self.phoneKey(q) : ""
        var departmentsNamed = Set<DepartmentID>()
        for id in model.subtree(of: .root) where id != .root {
            if let d = model.department(id), DirectoryModel.foldName(d.name).hasPrefix(q), visibility.canSee(department: id) {
                departmentsNamed.insert(id)
                for m in model.members(in: id) { candidates.insert(m.account.key) }
            }
        }
        if !digits.isEmpty {
            for m in model.allMembers where m.isActive {
                if let mobile = m.mobile, Self.phoneKey(mobile).contains(digits) { candidates.insert(m.account.key) }
            }
        }
        var found: [Member] = []
        for key in candidates {
            guard let m = model.member(key), sees(m), matches(m, q, digits, departmentsNamed) else { continue }
            found.append(m)
        }
        found.sort { a, b in
            let pa = model.pinyin(of: a.account).compact, pb = model.pinyin(of: b.account).compact
            return pa != pb ? pa < pb : a.account < b.account
        }
        return (Array(found.prefix(limit)), found.count > limit)
    }

    private func matches(_ m: Member, _ q: String, _ digits: String, _ departmentsNamed: Set<DepartmentID>) -> Bool {
        if DirectoryModel.foldName(m.name).hasPrefix(q) { return true }
        let py = model.pinyin(of: m.account)
        if !py.compact.isEmpty, py.spaced.hasPrefix(q) || py.compact.hasPrefix(q) || py.initials.hasPrefix(q) { return true }
        if let e = m.email, visibility.canSee(field: .email, of: m), e.lowercased().hasPrefix(q) { return true }
        if !digits.isEmpty, let mobile = m.mobile, visibility.canSee(field: .mobile, of: m), Self.phoneKey(mobile).contains(digits) {
            return true
        }
        return m.departments.contains { departmentsNamed.contains($0) }
    }

    /// A phone number as telephoneNumberMatch compares it: without spaces and hyphens.
    static func phoneKey(_ s: String) -> String { s.filter { $0 != " " && $0 != "-" } }

    // MARK: - A–Z

    /// The letter a member is filed under: the first letter of the surname's pinyin (or of a
    /// Latin surname), `#` for anything else.
    func initial(of m: Member) -> Character {
        let names = model.names(of: m.account) ?? MemberNames(m.name, pinyin: PinyinName(spaced: ""))
        let py = names.pinyin
        let source = names.surnamePinyin?.compact ?? (py.compact.isEmpty ? names.parts.surname : py.compact)
        guard let c = source.uppercased().first, c.isASCII, c.isLetter else { return "#" }
        return c
    }

    /// Everyone the viewer sees, filed by initial, each letter's people in pinyin order.
    func index() -> [(letter: Character, people: [Member])] {
        var byLetter: [Character: [Member]] = [:]
        for m in model.allMembers where sees(m) { byLetter[initial(of: m), default: []].append(m) }
        return byLetter.keys.sorted { a, b in a == "#" ? false : (b == "#" ? true : a < b) }.map { letter in
            let people = byLetter[letter]!.sorted { a, b in
                let pa = model.pinyin(of: a.account).compact, pb = model.pinyin(of: b.account).compact
                return pa != pb ? pa < pb : a.account < b.account
            }
            return (letter, people)
        }
    }

    // MARK: - The organisation

    /// A department the viewer sees, with its head counts as LDAP's `rosterMemberCount` and
    /// `rosterSubtreeMemberCount` give them.
    struct DepartmentSummary {
        let department: Department
        /// Visible members directly in it.
        let direct: Int
        /// Visible members in its visible subtree, each once.
        let subtree: Int
    }

    func summary(_ id: DepartmentID) -> DepartmentSummary? {
        guard let d = model.department(id), visibility.canSee(department: id) else { return nil }
        let direct = model.members(in: id).filter(sees).count
        var seen = Set<String>()
        for sub in model.subtree(of: id) where visibility.canSee(department: sub) {
            for m in model.members(in: sub) where sees(m) { seen.insert(m.account.key) }
        }
        return DepartmentSummary(department: d, direct: direct, subtree: seen.count)
    }

    /// The visible sub-departments of `id`, in the directory's order (sort order, then name).
    func children(of id: DepartmentID) -> [DepartmentSummary] {
        model.children(of: id).compactMap(summary)
    }

    /// The visible members directly in `id`, in the directory's order (pinned first, then pinyin).
    func members(in id: DepartmentID) -> [Member] { model.members(in: id).filter(sees) }

    /// The visible departments on the way from the organisation to `id`.
    func path(to id: DepartmentID) -> [Department] {
        model.path(to: id).filter { visibility.canSee(department: $0) }.compactMap { model.department($0) }
    }

    // MARK: - A card

    /// The fields of a card, in the order shown, that hold a value the viewer may see.
    static let cardFields: [MemberField] = [
        .title, .mobile, .phone, .phone2, .email, .wechat, .qq, .nickname, .gender, .address, .birthday, .hireDate, .remarks,
    ]

    func visibleFields(of m: Member) -> [(MemberField, String)] {
        Self.cardFields.compactMap { f in
            guard let v = m.value(of: f), !v.isEmpty, visibility.canSee(field: f, of: m) else { return nil }
            return (f, v)
        }
    }

    /// The member's departments the viewer sees.
    func departments(of m: Member) -> [Department] {
        m.departments.filter { visibility.canSee(department: $0) }.compactMap { model.department($0) }
    }

    /// The member's leader as LDAP's `manager` names it: the first leader of the primary
    /// department other than the member, when active and visible.
    func leader(of m: Member) -> Member? {
        guard let primary = model.department(m.primaryDepartment),
            let leader = primary.leaders.first(where: { $0 != m.account }), let lm = model.member(leader.key), sees(lm)
        else { return nil }
        return lm
    }

    /// Whether the member leads one of the departments the viewer sees.
    func leads(_ m: Member) -> [Department] { departments(of: m).filter { $0.leaders.contains(m.account) } }
}
