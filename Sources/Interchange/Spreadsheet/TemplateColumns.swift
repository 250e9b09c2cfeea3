public import Directory

/// The import template's columns (DESIGN §6): the one vocabulary's template headers, the
/// English names accepted instead, and what the instructions sheet says about each.
public enum TemplateColumns {
    /// The template's sheet of members.
    public static let sheetName = "人员组织"
    /// The template's instructions sheet.
    public static let instructionsSheetName = "通讯录模板填写说明"
    /// The column the error report adds, by language.
    public static let errorColumn = (chinese: "错误原因", english: "error")

    /// The template's columns, in order: DESIGN §6's, then the optional password.
    public static let fields: [MemberField] = [
        .name, .account, .wechat, .mobile, .email, .phone, .department, .title, .gender, .nickname, .phone2, .address,
        .qq, .birthday, .lunarBirthday, .hireDate, .remarks, .password,
    ]

    /// The columns an export writes: the template's without the password (never exported), plus
    /// 生日提醒 (after 农历生日) and 置顶 (last), so export → `import --update` loses nothing
    /// (found by review: both were dropped).
    public static let exportFields: [MemberField] = fields.filter { $0 != .password }.flatMap { f in
        f == .lunarBirthday ? [f, .birthdayReminder] : [f]
    } + [.pinned]

    /// The columns a file must have.
    public static let required: [MemberField] = [.name, .account]

    /// Fields whose cells are one line (all but the address and the remarks).
    public static func isSingleLine(_ field: MemberField) -> Bool { field != .address && field != .remarks }

    /// Fields that hold a day (`YYYY-MM-DD`).
    public static func isDate(_ field: MemberField) -> Bool { field == .birthday || field == .hireDate }

    /// Fields whose numbers are digits to keep exactly (a phone typed into a number cell).
    public static func isDigits(_ field: MemberField) -> Bool {
        [.mobile, .phone, .phone2, .qq, .account, .wechat, .name, .nickname, .password].contains(field)
    }

    /// The header of a field in the file's language.
    public static func header(_ field: MemberField, chinese: Bool) -> String {
        chinese ? chineseHeader(field) : field.rawValue
    }

    /// A field's Chinese header: the template's column, 置顶 for pinned.
    static func chineseHeader(_ field: MemberField) -> String {
        field == .pinned ? "置顶" : field.templateColumn ?? field.rawValue
    }

    /// A header's field: the template's Chinese headers, the one vocabulary's English names, and
    /// the usual variants (`手机号`, `E-mail`, `Hire date`, a required-mark `*`); nil for a column
    /// the template does not have.
    public static func field(forHeader raw: String) -> MemberField? {
        var h = raw.trimmingWhitespace.lowercased()
        for mark in ["*", "＊", "(必填)", "（必填）", "(选填)", "（选填）", "(required)", "(optional)"] where h.hasSuffix(mark) || h.hasPrefix(mark) {
            h = h.replacingOccurrences(of: mark, with: "")
        }
        h = String(h.filter { !$0.isWhitespace && $0 != "-" && $0 != "_" })
        if let f = aliases[h] { return f }
        for f in MemberField.allCases {
            if let c = f.templateColumn?.lowercased(), c == h { return f }
            if f.rawValue.replacingOccurrences(of: "-", with: "") == h { return f }
        }
        return nil
    }

    static let aliases: [String: MemberField] = [
        "帐号": .account, "工号": .account, "userid": .account, "uid": .account,
        "名字": .name, "cn": .name, "displayname": .name, "fullname": .name,
        "微信": .wechat, "wechatid": .wechat, "weixin": .wechat,
        "手机号": .mobile, "手机号码": .mobile, "移动电话": .mobile, "mobilephone": .mobile, "cellphone": .mobile, "phonenumber": .mobile,
        "邮件": .email, "邮箱地址": .email, "电子邮箱": .email, "电子邮件": .email, "email": .email, "mail": .email, "emailaddress": .email,
        "座机": .phone, "固定电话": .phone, "telephone": .phone, "telephonenumber": .phone,
        "电话二": .phone2, "座机2": .phone2,
        "所在部门": .department, "departments": .department, "dept": .department,
        "职务": .title, "岗位": .title, "position": .title, "jobtitle": .title,
        "sex": .gender, "别名": .nickname, "nick": .nickname, "qq": .qq, "qq号": .qq,
        "生日": .birthday, "出生日期": .birthday, "solarbirthday": .birthday,
        "入职日期": .hireDate, "hiredate": .hireDate, "lunarbirthday": .lunarBirthday, "birthdayreminder": .birthdayReminder,
        "说明": .remarks, "note": .remarks, "notes": .remarks, "description": .remarks,
        "口令": .password, "置顶": .pinned, "是否置顶": .pinned, "初始密码": .password, "userpassword": .password,
    ]

    /// Whether a header is the error report's column (ignored on import, so a fixed report
    /// imports again).
    public static func isErrorColumn(_ raw: String) -> Bool {
        let h = raw.trimmingWhitespace.lowercased()
        return h == errorColumn.chinese || h == errorColumn.english || h == "错误" || h == "error reason" || h == "errors"
    }

