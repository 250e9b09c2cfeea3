public import Foundation

/// A member (成员) of the directory.
public struct Member: Sendable, Hashable {
    /// Whether the member is in the directory or has departed (离职).
    public enum Status: Sendable, Hashable {
        case active
        /// Departed: kept with its data, invisible to all but admins, cannot bind.
        case departed(at: Date, by: String, previousDepartments: [DepartmentID])
    }

    /// 关注状态.
    public enum FollowStatus: String, Sendable, Hashable, CaseIterable {
        case notFollowing = "未关注"
        case following = "已关注"
        case unfollowed = "已取消关注"
    }

    /// 生日提醒.
    public enum BirthdayReminder: String, Sendable, Hashable, CaseIterable {
        case solar, lunar
    }

    /// The fields, shared between copies until one of them changes (copy on write): a search
    /// copies members as it walks, and a member's ~25 fields were a retain each per copy.
    private final class Storage: @unchecked Sendable {
        var account: Account
        var name: String
        var nickname: String?
        var gender: String?
        var wechat: String?
        var mobile: String?
        var email: String?
        var phone: String?
        var phone2: String?
        var address: String?
        var qq: String?
        var title: String?
        var birthday: String?
        var lunarBirthday: String?
        var birthdayReminder: BirthdayReminder?
        var hireDate: String?
        var remarks: String?
        var followStatus: FollowStatus
        var pinned: Bool
        var hidden: Bool
        var departments: [DepartmentID] { didSet { primary = departments.first ?? .root } }
        var status: Status { didSet { active = if case .active = status { true } else { false } } }
        /// The first department and whether active, kept as the two fields change (read for
        /// every member a search walks).
        var primary: DepartmentID
        var active: Bool
        var passwordHash: String?
        var security: AccountSecurity
        var uuid: UUID
        var created: AuditStamp
        var modified: AuditStamp

        init(account: Account, name: String, departments: [DepartmentID], uuid: UUID, created: AuditStamp) {
            self.account = account
            self.name = name
            self.departments = departments
            self.primary = departments.first ?? .root
            self.active = true
            self.followStatus = .notFollowing
            self.pinned = false
            self.hidden = false
            self.status = .active
            self.security = AccountSecurity()
            self.uuid = uuid
            self.created = created
            self.modified = created
        }

        init(copying o: Storage) {
            account = o.account
            name = o.name
            nickname = o.nickname
            gender = o.gender
            wechat = o.wechat
            mobile = o.mobile
            email = o.email
            phone = o.phone
            phone2 = o.phone2
            address = o.address
            qq = o.qq
            title = o.title
            birthday = o.birthday
            lunarBirthday = o.lunarBirthday
            birthdayReminder = o.birthdayReminder
            hireDate = o.hireDate
            remarks = o.remarks
            followStatus = o.followStatus
            pinned = o.pinned
            hidden = o.hidden
            departments = o.departments
            status = o.status
            primary = o.primary
            active = o.active
            passwordHash = o.passwordHash
            security = o.security
            uuid = o.uuid
            created = o.created
            modified = o.modified
        }
    }

    private var storage: Storage

