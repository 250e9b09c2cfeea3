/// The admin backend's advanced member search (the seed's 高级搜索): account, name/pinyin/mobile,
/// title, gender, follow status, birthday month, hire-date range, department subtree and status.
///
/// Decided with the viewer's ``Visibility``: a member the viewer cannot see is never a result,
/// and a criterion on a field the viewer cannot see of a member does not match that member (so
/// a search cannot reveal a hidden value by narrowing).
public struct MemberQuery: Sendable, Hashable {
    /// Part of the account (case ignored).
    public var account: String?
    /// The start of the name, its pinyin or initials, or part of the mobile number.
    public var text: String?
    /// Part of the title (case ignored).
    public var title: String?
    /// The gender, as stored (男 / 女).
    public var gender: String?
    public var followStatus: Member.FollowStatus?
    /// The month (1–12) of the solar birthday.
    public var birthdayMonth: Int?
    /// Hire dates from this day (YYYY-MM-DD, inclusive).
    public var hiredFrom: String?
    /// Hire dates up to this day (YYYY-MM-DD, inclusive).
    public var hiredTo: String?
    /// Only members in this department's subtree.
    public var department: DepartmentID?
    public var status: StatusFilter = .active

    public enum StatusFilter: String, Sendable, Hashable, CaseIterable {
        case active, departed, any
    }

    public init(
        account: String? = nil, text: String? = nil, title: String? = nil, gender: String? = nil,
        followStatus: Member.FollowStatus? = nil, birthdayMonth: Int? = nil, hiredFrom: String? = nil,
        hiredTo: String? = nil, department: DepartmentID? = nil, status: StatusFilter = .active
    ) {
        self.account = account
        self.text = text
        self.title = title
        self.gender = gender
        self.followStatus = followStatus
        self.birthdayMonth = birthdayMonth
        self.hiredFrom = hiredFrom
        self.hiredTo = hiredTo
        self.department = department
        self.status = status
    }

    /// Checks the criteria's own rules (a month 1–12, dates YYYY-MM-DD, a range in order).
    /// - Throws: ``DirectoryError`` naming the criterion.
    public func validate() throws(DirectoryError) {
        if let m = birthdayMonth, !(1...12).contains(m) {
            throw DirectoryError(.invalidValue, field: .birthday, "birthday month \(m) is not 1–12")
        }
        let from = try hiredFrom.map { v throws(DirectoryError) in try FieldRules.date(v, .hireDate) }
        let to = try hiredTo.map { v throws(DirectoryError) in try FieldRules.date(v, .hireDate) }
        if let from, let to, from > to {
            throw DirectoryError(.invalidValue, field: .hireDate, "hire date range \(from) … \(to) ends before it starts")
        }
    }

    /// The members matching every given criterion that `visibility`'s viewer may see, ordered by
    /// pinyin then account, at most `limit` of them.
    /// - Returns: the page of results and how many matched in all.
    /// - Throws: ``DirectoryError`` for a criterion that breaks its rule.
    public func run(_ visibility: Visibility, limit: Int = 200) throws(DirectoryError) -> (members: [Member], total: Int) {
        try validate()
        let model = visibility.model
        let scope = department.map { Set(model.subtree(of: $0)) }
        let accountNeedle = account.map { $0.trimmingWhitespace.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let textNeedle = text.map { DirectoryModel.foldName($0) }.flatMap { $0.isEmpty ? nil : $0 }
        let titleNeedle = title.map { $0.trimmingWhitespace.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let genderNeedle = gender.map { $0.trimmingWhitespace }.flatMap { $0.isEmpty ? nil : $0 }
        let nameHits = textNeedle.map { model.accountKeys(namePrefix: $0) }
        let from = hiredFrom.flatMap { try? FieldRules.date($0, .hireDate) }
        let to = hiredTo.flatMap { try? FieldRules.date($0, .hireDate) }

        var hits: [(key: String, member: Member)] = []
        for member in model.allMembers {
            switch status {
            case .active where !member.isActive: continue
            case .departed where member.isActive: continue
            default: break
            }
            guard visibility.canSee(member: member) else { continue }
            func sees(_ f: MemberField) -> Bool { visibility.canSee(field: f, of: member) }
            if let scope {
                let departments: [DepartmentID]
                if case .departed(_, _, let previous) = member.status { departments = previous } else { departments = member.departments }
                guard departments.contains(where: scope.contains) else { continue }
            }
            if let accountNeedle, !member.account.key.contains(accountNeedle) { continue }
            if let textNeedle {
                let byName = nameHits?.contains(member.account.key) ?? false
                let digits = textNeedle.filter(\.isNumber)
                let byMobile =
                    !digits.isEmpty && digits.count == textNeedle.count && sees(.mobile)
                    && (member.mobile.map { DirectoryModel.mobileKey($0).contains(digits) } ?? false)
                guard byName || byMobile else { continue }
            }
            if let titleNeedle {
                guard sees(.title), let t = member.title, t.lowercased().contains(titleNeedle) else { continue }
            }
            if let genderNeedle {
                guard sees(.gender), member.gender == genderNeedle else { continue }
            }
            if let followStatus {
                guard sees(.followStatus), member.followStatus == followStatus else { continue }
            }
            if let month = birthdayMonth {
                guard sees(.birthday), let b = member.birthday, b.count >= 7, Int(b.dropFirst(5).prefix(2)) == month else { continue }
            }
            if from != nil || to != nil {
                guard sees(.hireDate), let h = member.hireDate else { continue }
                if let from, h < from { continue }
                if let to, h > to { continue }
            }
            hits.append((model.pinyin(of: member.account).compact + "\u{0}" + member.account.key, member))
        }
        hits.sort { $0.key < $1.key }
        return (hits.prefix(max(0, limit)).map(\.member), hits.count)
    }
}