    // MARK: - The instructions sheet

    /// 通讯录模板填写说明: one row per column with whether it is required and its rules.
    public static var instructions: [[String]] {
        var rows: [[String]] = [["列 (column)", "必填 (required)", "填写说明", "Rules"]]
        for f in fields {
            let required = Self.required.contains(f) ? "是" : "否"
            let (zh, en) = rule(f)
            rows.append([header(f, chinese: true) + " / " + f.rawValue, required, zh, en])
        }
        rows.append([])
        rows.append(["通用", "", """
            每行一名成员；空行会被跳过。微信号、手机、邮箱至少填写一项。手机、电话请以文本填写（本模板已设为文本格式），\
            不要合并单元格，不要使用公式。列的顺序可以调整，也可以使用英文列名（name, account, mobile…）。\
            导入时账号已存在的行会报错，除非使用 --update：此时只修改非空的单元格。导入后未成功的行会写入错误报告，\
            在“错误原因”列中说明原因，改正后可以直接再次导入。
            """, """
            One member per row; blank rows are skipped. At least one of wechat, mobile and email. Keep phone numbers as \
            text (the template's cells are text), do not merge cells, do not use formulas. Columns may come in any order, \
            with English headers (name, account, mobile…). An existing account is an error unless --update, which changes \
            only the non-empty cells. Rows that fail go to the error report with an 错误原因 (error) column; fix them and \
            import the report again.
            """])
        return rows
    }

    /// The Chinese and English rules of a column.
    public static func rule(_ f: MemberField) -> (String, String) {
        switch f {
        case .name: ("成员姓名，最多 64 个字符", "The member's name, at most 64 characters")
        case .account:
            ("成员的唯一标识，创建后不能修改；字母、数字和 _ - . @，以字母或数字开头，1–64 个字符；建议使用工号",
             "Unique, cannot change once created; letters, digits and _ - . @, starting with a letter or digit, 1–64 characters; an employee number is best")
        case .wechat: ("6–20 个字母、数字、_ 或 -，以字母开头（不能全是数字）", "6–20 letters, digits, _ or -, starting with a letter (never all digits)")
        case .mobile: ("手机号码，按原样保存；不能与他人重复", "Mobile number, kept exactly as written; unique")
        case .email: ("邮箱地址 name@domain.tld；不能与他人重复", "E-mail address name@domain.tld; unique")
        case .phone, .phone2: ("电话号码：5–20 位数字，可含空格、-、括号和开头的 +", "Phone number: 5–20 digits, with spaces, -, ( ) and a leading + allowed")
        case .department:
            ("部门路径，上下级用 -> 连接，多个部门用 ; 分隔，第一个为主部门，例如 营销中心->大客户部->工业制造;市场部；不存在的部门会自动创建；最多 15 级；留空为未分配部门",
             "Department paths, levels joined by ->, several separated by ; (the first is the primary one), e.g. 营销中心->大客户部->工业制造;市场部; missing departments are created; at most 15 levels; empty: the organisation itself")
        case .title: ("职位，最多 64 个字符", "Job title, at most 64 characters")
        case .gender: ("男、女或未知", "男, 女 or 未知 (male, female, unknown)")
        case .nickname: ("昵称，最多 64 个字符", "Nickname, at most 64 characters")
        case .address: ("地址，最多 200 个字符，可换行", "Address, at most 200 characters, line breaks allowed")
        case .qq: ("QQ 号码：5–12 位数字，不以 0 开头", "QQ number: 5–12 digits, not starting with 0")
        case .birthday: ("阳历生日 YYYY-MM-DD，例如 1990-05-01", "Birthday YYYY-MM-DD, e.g. 1990-05-01")
        case .lunarBirthday: ("农历生日 MM-DD，例如 08-15", "Lunar birthday MM-DD, e.g. 08-15")
        case .birthdayReminder: ("生日提醒：阳历或农历", "Birthday reminder: solar (阳历) or lunar (农历)")
        case .hireDate: ("入职时间 YYYY-MM-DD", "Hire date YYYY-MM-DD")
        case .remarks: ("备注，最多 500 个字符，可换行", "Remarks, at most 500 characters, line breaks allowed")
        case .password:
            ("可选：首次登录的密码（需满足密码规则），或 OpenLDAP 的 {SSHA} 等哈希值；导入后不会再显示",
             "Optional: the first password (it must meet the password rules), or an OpenLDAP hash such as {SSHA}…; never shown again")
        default: ("", "")
        }
    }

    /// The template workbook: 人员组织 (headers only, in Chinese) and 通讯录模板填写说明.
    public static func template() -> [XLSXWriter.Sheet] {
        let widths: [Double] = fields.map { f in
            switch f {
            case .department, .address, .remarks: 36
            case .email: 26
            case .mobile, .phone, .phone2, .account, .wechat: 16
            default: 12
            }
        }
        return [
            XLSXWriter.Sheet(name: sheetName, rows: [fields.map { header($0, chinese: true) }], widths: widths),
            XLSXWriter.Sheet(name: instructionsSheetName, rows: instructions, widths: [22, 14, 70, 70]),
        ]
    }
}
