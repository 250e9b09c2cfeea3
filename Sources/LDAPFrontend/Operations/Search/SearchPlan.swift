import Directory
import LDAPProtocol

/// The members an index narrowed a search to, and which system entries could still match.
///
/// Only the index answer is computed when the search starts (on the event loop); arranging the
/// candidates for the walk — by primary department, in the department's order, with the
/// departments on the way to them — costs what the candidates cost and is done by the walk
/// (``Arrangement``), or skipped when the candidates are so many that walking the tree in order
/// and checking each member against them reaches the size limit sooner (found by the benchmark:
/// at 100 000 members an address-book search for a common pinyin prefix has ~7 000 candidates,
/// and sorting them all for 100 entries was half of its cost).
struct SearchPlan: Sendable {
    /// The ``DirectoryModel/accountHash(_:)`` of each member that may match (a superset).
    let candidates: AccountHashSet
    /// Their account keys, unless there were more than the walk would use (it then walks the
    /// tree in order and checks each member against ``candidates``).
    let keys: [String]?
    /// The departed candidates, by account.
    var departed: [Member] = []
    /// Whether only members can match (no group or administrator carries the attributes).
    var onlyMembers = false
    /// Groups whose name can match, or nil when any may.
    var groups: Set<String>?
    /// How many candidates the indexes gave.
    var candidateCount: Int { candidates.count }

    /// - Parameter keepKeysUpTo: the most candidates whose keys are kept (more: the walk goes
    ///   through the tree in order).
    init?(_ filter: Filter, model: DirectoryModel, keepKeysUpTo: Int = .max) {
        let planner = SearchPlanner(model: model)
        guard let planned = planner.candidates(filter, keepKeysUpTo: keepKeysUpTo) else { return nil }
        candidates = planned.hashes
        keys = planned.keys
        if model.departedCount > 0 {
            let departedKeys: [String]
            if let keys = planned.keys, keys.count < model.departedCount {
                departedKeys = keys.filter { model.isDeparted(key: $0) }
            } else {
                let hashes = planned.hashes
                departedKeys = model.departedAccountKeys.filter { hashes.contains(DirectoryModel.accountHash($0)) }
            }
            departed = departedKeys.compactMap { model.member($0) }.sorted { $0.account < $1.account }
        }
        onlyMembers = planner.onlyMembersCanMatch(filter)
        groups = onlyMembers ? nil : planner.groups(filter)
    }

    /// The active candidates by primary department, and the departments on the path to them.
    struct Arrangement: Sendable {
        /// The members, in no particular order (sorted when the walk reaches the department).
        var byDepartment: [DepartmentID: [MemberRecord]] = [:]
        /// Departments on the path to a candidate: the only ones walked.
        var relevant = Set<DepartmentID>()
    }

    func arrange(in model: DirectoryModel) -> Arrangement {
        var out = Arrangement()
        for key in keys ?? [] {
            guard let r = model.record(key), r.member.isActive else { continue }
            out.byDepartment[r.member.primaryDepartment, default: []].append(r)
        }
        for d in out.byDepartment.keys {
            // Up to the first department already known to be on a path.
            var cursor: DepartmentID? = d
            while let c = cursor, out.relevant.insert(c).inserted { cursor = model.department(c)?.parent }
        }
        return out
    }

    /// The candidates whose primary department is `id`, in the department's order (pinned
    /// first, then by pinyin, then by account).
    static func ordered(_ members: [MemberRecord]) -> [MemberRecord] {
        guard members.count > 1 else { return members }
        return members.sorted { a, b in
            if a.member.pinned != b.member.pinned { return a.member.pinned }
            let pa = a.names.pinyin.compact, pb = b.names.pinyin.compact
            return pa != pb ? pa < pb : a.member.account.key < b.member.account.key
        }
    }
}
