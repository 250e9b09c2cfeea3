/// The one vocabulary for member fields (DESIGN §2): the CLI flag (the raw value) and the
/// import-template column of every field. The LDAP attribute of each field is the LDAP
/// frontend's business (its schema, `MemberField+LDAP.swift`).
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
}
