public import Directory

/// Reasons an admin understands, in Chinese and English: the domain's rule (its message names
/// the field and the rule) said again in the template's words.
enum Reasons {
    static func column(_ f: MemberField?) -> String { f.map(TemplateColumns.chineseHeader) ?? "" }

    static func required(_ f: MemberField) -> RowReason {
        RowReason("\(column(f))为必填", "\(f.rawValue): required")
    }

    static func lineBreak(_ f: MemberField) -> RowReason {
        RowReason("\(column(f))：单元格内有换行，此列只能填一行", "\(f.rawValue): the cell has a line break; this column takes one line")
    }

    static func merged(_ ref: String) -> RowReason {
        RowReason("合并单元格 \(ref)：请取消合并，并在每个单元格中填写", "merged cells \(ref): unmerge them and fill in every cell")
    }

    static func duplicate(_ account: String, rows: [Int]) -> RowReason {
        let list = rows.map(String.init)
        return RowReason(
            "账号 \(account) 在本文件中出现了多次（第 \(list.joined(separator: "、")) 行）；每个账号只能填一行",
            "account: \(account) appears more than once in the file (rows \(list.joined(separator: ", "))); one row per account")
    }

    static func exists(_ account: String) -> RowReason {
        RowReason(
            "账号 \(account) 已存在；如需修改已有成员，请使用 --update（更新已有成员）导入",
            "account: \(account) already exists; import with --update to change existing members")
    }

    static func departed(_ account: String) -> RowReason {
        RowReason(
            "账号 \(account) 已离职；请先复职（roster member reinstate）再导入",
            "account: \(account) has departed; reinstate them first (roster member reinstate)")
    }

    static func emptyDepartmentName(_ path: String) -> RowReason {
        RowReason("部门「\(path)」中有空的部门名（-> 之间没有内容）", "department: \(path) has an empty name between ->")
    }

    static func emptyDepartmentPath(_ cell: String) -> RowReason {
        RowReason(
            "部门「\(cell)」中有空的部门路径（; 的前后没有内容）；多个部门用 ; 分隔，末尾不要加 ;",
            "department: \(cell) has an empty path (nothing before or after a ;); separate departments with ; and end without one")
    }

    static func tooDeep(_ path: String, _ depth: Int) -> RowReason {
        RowReason(
            "部门「\(path)」有 \(depth) 级；部门最多 \(DirectoryModel.maxDepth) 级",
            "department: \(path) is \(depth) levels deep; at most \(DirectoryModel.maxDepth)")
    }

    /// The Chinese rule of a field, for a value the domain refused.
    static func chineseRule(_ f: MemberField) -> String {
        switch f {
        case .account: "只能包含字母、数字和 _ - . @，以字母或数字开头，1–64 个字符"
        case .wechat: "微信号为 6–20 个字母、数字、_ 或 -，以字母开头"
        case .mobile, .phone, .phone2: "电话号码为 5–20 位数字，可含空格、-、括号和开头的 +"
        case .email: "邮箱格式应为 name@domain.tld"
        case .qq: "QQ 号码为 5–12 位数字，不以 0 开头"
        case .gender: "应为 男、女 或 未知"
        case .birthday, .hireDate: "应为真实存在的日期 YYYY-MM-DD"
        case .lunarBirthday: "应为 MM-DD（月 01–12，日 01–30）"
        case .birthdayReminder: "应为 阳历 或 农历"
        case .department: "部门名最多 50 个字符宽（汉字算 2 个），不能包含 \\ / : * ? \" < > | 和不可见字符"
        default: "不符合规则"
        }
    }

    /// A domain error as a row's reason: the English is the domain's message; the Chinese says
    /// the same rule in Chinese (found by review: the rule text was left in English).
    static func from(_ error: DirectoryError, value: String? = nil, namingHolders: Bool = false) -> RowReason {
        // The member holding a value is named only to the super admin (the CLI): anyone else
        // may not see them (found by review: a sub-admin's report named teachers outside its
        // scope).
        var e = error
        if !namingHolders, let conflict = e.conflict {
            e.message = conflict.anonymousMessage
            e.conflict = nil
        }
        let english = e.message
        let col = column(e.field)
        let m = e.message
        switch e.code {
        case .alreadyExists where e.field == .account && m.hasSuffix(" already exists"):
            return exists(String(m.dropFirst("account: ".count).dropLast(" already exists".count)))
        case .constraintViolation where e.field == .account && m.hasSuffix(" has departed"):
            return departed(String(m.dropFirst("account: ".count).dropLast(" has departed".count)))
        default:
            return RowReason(chinese(e, value: value, column: col), english)
        }
    }

