/// 成员属性设置: for each member field, whether other members see it and whether a member may
/// change it on their own entry. Admins always see and may edit everything in their scope.
public struct FieldPolicy: Sendable, Hashable {
    /// The policy of one field.
    public struct Rule: Sendable, Hashable {
        public var shown: Bool
        public var selfEditable: Bool

        /// - Parameters:
        ///   - shown: whether other members see the field.
        ///   - selfEditable: whether a member may change it on their own entry.
        public init(shown: Bool, selfEditable: Bool) {
            self.shown = shown
            self.selfEditable = selfEditable
        }
    }

    public private(set) var rules: [MemberField: Rule]

    /// Fields a member may edit on their own entry by default.
    public static let defaultSelfEditable: Set<MemberField> = [
        .nickname, .phone, .phone2, .address, .qq, .birthday, .lunarBirthday, .birthdayReminder, .password,
    ]

    /// The defaults: everything shown; the self-editable set above.
    public init() {
        var rules: [MemberField: Rule] = [:]
        for f in MemberField.allCases {
            rules[f] = Rule(shown: f != .password, selfEditable: Self.defaultSelfEditable.contains(f))
        }
        self.rules = rules
    }

    /// The rule of a field.
    public func rule(_ field: MemberField) -> Rule { rules[field] ?? Rule(shown: true, selfEditable: false) }

    /// Sets the rule of a field. The account and the department are always shown and never
    /// self-editable; the password is never shown.
    public mutating func set(_ field: MemberField, _ rule: Rule) throws(DirectoryError) {
        switch field {
        case .account, .name, .department:
            guard rule.shown, !rule.selfEditable else {
                throw DirectoryError(.constraintViolation, field: field, "is always shown and only admins change it")
            }
        case .password:
            guard !rule.shown else { throw DirectoryError(.constraintViolation, field: field, "is never shown") }
        case .pinned, .hidden, .followStatus:
            guard !rule.selfEditable else { throw DirectoryError(.constraintViolation, field: field, "only admins change it") }
        default: break
        }
        rules[field] = rule
    }
}