    /// The storage, copied first when another member shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
            return storage
        }
    }

    public var account: Account {
        get { storage.account }
        set { unique.account = newValue }
    }
    public var name: String {
        get { storage.name }
        set { unique.name = newValue }
    }
    public var nickname: String? {
        get { storage.nickname }
        set { unique.nickname = newValue }
    }
    public var gender: String? {
        get { storage.gender }
        set { unique.gender = newValue }
    }
    public var wechat: String? {
        get { storage.wechat }
        set { unique.wechat = newValue }
    }
    public var mobile: String? {
        get { storage.mobile }
        set { unique.mobile = newValue }
    }
    public var email: String? {
        get { storage.email }
        set { unique.email = newValue }
    }
    public var phone: String? {
        get { storage.phone }
        set { unique.phone = newValue }
    }
    public var phone2: String? {
        get { storage.phone2 }
        set { unique.phone2 = newValue }
    }
    public var address: String? {
        get { storage.address }
        set { unique.address = newValue }
    }
    public var qq: String? {
        get { storage.qq }
        set { unique.qq = newValue }
    }
    public var title: String? {
        get { storage.title }
        set { unique.title = newValue }
    }
    /// YYYY-MM-DD.
    public var birthday: String? {
        get { storage.birthday }
        set { unique.birthday = newValue }
    }
    /// MM-DD.
    public var lunarBirthday: String? {
        get { storage.lunarBirthday }
        set { unique.lunarBirthday = newValue }
    }
    public var birthdayReminder: BirthdayReminder? {
        get { storage.birthdayReminder }
        set { unique.birthdayReminder = newValue }
    }
    /// YYYY-MM-DD.
    public var hireDate: String? {
        get { storage.hireDate }
        set { unique.hireDate = newValue }
    }
    public var remarks: String? {
        get { storage.remarks }
        set { unique.remarks = newValue }
    }
    public var followStatus: FollowStatus {
        get { storage.followStatus }
        set { unique.followStatus = newValue }
    }
    public var pinned: Bool {
        get { storage.pinned }
        set { unique.pinned = newValue }
    }
    public var hidden: Bool {
        get { storage.hidden }
        set { unique.hidden = newValue }
    }
    /// One or more; the first is the primary department.
    public var departments: [DepartmentID] {
        get { storage.departments }
        set { unique.departments = newValue }
    }
    public var status: Status {
        get { storage.status }
        set { unique.status = newValue }
    }
    /// A stored password hash (`{SCHEME}…`), never returned.
    public var passwordHash: String? {
        get { storage.passwordHash }
        set { unique.passwordHash = newValue }
    }
    /// The lock after failed binds and the last password change.
    /// The lock after failed binds and the last password change.
    public var security: AccountSecurity {
        get { storage.security }
        set { unique.security = newValue }
    }
    public var uuid: UUID {
        get { storage.uuid }
        set { unique.uuid = newValue }
    }
    public var created: AuditStamp {
        get { storage.created }
        set { unique.created = newValue }
    }
    public var modified: AuditStamp {
        get { storage.modified }
        set { unique.modified = newValue }
    }

    /// - Parameters: the member's fields; see the properties.
    public init(
        account: Account, name: String, departments: [DepartmentID] = [.root], mobile: String? = nil,
        email: String? = nil, wechat: String? = nil, title: String? = nil, uuid: UUID = UUID(),
        created: AuditStamp = .system
    ) {
        storage = Storage(account: account, name: name, departments: departments.isEmpty ? [.root] : departments, uuid: uuid, created: created)
        storage.mobile = mobile
        storage.email = email
        storage.wechat = wechat
        storage.title = title
    }

    /// The primary department.
    public var primaryDepartment: DepartmentID { storage.primary }

    /// Whether the member is active (not departed).
    public var isActive: Bool { storage.active }

    public static func == (a: Member, b: Member) -> Bool {
        if a.storage === b.storage { return true }
        guard a.account == b.account else { return false }
        guard a.name == b.name else { return false }
        guard a.nickname == b.nickname else { return false }
        guard a.gender == b.gender else { return false }
        guard a.wechat == b.wechat else { return false }
        guard a.mobile == b.mobile else { return false }
        guard a.email == b.email else { return false }
        guard a.phone == b.phone else { return false }
        guard a.phone2 == b.phone2 else { return false }
        guard a.address == b.address else { return false }
        guard a.qq == b.qq else { return false }
        guard a.title == b.title else { return false }
        guard a.birthday == b.birthday else { return false }
        guard a.lunarBirthday == b.lunarBirthday else { return false }
        guard a.birthdayReminder == b.birthdayReminder else { return false }
        guard a.hireDate == b.hireDate else { return false }
        guard a.remarks == b.remarks else { return false }
        guard a.followStatus == b.followStatus else { return false }
        guard a.pinned == b.pinned else { return false }
        guard a.hidden == b.hidden else { return false }
        guard a.departments == b.departments else { return false }
        guard a.status == b.status else { return false }
        guard a.passwordHash == b.passwordHash else { return false }
        guard a.security == b.security else { return false }
        guard a.uuid == b.uuid else { return false }
        guard a.created == b.created else { return false }
        guard a.modified == b.modified else { return false }
        return true
    }

    public func hash(into h: inout Hasher) {
        h.combine(account)
        h.combine(name)
        h.combine(nickname)
        h.combine(gender)
        h.combine(wechat)
        h.combine(mobile)
        h.combine(email)
        h.combine(phone)
        h.combine(phone2)
        h.combine(address)
        h.combine(qq)
        h.combine(title)
        h.combine(birthday)
        h.combine(lunarBirthday)
        h.combine(birthdayReminder)
        h.combine(hireDate)
        h.combine(remarks)
        h.combine(followStatus)
        h.combine(pinned)
        h.combine(hidden)
        h.combine(departments)
        h.combine(status)
        h.combine(passwordHash)
        h.combine(security)
        h.combine(uuid)
        h.combine(created)
        h.combine(modified)
    }
}
