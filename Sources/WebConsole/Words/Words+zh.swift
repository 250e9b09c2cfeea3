import Directory

extension Words {
    /// 中文 (the default language).
    static let zh: [Word: String] = [
        .appName: "通讯录",
        .addressBook: "通讯录",
        .organization: "组织架构",
        .me: "我的",
        .signOut: "退出登录",
        .signIn: "登录",
        .language: "语言",
        .switchLanguage: "English",
        .account: "账号或邮箱",
        .accountHint: "例如 t2001 或 name@example.com",
        .password: "密码",
        .signInFailed: "账号或密码错误",
        .signInBusy: "登录失败次数过多，请稍后再试",
        .signedOut: "已退出登录",
        .sessionExpired: "登录已过期，请重新登录",
        .search: "搜索",
        .searchHint: "姓名、拼音、首字母、手机、邮箱或部门",
        .noResults: "没有找到",
        .results: "搜索结果",
        .azIndex: "按姓氏首字母",
        .departments: "部门",
        .members: "成员",
        .headCount: "人",
        .directCount: "直属",
        .leader: "负责人",
        .title: "职位",
        .call: "拨打",
        .mail: "发邮件",
        .saveContact: "保存到通讯录 (vCard)",
        .qrCode: "二维码名片",
        .qrHint: "用手机扫码保存联系人",
        .back: "返回",
        .people: "人",
        .pinned: "置顶",
        .myProfile: "我的资料",
        .save: "保存",
        .saved: "已保存",
        .changePassword: "修改密码",
        .oldPassword: "当前密码",
        .newPassword: "新密码",
        .repeatPassword: "再次输入新密码",
        .passwordChanged: "密码已修改",
        .passwordsDiffer: "两次输入的新密码不一致",
        .oldPasswordWrong: "当前密码不正确",
        .notEditable: "由管理员维护",
        .noEditableFields: "没有可自行修改的字段",
        .solar: "阳历",
        .lunar: "农历",
        .adminConsole: "管理后台",
        .adminDepartments: "部门管理",
        .adminMembers: "成员管理",
        .adminSearch: "高级搜索",
        .adminInterchange: "导入导出",
        .adminFields: "字段设置",
        .adminGroups: "群组",
        .adminAdministrators: "管理员",
        .adminAudit: "操作日志",
        .notFound: "没有找到该页面或成员",
        .forbidden: "没有权限",
        .badRequest: "请求无效",
        .csrfFailed: "表单已过期，请刷新页面后重试",
        .originRefused: "拒绝来自其他网站的请求",
        .serverError: "服务器出错，请稍后再试",
    ]

    /// 字段名称.
    static let zhFields: [MemberField: String] = {
        var t: [MemberField: String] = [:]
        for f in MemberField.allCases { if let c = f.templateColumn { t[f] = c } }
        t[.followStatus] = "关注状态"
        t[.pinned] = "置顶"
        t[.hidden] = "隐藏"
        return t
    }()
}
