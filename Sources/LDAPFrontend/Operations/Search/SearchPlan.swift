import Directory
import LDAPProtocol

/// The members an index narrowed a search to, arranged for the walk: by primary department in
/// the directory's order, the departments on the way to them, and which system entries could
/// still match.
struct SearchPlan: Sendable {
    var byDepartment: [DepartmentID: [Member]] = [:]
    var departed: [Member] = []
    /// Departments on the path to a candidate: the only ones walked.
    var relevant = Set<DepartmentID>()
    /// Whether only members can match (no group or administrator carries the attributes).
    var onlyMembers = false
    /// Groups whose name can match, or nil when any may.
    var groups: Set<String>?
    /// How many candidates the indexes gave.
    var candidateCount = 0

    init?(_ filter: Filter, model: DirectoryModel) {
        let planner = SearchPlanner(model: model)
        guard let planned = planner.candidates(filter) else { return nil }
        candidateCount = planned.count
        for key in planned {
            guard let m = model.member(key) else { continue }
            if m.isActive { byDepartment[m.primaryDepartment, default: []].append(m) } else { departed.append(m) }
        }
        for (d, list) in byDepartment {
            byDepartment[d] = list.sorted { a, b in
                if a.pinned != b.pinned { return a.pinned }
                let pa = model.pinyin(of: a.account).compact, pb = model.pinyin(of: b.account).compact
                return pa != pb ? pa < pb : a.account.key < b.account.key
            }
        }
        departed.sort { $0.account < $1.account }
        for d in byDepartment.keys { relevant.formUnion(model.path(to: d)) }
        onlyMembers = planner.onlyMembersCanMatch(filter)
        groups = onlyMembers ? nil : planner.groups(filter)
    }
}
