import Synchronization
import Directory
import LDAPProtocol

/// Narrows a search to the members an index says can match, so that a search over a large
/// directory costs what it returns: equality on uid, mail and mobile; equality and leading
/// substrings on cn, displayName, sn and givenName (with their pinyin and initials); AND of any
/// narrowable item, OR of only narrowable items. The candidates are a superset; the filter is
/// still evaluated on each. Departments have none of these attributes, so a planned search
/// skips their entries; groups and system entries are few and always evaluated.
struct SearchPlanner {
    let model: DirectoryModel

    /// Whether entries other than members (groups, administrators: they carry cn) could match a
    /// filter the planner narrowed: only when a narrowing item is on cn or displayName.
    func onlyMembersCanMatch(_ filter: Filter) -> Bool {
        switch filter {
        case .and(let items): return items.contains { candidates($0) != nil && onlyMembersCanMatch($0) }
        case .or(let items): return items.allSatisfy { onlyMembersCanMatch($0) }
        case .equalityMatch(let ava): return !["cn", "displayname"].contains(AttributeRegistry.type(named: ava.attribute)?.key ?? "")
        case .substrings(let sf): return !["cn", "displayname"].contains(AttributeRegistry.type(named: sf.attribute)?.key ?? "")
        default: return false
        }
    }

    /// Keys of the groups that may match a filter the planner narrowed (groups carry only cn,
    /// description, member and objectClass), or nil when any group may.
    func groups(_ filter: Filter) -> Set<String>? {
        func folded(_ bytes: [UInt8]) -> String? { String(validating: bytes, as: UTF8.self).map(DistinguishedName.foldValue) }
        switch filter {
        case .and(let items):
            var best: Set<String>?
            for item in items {
                guard let g = groups(item) else { continue }
                best = best.map { $0.intersection(g) } ?? g
            }
            return best
        case .or(let items):
            var union = Set<String>()
            for item in items {
                guard let g = groups(item) else { return nil }
                union.formUnion(g)
            }
            return union
        case .equalityMatch(let ava):
            switch AttributeRegistry.type(named: ava.attribute)?.key {
            case "cn"?:
                guard let v = folded(ava.value) else { return nil }
                return Set(GroupNameFolds.names(in: model).filter { $0.folded == v }.map(\.key))
            case "uid"?, "mail"?, "mobile"?, "sn"?, "givenname"?, "displayname"?: return []
            default: return nil
            }
        case .substrings(let sf):
            switch AttributeRegistry.type(named: sf.attribute)?.key {
            case "cn"?:
                guard let initial = sf.initial.flatMap(folded) else { return nil }
                return Set(GroupNameFolds.names(in: model).filter { $0.folded.hasPrefix(initial) }.map(\.key))
            case "uid"?, "mail"?, "mobile"?, "sn"?, "givenname"?, "displayname"?: return []
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Account keys of the members that may match, or nil when no index applies.
    func candidates(_ filter: Filter) -> Set<String>? {
        var asked: [String: Set<String>] = [:]
        return candidates(filter, &asked)
    }

    /// `asked`: the index answers already given in this filter, by lookup (the address book's
    /// `(|(cn=X*)(mail=X*)(sn=X*))` asks the name index the same question twice).
    private func candidates(_ filter: Filter, _ asked: inout [String: Set<String>]) -> Set<String>? {
        switch filter {
        case .and(let items):
            var best: Set<String>?
            for item in items {
                guard let c = candidates(item, &asked) else { continue }
                best = best.map { $0.intersection(c) } ?? c
            }
            return best
        case .or(let items):
            guard !items.isEmpty else { return [] }
            var union: Set<String>?
            var seen = Set<String>()
            // Leading substrings' answers as the index lists them, hashed once into the union
            // (a set per answer, then their union, hashed every key twice).
            var lists: [[String]] = []
            for item in items {
                if let question = Self.question(item) {
                    guard seen.insert(question).inserted else { continue }
                    if asked[question] == nil, let keys = prefixKeys(item) {
                        lists.append(keys)
                        continue
                    }
                }
                guard let c = candidates(item, &asked) else { return nil }
                if union == nil { union = c } else if c.count > union!.count { union = c.union(union!) } else { union!.formUnion(c) }
            }
            guard !lists.isEmpty else { return union ?? [] }
            var all = union ?? Set(minimumCapacity: lists.reduce(0) { $0 + $1.count })
            for list in lists { for key in list { all.insert(key) } }
            return all
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
            case "cn", "displayname", "sn", "givenname":
                return model.accountKeys(named: value)
            default:
                return nil
            }
        case .substrings(let sf):
            guard let type = AttributeRegistry.type(named: sf.attribute),
                let initialBytes = sf.initial, let initial = String(validating: initialBytes, as: UTF8.self),
                !initial.isEmpty
            else { return nil }
            guard let question = Self.question(filter) else { return nil }
            if let known = asked[question] { return known }
            let answer: Set<String>
            switch type.key {
            case "cn", "displayname", "sn", "givenname": answer = model.accountKeys(namePrefix: initial)
            case "mail": answer = model.accountKeys(emailPrefix: initial)
            default: return nil
            }
            asked[question] = answer
            return answer
        default:
            return nil
        }
    }

    /// The index's answer to a leading substring on cn, displayName, sn, givenName or mail, as
    /// it lists it (an account may appear more than once), or nil for any other item.
    func prefixKeys(_ filter: Filter) -> [String]? {
        guard case .substrings(let sf) = filter, let type = AttributeRegistry.type(named: sf.attribute),
            let initialBytes = sf.initial, let initial = String(validating: initialBytes, as: UTF8.self), !initial.isEmpty
        else { return nil }
        switch type.key {
        case "cn", "displayname", "sn", "givenname": return model.accountKeyList(namePrefix: initial)
        case "mail": return model.accountKeyList(emailPrefix: initial)
        default: return nil
        }
    }

    /// The index lookup a leading substring asks (the same for cn, displayName, sn and
    /// givenName, which share the name index), or nil for any other item.
    static func question(_ filter: Filter) -> String? {
        guard case .substrings(let sf) = filter, let type = AttributeRegistry.type(named: sf.attribute),
            let initialBytes = sf.initial, let initial = String(validating: initialBytes, as: UTF8.self), !initial.isEmpty
        else { return nil }
        switch type.key {
        case "cn", "displayname", "sn", "givenname": return "name\u{0}" + initial
        case "mail": return "mail\u{0}" + initial
        default: return nil
        }
    }
}

/// Group names folded as DN values compare them, remembered: folding a CJK name (normalisation)
/// for every group on every search was a tenth of an address-book search's cost.
enum GroupNameFolds {
    private static let memo = BoundedMemo<String>()

    static func folded(_ name: String) -> String { memo.value(for: name) { DistinguishedName.foldValue(name) } }

    /// Every group's folded name and key, for the model's groups as they are (kept for the last
    /// version asked: a search no longer copies every group to read its name).
    static func names(in model: DirectoryModel) -> [(folded: String, key: String)] {
        let version = model.groupNamesVersion
        if let cached = latest.withLock({ $0.version == version ? $0.names : nil }) { return cached }
        let names = model.groups.map { (folded: folded($0.value.name), key: $0.key) }
        latest.withLock { $0 = (version, names) }
        return names
    }

    private static let latest = Mutex<(version: UInt64, names: [(folded: String, key: String)])>((UInt64.max, []))
}
