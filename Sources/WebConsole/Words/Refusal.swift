import Hummingbird

/// The admin console's own refusals of a form (the domain's are said by the domain and, in
/// Chinese, by `ChineseReasons`): each language's text is in its table (`Words+zh.swift`,
/// `Words+en.swift`).
enum Refusal: Sendable, Hashable {
    case administratorExists(String)
    case notADepartment(String)
    case chooseRole
    case chooseTargetDepartment
    case chooseOneDepartment
    case noSuchDepartment(String)
    case followStatus(String)
    case birthdayMonth(String)
    case notADate(field: String, value: String)
    case chooseParent
    case scope
    case notAWholeNumber(String)
    case notAnActiveMember(String)
    case noSuchAccount(String)
}

extension AdminFailure {
    /// A refusal of the console's own, in both languages.
    init(field: String, _ refusal: Refusal, status: HTTPResponse.Status = .unprocessableContent) {
        self.init(field: field, message: refusal.english, status: status)
        chinese = refusal.chinese
    }
}
