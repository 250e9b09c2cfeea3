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
        case .and(let items): return items.contains { narrows($0) && onlyMembersCanMatch($0) }
        case .or(let items): return items.allSatisfy { onlyMembersCanMatch($0) }
        case .equalityMatch(let ava): return !["cn", "displayname"].contains(AttributeRegistry.type(named: ava.attribute)?.key ?? "")
        case .substrings(let sf): return !["cn", "displayname"].contains(AttributeRegistry.type(named: sf.attribute)?.key ?? "")
        default: return false
        }
    }

    /// Whether ``candidates(_:keepKeysUpTo:)`` gives an answer for a filter, without asking the
    /// indexes.
    func narrows(_ filter: Filter) -> Bool {
        switch filter {
        case .and(let items): return items.contains(where: narrows)
        case .or(let items): return items.allSatisfy(narrows)
        case .equalityMatch(let ava):
            guard let key = AttributeRegistry.type(named: ava.attribute)?.key, String(validating: ava.value, as: UTF8.self) != nil
            else { return false }
            return Self.equalityKeys.contains(key)
        case .substrings(let sf):
            guard let key = AttributeRegistry.type(named: sf.attribute)?.key, let initial = sf.initial, !initial.isEmpty,
                String(validating: initial, as: UTF8.self) != nil
            else { return false }
            return Self.prefixKeys.contains(key)
        default: return false
        }
    }

    /// The attributes whose equality an index answers (``candidates(_:keepKeysUpTo:)``).
    static let equalityKeys: Set<String> = ["uid", "mail", "mobile", "cn", "displayname", "sn", "givenname"]
    /// The attributes whose leading substring an index answers.
    static let prefixKeys: Set<String> = ["mail", "cn", "displayname", "sn", "givenname"]

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
                return Set(GroupNameFolds.names(startingWith: v, in: model).filter { $0.folded == v }.map(\.key))
            case "uid"?, "mail"?, "mobile"?, "sn"?, "givenname"?, "displayname"?: return []
            default: return nil
            }
        case .substrings(let sf):
            switch AttributeRegistry.type(named: sf.attribute)?.key {
            case "cn"?:
                guard let initial = sf.initial.flatMap(folded) else { return nil }
                return Set(GroupNameFolds.names(startingWith: initial, in: model).filter { $0.folded.hasPrefix(initial) }.map(\.key))
            case "uid"?, "mail"?, "mobile"?, "sn"?, "givenname"?, "displayname"?: return []
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The members that may match, or nil when no index applies. Account keys are kept only
    /// while they are at most `keepKeysUpTo` (the hashes always): a search that will stop at its
    /// size limit long before its candidates are used up walks the tree with the hashes alone.
    func candidates(_ filter: Filter, keepKeysUpTo limit: Int = .max) -> Candidates? {
        var asked: [String: Candidates] = [:]
        guard var found = candidates(filter, limit, &asked) else { return nil }
        if let keys = found.keys {
            // Duplicates out, and what an AND's other items excluded.
            var unique = Set<String>(minimumCapacity: keys.count)
            for key in keys where found.hashes.contains(DirectoryModel.accountHash(key)) { unique.insert(key) }
            found.keys = Array(unique)
        }
        return found
    }

    /// Members an index says may match: their accounts' hashes, and their keys while few.
    struct Candidates: Sendable {
        var hashes: AccountHashSet
        /// The account keys (a key may repeat, and may be one the hashes no longer hold), or nil
        /// when there were more than the planner keeps.
        var keys: [String]?

        init(hashes: AccountHashSet = AccountHashSet(), keys: [String]? = []) {
            self.hashes = hashes
            self.keys = keys
        }

        init<S: Sequence>(keys: S) where S.Element == String {
            let list = Array(keys)
            self.init(hashes: AccountHashSet(list.map(DirectoryModel.accountHash)), keys: list)
        }
    }

    /// `asked`: the index answers already given in this filter, by lookup (the address book's
    /// `(|(cn=X*)(mail=X*)(sn=X*))` asks the name index the same question twice).
    private func candidates(_ filter: Filter, _ limit: Int, _ asked: inout [String: Candidates]) -> Candidates? {
        switch filter {
        case .and(let items):
            var best: Candidates?
            for item in items {
                guard let c = candidates(item, limit, &asked) else { continue }
                guard var b = best else {
                    best = c
                    continue
                }
                b.hashes.formIntersection(c.hashes)
                // Any item's keys hold the intersection's: the shorter list is kept.
                switch (b.keys, c.keys) {
                case (nil, let k?), (let k?, nil): b.keys = k
                case (let x?, let y?): b.keys = y.count < x.count ? y : x
                case (nil, nil): break
                }
                best = b
            }
            return best
        case .or(let items):
            guard !items.isEmpty else { return Candidates() }
            var union = Candidates()
            var seen = Set<String>()
            for item in items {
                if let question = Self.question(item) {
                    // The same index question twice (cn and sn share the name index) adds nothing.
                    guard seen.insert(question).inserted else { continue }
                }
                guard let c = candidates(item, limit, &asked) else { return nil }
                if c.hashes.count > union.hashes.count {
                    let smaller = union.hashes
                    union.hashes = c.hashes
                    union.hashes.formUnion(smaller)
                } else {
                    union.hashes.formUnion(c.hashes)
                }
                if let k = c.keys, union.keys != nil, union.hashes.count <= limit { union.keys! += k } else { union.keys = nil }
            }
            return union
        case .equalityMatch(let ava):
            guard let type = AttributeRegistry.type(named: ava.attribute),
                let value = String(validating: ava.value, as: UTF8.self)
            else { return nil }
            switch type.key {
            case "uid":
                return Candidates(keys: model.member(DistinguishedName.foldValue(value)).map { [$0.account.key] } ?? [])
            case "mail":
                return Candidates(keys: model.member(email: Matching.normalize(value, .caseIgnoreIA5)).map { [$0.account.key] } ?? [])
            case "mobile":
                return Candidates(keys: model.member(mobile: Matching.normalize(value, .telephoneNumber)).map { [$0.account.key] } ?? [])
            case "cn", "displayname", "sn", "givenname":
                return Candidates(keys: model.accountKeys(named: value))
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
            let name: Bool
            switch type.key {
            case "cn", "displayname", "sn", "givenname": name = true
            case "mail":
                // An address has no spaces, and the filter ignores those around it: unplanned.
                guard !initial.utf8.contains(where: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }) else { return nil }
                name = false
            default: return nil
            }
            let version = name ? model.nameIndexVersion : model.emailIndexVersion
            if let kept = PrefixAnswers.answer(question, version: version, keepKeysUpTo: limit) {
                asked[question] = kept
                return kept
            }
            // The index's entries for the prefix, counted by two binary searches, size the set.
            let entries = name ? model.accountEntryCount(namePrefix: initial) : model.accountEntryCount(emailPrefix: initial)
            // A large answer is kept for the next search, with its keys while they are no more
            // than the keeper keeps (or the search asks for).
            let keeps = entries >= PrefixAnswers.smallestKept
            let keysUpTo = keeps ? max(limit, PrefixAnswers.keysKept) : limit
            var answer = Candidates(hashes: AccountHashSet(minimumCapacity: entries), keys: [])
            // Keys kept while the distinct accounts are few enough (the hashes always).
            let body: (Int, () -> String) -> Void = { hash, key in
                guard answer.hashes.insert(hash), answer.keys != nil else { return }
                if answer.hashes.count > keysUpTo { answer.keys = nil } else { answer.keys!.append(key()) }
            }
            if name { model.visitAccounts(namePrefix: initial, body) } else { model.visitAccounts(emailPrefix: initial, body) }
            if keeps { PrefixAnswers.keep(answer, question, version: version, entries: entries) }
            if answer.hashes.count > limit { answer.keys = nil }
            asked[question] = answer
            return answer
        default:
            return nil
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

    /// The groups' folded names and keys, filed by their first character: a name that starts
    /// with a prefix, or equals a value, starts with its first character (the address book's
    /// `(cn=X*)` compared every group's name on every search).
    struct Names: Sendable {
        var all: [(folded: String, key: String)] = []
        var byFirst: [Character: [(folded: String, key: String)]] = [:]
    }

    /// The groups whose folded name may start with `folded` (those sharing its first character;
    /// every group when it is empty), for the model's groups as they are.
    static func names(startingWith folded: String, in model: DirectoryModel) -> [(folded: String, key: String)] {
        let names = names(in: model)
        guard let first = folded.first else { return names.all }
        return names.byFirst[first] ?? []
    }

    /// Every group's folded name and key, for the model's groups as they are (kept for the last
    /// version asked: a search no longer copies every group to read its name).
    static func names(in model: DirectoryModel) -> Names {
        let version = model.groupNamesVersion
        if let cached = latest.withLock({ $0.version == version ? $0.names : nil }) { return cached }
        var names = Names()
        names.all = model.groups.map { (folded: folded($0.value.name), key: $0.key) }
        for n in names.all {
            guard let first = n.folded.first else { continue }
            names.byFirst[first, default: []].append(n)
        }
        latest.withLock { $0 = (version, names) }
        return names
    }

    private static let latest = Mutex<(version: UInt64, names: Names)>((UInt64.max, Names()))
}

/// Large index answers to leading substrings, kept for the index's version (an index's version
/// is new on every write, so an answer is never read for another state of the index): the
/// address book asks for the same common prefixes again and again, and at 100 000 members a
/// two-syllable pinyin prefix lists 10 000–30 000 index entries, visited and hashed into a set
/// on every search (an eighth of the search's cost). OpenLDAP's back-bdb kept its index lookups
/// the same way (its IDL cache).
enum PrefixAnswers {
    /// Answers of fewer index entries are computed again (cheaper than keeping them).
    static let smallestKept = 2048
    /// The most account keys kept with an answer (beyond, only the hashes: a search that needs
    /// more keys computes its answer itself).
    static let keysKept = 4096
    /// The most hashes kept in all; the oldest answers go first.
    static let capacity = 1 << 20

    private struct Key: Hashable {
        var question: String
        var version: UInt64
    }

    private struct State {
        var answers: [Key: (candidates: SearchPlanner.Candidates, size: Int)] = [:]
        var order: [Key] = []
        var held = 0
        /// The newest version kept of each index (the question's first word).
        var newest: [Substring: UInt64] = [:]
    }

    private static let state = Mutex(State())

    /// The answer kept for a question of this version of its index, with its keys when it has at
    /// most `keepKeysUpTo` accounts; nil when none is kept, or its keys were not kept and are wanted.
    static func answer(_ question: String, version: UInt64, keepKeysUpTo limit: Int) -> SearchPlanner.Candidates? {
        guard var found = state.withLock({ $0.answers[Key(question: question, version: version)]?.candidates }) else { return nil }
        if found.hashes.count > limit {
            found.keys = nil
        } else if found.keys == nil {
            return nil
        }
        return found
    }

    /// Keeps an answer of `entries` index entries (its size); a newer version of its index than
    /// any kept forgets the other versions' answers; the oldest go beyond the capacity.
    static func keep(_ answer: SearchPlanner.Candidates, _ question: String, version: UInt64, entries size: Int) {
        let key = Key(question: question, version: version)
        guard size <= capacity / 4 else { return }
        let index = question.prefix { $0 != "\u{0}" }
        state.withLock { s in
            guard s.answers[key] == nil else { return }
            // A newer version of the index: the older versions' answers go (an older model's
            // answers are still kept, until the capacity or a newer version pushes them out).
            if s.newest[index].map({ $0 < version }) ?? true {
                s.newest[index] = version
                let stale = s.order.filter { $0.version != version && $0.question.hasPrefix(index) }
                for k in stale { s.held -= s.answers.removeValue(forKey: k)?.size ?? 0 }
                s.order.removeAll { s.answers[$0] == nil }
            }
            while s.held + size > capacity, !s.order.isEmpty {
                let oldest = s.order.removeFirst()
                s.held -= s.answers.removeValue(forKey: oldest)?.size ?? 0
            }
            s.answers[key] = (answer, size)
            s.order.append(key)
            s.held += size
        }
    }

    /// Forgets every answer (tests).
    static func forgetAll() { state.withLock { $0 = State() } }
}
