import Directory

/// Reasons an admin understands, in Chinese and English: the domain's rule (its message names
/// the field and the rule) said again in the template's words.
enum Reasons {
    static func column(_ f: MemberField?) -> String { f.flatMap(\.templateColumn) ?? "" }

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

    /// A domain error as a row's reason.
    static func from(_ e: DirectoryError, value: String? = nil) -> RowReason {
        let english = e.message
        let col = column(e.field)
        let m = e.message
        let chinese: String
        switch e.code {
        case .alreadyExists where e.field == .account && m.hasSuffix(" already exists"):
            return exists(String(m.dropFirst("account: ".count).dropLast(" already exists".count)))
        case .constraintViolation where e.field == .account && m.hasSuffix(" has departed"):
            return departed(String(m.dropFirst("account: ".count).dropLast(" has departed".count)))
        case .alreadyExists where e.field == .account:
            chinese = "账号已存在：\(m.dropFirst("account: ".count))"
        case .alreadyExists where e.field == .mobile || e.field == .email:
            let holder = e.conflict.map { "已被 \($0.account) 使用" } ?? "已被其他成员使用"
            chinese = "\(col) \(value ?? "")\(holder)；\(col)不能与他人重复"
        case .alreadyExists:
            chinese = "已存在：\(m)"
        case .constraintViolation where m.hasPrefix("contact:"):
            chinese = "微信号、手机、邮箱至少填写一项（或使用 --placeholder-email）"
        case .constraintViolation where e.field == .password:
            chinese = "密码不符合密码规则：\(m.dropFirst("password: ".count))"
        case .constraintViolation where m.contains("levels"):
            chinese = "部门层级超过 \(DirectoryModel.maxDepth) 级：\(m)"
        case .invalidValue where m.contains("characters; at most") || m.contains("columns wide"):
            chinese = "\(col)太长：\(String(m.drop { $0 != ":" }.dropFirst()).trimmingWhitespace)"
        case .invalidValue where e.field == .wechat && m.contains("all digits"):
            chinese = "微信号 \(value ?? "") 全是数字，看起来是手机号，请填在手机列"
        case .invalidValue where e.field == .name:
            chinese = "姓名为必填"
        case .invalidValue where e.field == .password:
            chinese = "密码：\(m.dropFirst("password: ".count))"
        case .invalidValue where e.field != nil:
            let shown = value.map { "「\($0.count > 40 ? String($0.prefix(40)) + "…" : $0)」" } ?? ""
            chinese = "\(col)\(shown)不正确：\(chineseRule(e.field ?? .remarks))"
        case .notFound where e.field == .department:
            chinese = "部门不存在：\(m)"
        case .forbidden:
            chinese = "无权操作：\(m)"
        default:
            chinese = col.isEmpty ? m : "\(col)：\(m)"
        }
        return RowReason(chinese, english)
    }
}
