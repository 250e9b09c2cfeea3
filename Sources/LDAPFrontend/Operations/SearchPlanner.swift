import Directory
import LDAPProtocol

/// Narrows a search to the members an index says can match, so that a search over a large
/// directory costs what it returns: equality on uid, mail and mobile; equality and leading
/// substrings on names (with their pinyin and initials); AND of any narrowable item, OR of only
/// narrowable items. Entries other than members (departments, groups) are few and always walked.
struct SearchPlanner {
    let model: DirectoryModel

    /// Account keys of the members that may match, or nil when no index applies.
    func candidates(_ filter: Filter) -> Set<String>? {
        switch filter {
        case .and(let items):
            var best: Set<String>?
            for item in items {
                guard let c = candidates(item) else { continue }
                best = best.map { $0.intersection(c) } ?? c
            }
            return best
        case .or(let items):
            guard !items.isEmpty else { return [] }
            var union = Set<String>()
            for item in items {
                guard let c = candidates(item) else { return nil }
                union.formUnion(c)
            }
            return union
        case .equalityMatch(let ava):
            guard let type = AttributeRegistry.type(named: ava.attribute),
                let value = String(validating: ava.value, as: UTF8.self)
            else { return nil }
            switch type.key {
            case "uid":
                return model.member(DistinguishedName.foldValue(value)).map { [$0.account.key] } ?? []
            case "mail":
                return model.member(email: value).map { [$0.account.key] } ?? []
            case "mobile":
                return model.member(mobile: Matching.normalize(value, .telephoneNumber)).map { [$0.account.key] } ?? []
            case "cn", "displayname":
                return Set(model.members(named: value).map(\.account.key))
            default:
                return nil
            }
        case .substrings(let sf):
            guard let type = AttributeRegistry.type(named: sf.attribute), type.key == "cn" || type.key == "displayname",
                let initialBytes = sf.initial, let initial = String(validating: initialBytes, as: UTF8.self),
                !initial.isEmpty
            else { return nil }
            return Set(model.members(namePrefix: initial).map(\.account.key))
        default:
            return nil
        }
    }
}
