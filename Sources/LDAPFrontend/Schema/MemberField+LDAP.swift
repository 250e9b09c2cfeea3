import Directory

/// The LDAP attribute of each member field (DESIGN §2's table), kept with the frontend's schema.
extension MemberField {
    /// The LDAP attribute that carries the field on a member entry.
    var ldapAttribute: String {
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
