/// The one vocabulary for member fields (DESIGN §2): CLI flag, import-template column and LDAP
/// attribute of every field, in one table.
public enum MemberField: String, Sendable, Hashable, CaseIterable {
    case account, name, nickname, gender, wechat, mobile, email, phone, phone2, address, qq, title
    case birthday, lunarBirthday = "lunar-birthday", birthdayReminder = "birthday-reminder"
    case hireDate = "hire-date", remarks, department, password
    case followStatus = "follow-status", pinned, hidden

    /// The import template's column header (Chinese), if the field has a column.
    public var templateColumn: String? {
        switch self {
        case .account: "账号"
        case .name: "姓名"
        case .nickname: "昵称"
        case .gender: "性别"
        case .wechat: "微信号"
        case .mobile: "手机"
        case .email: "邮箱"
        case .phone: "电话"
        case .phone2: "电话2"
        case .address: "地址"
        case .qq: "QQ号码"
        case .title: "职位"
        case .birthday: "阳历生日"
        case .lunarBirthday: "农历生日"
        case .birthdayReminder: "生日提醒"
        case .hireDate: "入职时间"
        case .remarks: "备注"
        case .department: "部门"
        case .password: "密码"
        case .followStatus, .pinned, .hidden: nil
        }
    }

    /// The LDAP attribute that carries the field on a member entry.
    public var ldapAttribute: String {
        switch self {
        case .account: "uid"
        case .name: "cn"
        case .nickname: "rosterNickname"
        case .gender: "rosterGender"
        case .wechat: "rosterWeChatID"
        case .mobile: "mobile"
        case .email: "mail"
        case .phone, .phone2: "telephoneNumber"
        case .address: "postalAddress"
        case .qq: "rosterQQ"
        case .title: "title"
        case .birthday: "rosterBirthday"
        case .lunarBirthday: "rosterLunarBirthday"
        case .birthdayReminder: "rosterBirthdayReminder"
        case .hireDate: "rosterHireDate"
        case .remarks: "description"
        case .department: "departmentNumber"
        case .password: "userPassword"
        case .followStatus: "rosterFollowStatus"
        case .pinned: "rosterPinned"
        case .hidden: "rosterHidden"
        }
    }
}
