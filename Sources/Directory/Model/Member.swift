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

    public var account: Account
    public var name: String
    public var nickname: String?
    public var gender: String?
    public var wechat: String?
    public var mobile: String?
    public var email: String?
    public var phone: String?
    public var phone2: String?
    public var address: String?
    public var qq: String?
    public var title: String?
    /// YYYY-MM-DD.
    public var birthday: String?
    /// MM-DD.
    public var lunarBirthday: String?
    public var birthdayReminder: BirthdayReminder?
    /// YYYY-MM-DD.
    public var hireDate: String?
    public var remarks: String?
    public var followStatus: FollowStatus
    public var pinned: Bool
    public var hidden: Bool
    /// One or more; the first is the primary department.
    public var departments: [DepartmentID]
    public var status: Status
    /// A stored password hash (`{SCHEME}…`), never returned.
    public var passwordHash: String?
    /// The lock after failed binds and the last password change.
    public var security = AccountSecurity()
    public var uuid: UUID
    public var created: AuditStamp
    public var modified: AuditStamp

    /// - Parameters: the member's fields; see the properties.
    public init(
        account: Account, name: String, departments: [DepartmentID] = [.root], mobile: String? = nil,
        email: String? = nil, wechat: String? = nil, title: String? = nil, uuid: UUID = UUID(),
        created: AuditStamp = .system
    ) {
        self.account = account
        self.name = name
        self.departments = departments.isEmpty ? [.root] : departments
        self.mobile = mobile
        self.email = email
        self.wechat = wechat
        self.title = title
        self.followStatus = .notFollowing
        self.pinned = false
        self.hidden = false
        self.status = .active
        self.uuid = uuid
        self.created = created
        self.modified = created
    }

    /// The primary department.
    public var primaryDepartment: DepartmentID { departments.first ?? .root }

    /// Whether the member is active (not departed).
    public var isActive: Bool {
        if case .active = status { return true }
        return false
    }
}