    /// The rule a domain error names, in Chinese.
    static func chinese(_ e: DirectoryError, value: String?, column col: String) -> String {
        // The message without its `field: ` prefix.
        var rule = e.message
        if let f = e.field, rule.hasPrefix("\(f.rawValue): ") { rule = String(rule.dropFirst(f.rawValue.count + 2)) }
        let shown = value.map { "「\($0.count > 40 ? String($0.prefix(40)) + "…" : $0)」" } ?? ""
        let numbers = rule.split(whereSeparator: { !$0.isASCII || !$0.isNumber }).compactMap { Int($0) }
        if let scalar = rule.range(of: #"U\+[0-9A-F]+"#, options: .regularExpression) {
            return "\(col.isEmpty ? "内容" : col)含有不可见字符或控制字符 \(rule[scalar])；不允许换行、制表符、零宽字符等"
        }
        switch e.code {
        case .alreadyExists where e.field == .account:
            if let r = rule.range(of: " already exists as ") {
                return "账号 \(rule[..<r.lowerBound]) 已存在（写作 \(rule[r.upperBound...].prefix { $0 != " " })；账号不区分大小写）"
            }
            return "账号已存在"
        case .alreadyExists where e.field == .mobile || e.field == .email:
            let holder = e.conflict.map { "已被 \($0.account) 使用" } ?? "已被其他成员使用"
            return "\(col) \(value ?? "")\(holder)；\(col)不能与他人重复"
        case .alreadyExists where e.field == .department:
            if let r = rule.range(of: " already has a sub-department named ") {
                let parent = rule[..<r.lowerBound] == "the organisation" ? "组织" : "「\(rule[..<r.lowerBound])」"
                return "\(parent)下已有名为「\(rule[r.upperBound...])」的部门（部门名不区分大小写和全角半角）"
            }
            return "同一上级部门下已有同名部门"
        case .alreadyExists:
            return "\(col)已存在"
        case .constraintViolation where rule.hasPrefix("contact:"):
            return "微信号、手机、邮箱至少填写一项（或使用 --placeholder-email）"
        case .constraintViolation where e.field == .password:
            return "密码不符合密码规则：\(passwordRule(rule, numbers))"
        case .constraintViolation where rule.contains("levels"):
            return "部门层级超过 \(DirectoryModel.maxDepth) 级（\(rule.prefix { $0 != " " }) 将是第 \(numbers.first ?? 0) 级）"
        case .constraintViolation where rule.contains("at most 20 departments"):
            return "一个成员最多属于 20 个部门"
        case .constraintViolation where rule.hasPrefix("accounts are immutable"):
            return "账号不能修改"
        case .constraintViolation where rule.contains("has departed") || rule.contains("already departed"):
            return "该成员已离职；请先复职"
        case .invalidValue where rule.contains("characters; at most") || rule.contains("longer than"):
            let n = numbers.count >= 2 ? "有 \(numbers[numbers.count - 2]) 个字符，最多 \(numbers[numbers.count - 1]) 个" : "最多 64 个字符"
            return "\(col)太长：\(n)"
        case .invalidValue where rule.contains("columns wide"):
            return "部门名\(shown)太长：宽 \(numbers.first ?? 0) 个字符，最多 50（汉字算 2 个）"
        case .invalidValue where e.field == .wechat && rule.contains("all digits"):
            return "微信号 \(value ?? "") 全是数字，看起来是手机号，请填在手机列"
        case .invalidValue where e.field == .name:
            return "姓名为必填"
        case .invalidValue where e.field == .account && rule == "account is required":
            return "账号为必填"
        case .invalidValue where e.field == .password && rule.contains("is not a scheme Roster verifies"):
            let scheme = rule.range(of: #"\{[^}]*\}"#, options: .regularExpression).map { String(rule[$0]) } ?? ""
            return "密码：\(scheme) 不是 Roster 能验证的加密方式（可用 \(Importer.storedSchemes.joined(separator: "、"))，或填写明文密码）"
        case .invalidValue where e.field == .password:
            return "密码：已加密的密码值不正确（格式、长度或参数不符合要求）"
        case .invalidValue where rule.contains("path separator"):
            return "部门名\(shown)含有路径分隔符（-> 或 ;）"
        case .invalidValue where rule.contains("is set through its own command"):
            return "\(col)不能在此修改"
        case .invalidValue where e.field != nil:
            return "\(col)\(shown)不正确：\(chineseRule(e.field ?? .remarks))"
        case .notFound where e.field == .department:
            return "部门不存在：\(rule.hasSuffix(" does not exist") ? String(rule.dropLast(" does not exist".count)) : rule)"
        case .notFound where e.field == .account:
            return "账号 \(rule.prefix { $0 != " " }) 不存在或已离职"
        case .notFound:
            return "\(col)不存在"
        case .forbidden:
            return "无权操作：没有\(col.isEmpty ? "此部门或成员" : col)的管理权限"
        case .notEmpty:
            return "\(col.isEmpty ? "部门" : col)不为空"
        case .invalidCredentials, .currentPasswordRequired:
            return "密码不正确"
        case .invalidValue, .constraintViolation:
            return "\(col.isEmpty ? "内容" : col)不符合规则"
        }
    }

    /// A password rule of ``PasswordRules`` in Chinese.
    static func passwordRule(_ rule: String, _ numbers: [Int]) -> String {
        let n = numbers.first ?? 0
        if rule.hasPrefix("a password is required") { return "密码不能为空" }
        if rule.hasPrefix("at least") { return "至少需要 \(n) 个字符" }
        if rule.hasPrefix("at most") { return "最多 \(n) 个字符" }
        if rule.hasPrefix("control and invisible") { return "不能包含控制字符或不可见字符（换行、制表符、零宽字符、方向标记等）" }
        if rule.contains("only spaces") { return "不能只有空格" }
        if rule.hasPrefix("use at least") { return "至少使用以下四类中的 \(n) 类：小写字母、大写字母、数字、其他字符" }
        if rule.hasSuffix("the account") { return "不能包含账号" }
        if rule.hasSuffix("pinyin") { return "不能包含姓名的拼音" }
        if rule.hasSuffix("the name") { return "不能包含姓名" }
        if rule.hasSuffix("mobile number") { return "不能包含手机号" }
        return "请换一个密码"
    }
}

/// The domain's rules said in Chinese, for every interface that speaks Chinese (the import's
/// error report, the web console): the same words for the same rule.
public enum ChineseReasons {
    /// The rule a domain error names, in Chinese. A member named in the error (a value already
    /// taken) is named here too: give an error whose `conflict` the reader may not see without
    /// it (its ``DirectoryError/conflict`` set to nil and its message to the anonymous one).
    public static func text(of error: DirectoryError) -> String {
        Reasons.from(error, namingHolders: true).chinese
    }
}
