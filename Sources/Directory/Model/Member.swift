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

    /// The fields, as one value (compared and hashed as a whole).
    private struct Fields: Hashable {
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
    }

    /// The fields, shared between copies until one of them changes (copy on write): a search
    /// copies members as it walks, and a member's ~25 fields were a retain each per copy.
    private final class Storage: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    /// The storage, copied first when another member shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            return storage
        }
    }

    public var account: Account {
        get { storage.fields.account }
        set { unique.fields.account = newValue }
    }
    public var name: String {
        get { storage.fields.name }
        set { unique.fields.name = newValue }
    }
    public var nickname: String? {
        get { storage.fields.nickname }
        set { unique.fields.nickname = newValue }
    }
    public var gender: String? {
        get { storage.fields.gender }
        set { unique.fields.gender = newValue }
    }
    public var wechat: String? {
        get { storage.fields.wechat }
        set { unique.fields.wechat = newValue }
    }
    public var mobile: String? {
        get { storage.fields.mobile }
        set { unique.fields.mobile = newValue }
    }
    public var email: String? {
        get { storage.fields.email }
        set { unique.fields.email = newValue }
    }
    public var phone: String? {
        get { storage.fields.phone }
        set { unique.fields.phone = newValue }
    }
    public var phone2: String? {
        get { storage.fields.phone2 }
        set { unique.fields.phone2 = newValue }
    }
    public var address: String? {
        get { storage.fields.address }
        set { unique.fields.address = newValue }
    }
    public var qq: String? {
        get { storage.fields.qq }
        set { unique.fields.qq = newValue }
    }
    public var title: String? {
        get { storage.fields.title }
        set { unique.fields.title = newValue }
    }
    /// YYYY-MM-DD.
    public var birthday: String? {
        get { storage.fields.birthday }
        set { unique.fields.birthday = newValue }
    }
    /// MM-DD.
    public var lunarBirthday: String? {
        get { storage.fields.lunarBirthday }
        set { unique.fields.lunarBirthday = newValue }
    }
    public var birthdayReminder: BirthdayReminder? {
        get { storage.fields.birthdayReminder }
        set { unique.fields.birthdayReminder = newValue }
    }
    /// YYYY-MM-DD.
    public var hireDate: String? {
        get { storage.fields.hireDate }
        set { unique.fields.hireDate = newValue }
    }
    public var remarks: String? {
        get { storage.fields.remarks }
        set { unique.fields.remarks = newValue }
    }
    public var followStatus: FollowStatus {
        get { storage.fields.followStatus }
        set { unique.fields.followStatus = newValue }
    }
    public var pinned: Bool {
        get { storage.fields.pinned }
        set { unique.fields.pinned = newValue }
    }
    public var hidden: Bool {
        get { storage.fields.hidden }
        set { unique.fields.hidden = newValue }
    }
    /// One or more; the first is the primary department.
    public var departments: [DepartmentID] {
        get { storage.fields.departments }
        set { unique.fields.departments = newValue }
    }
    public var status: Status {
        get { storage.fields.status }
        set { unique.fields.status = newValue }
    }
    /// A stored password hash (`{SCHEME}…`), never returned.
    public var passwordHash: String? {
        get { storage.fields.passwordHash }
        set { unique.fields.passwordHash = newValue }
    }
    /// The lock after failed binds and the last password change.
    /// The lock after failed binds and the last password change.
    public var security: AccountSecurity {
        get { storage.fields.security }
        set { unique.fields.security = newValue }
    }
    public var uuid: UUID {
        get { storage.fields.uuid }
        set { unique.fields.uuid = newValue }
    }
    public var created: AuditStamp {
        get { storage.fields.created }
        set { unique.fields.created = newValue }
    }
    public var modified: AuditStamp {
        get { storage.fields.modified }
        set { unique.fields.modified = newValue }
    }

    /// - Parameters: the member's fields; see the properties.
    public init(
        account: Account, name: String, departments: [DepartmentID] = [.root], mobile: String? = nil,
        email: String? = nil, wechat: String? = nil, title: String? = nil, uuid: UUID = UUID(),
        created: AuditStamp = .system
    ) {
        var fields = Fields(account: account, name: name, departments: departments.isEmpty ? [.root] : departments, uuid: uuid, created: created)
        fields.mobile = mobile
        fields.email = email
        fields.wechat = wechat
        fields.title = title
        storage = Storage(fields)
    }

    /// The primary department.
    public var primaryDepartment: DepartmentID { storage.fields.primary }

    /// Whether the member is active (not departed).
    public var isActive: Bool { storage.fields.active }

    public static func == (a: Member, b: Member) -> Bool { a.storage === b.storage || a.storage.fields == b.storage.fields }

    public func hash(into h: inout Hasher) { h.combine(storage.fields) }
}
