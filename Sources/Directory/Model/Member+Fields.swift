extension Member {
    /// The stored value of a field, as the CLI, the template and LDAP spell it.
    public func value(of field: MemberField) -> String? {
        switch field {
        case .account: account.value
        case .name: name
        case .nickname: nickname
        case .gender: gender
        case .wechat: wechat
        case .mobile: mobile
        case .email: email
        case .phone: phone
        case .phone2: phone2
        case .address: address
        case .qq: qq
        case .title: title
        case .birthday: birthday
        case .lunarBirthday: lunarBirthday
        case .birthdayReminder: birthdayReminder?.rawValue
        case .hireDate: hireDate
        case .remarks: remarks
        case .followStatus: followStatus.rawValue
        case .pinned: pinned ? "TRUE" : "FALSE"
        case .hidden: hidden ? "TRUE" : "FALSE"
        case .department, .password: nil
        }
    }

    /// Stores an already validated value (see ``FieldRules/memberField(_:_:)``).
    mutating func set(_ field: MemberField, validated value: String?) {
        switch field {
        case .name: name = value ?? name
        case .nickname: nickname = value
        case .gender: gender = value
        case .wechat: wechat = value
        case .mobile: mobile = value
        case .email: email = value
        case .phone: phone = value
        case .phone2: phone2 = value
        case .address: address = value
        case .qq: qq = value
        case .title: title = value
        case .birthday: birthday = value
        case .lunarBirthday: lunarBirthday = value
        case .birthdayReminder: birthdayReminder = value.flatMap(BirthdayReminder.init(rawValue:))
        case .hireDate: hireDate = value
        case .remarks: remarks = value
        case .followStatus: followStatus = value.flatMap(FollowStatus.init(rawValue:)) ?? .notFollowing
        case .pinned: pinned = value == "TRUE"
        case .hidden: hidden = value == "TRUE"
        case .account, .department, .password: break
        }
    }

    /// Fields that hold a value, for audit records (never the password).
    public var fieldValues: [String: String] {
        var out: [String: String] = [:]
        for f in MemberField.allCases { if let v = value(of: f) { out[f.rawValue] = v } }
        return out
    }

    /// Whether at least one of WeChat id, mobile and e-mail is present.
    public var hasContact: Bool { wechat != nil || mobile != nil || email != nil }
}
