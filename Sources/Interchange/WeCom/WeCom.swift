public import Directory
import Foundation

/// Migration from the hosted directory (同步企业号通讯录): the JSON that WeCom's
/// `department/list` and `user/list` APIs return, imported through the domain's commands.
///
/// Mapping (fields as WeCom publicly documents them):
/// - Department `id` 1 is the root: the organisation (its `name` renames it). Other departments
///   keep their tree (`parentid`) and their order among siblings: WeCom puts a larger `order`
///   first, Roster a smaller one, so siblings get Roster sort orders 1, 2, 3… in WeCom's order.
///   `department_leader` and users' `is_leader_in_dept` become department leaders.
/// - User `userid` → account, `name` → name, `alias` → nickname, `mobile`, `email` (or
///   `biz_mail`), `telephone` → phone, `position` → title, `address`, `gender` ("1" 男, "2" 女,
///   "0" unset); `department` with `main_department` first (the primary department).
/// - `status`: 1 (activated) → active, follow status 已关注; 4 (not yet activated) → active,
///   未关注; 2 (disabled) → a departure (cannot bind, data kept, reinstate undoes it); 5 (left the
///   company) → a departure.
///
/// All or nothing: a file that is not JSON, an `errcode` other than 0, a user in a department
/// the list does not hold, a `parentid` cycle, a duplicate `userid` or department `id`, or any
/// command the domain refuses: nothing is applied and the report names the cause.
public enum WeCom {
    /// How the import treats what it reads.
    public struct ImportOptions: Sendable, Hashable {
        /// An e-mail pattern (`{account}@example.com`) for users with no mobile and no e-mail
        /// (WeCom's API hides both from apps without the right): Roster needs one contact.
        public var placeholderEmail: String?
        /// Check everything and report, write nothing.
        public var dryRun: Bool

        /// - Parameters: see the properties.
        public init(placeholderEmail: String? = nil, dryRun: Bool = false) {
            self.placeholderEmail = placeholderEmail
            self.dryRun = dryRun
        }
    }

    struct DepartmentList: Decodable {
        var errcode: Int?
        var errmsg: String?
        var department: [DepartmentJSON]?
    }

    struct DepartmentJSON: Decodable {
        var id: Int
        var name: String
        var name_en: String?
        var department_leader: [String]?
        var parentid: Int?
        var order: Int64?
    }

    struct UserList: Decodable {
        var errcode: Int?
        var errmsg: String?
        var userlist: [UserJSON]?
    }

    struct UserJSON: Decodable {
        var userid: String
        var name: String
        var department: [Int]?
        var order: [Int64]?
        var position: String?
        var mobile: String?
        var gender: FlexibleString?
        var email: String?
        var biz_mail: String?
        var is_leader_in_dept: [Int]?
        var telephone: String?
        var alias: String?
        var address: String?
        var status: Int?
        var main_department: Int?
    }

    /// A JSON value WeCom documents as a string that some exports write as a number (`gender`).
    struct FlexibleString: Decodable {
        var value: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                value = s
            } else {
                value = String(try c.decode(Int.self))
            }
        }
    }

    /// Why the files cannot be imported at all.
    struct InputError: Error {
        var item: String
        var message: String
    }

    /// Imports WeCom's `department/list` and `user/list` JSON.
    /// - Parameters:
    ///   - departments: the bytes of the `department/list` answer.
    ///   - users: the bytes of the `user/list` answer (or `user/list_id`-style `userlist`).
    ///   - service: the directory.
    ///   - context: who imports.
    ///   - options: placeholder e-mail and dry run.
    /// - Returns: what was applied (everything) or why nothing was.
    /// - Throws: the store's error when the transaction itself failed (nothing written).
    public static func importDirectory(
        departments: [UInt8], users: [UInt8], into service: DirectoryService, by context: CommandContext,
        options: ImportOptions = ImportOptions()
    ) throws -> InterchangeReport {
        var report = InterchangeReport()
        report.dryRun = options.dryRun
        let steps: [PlannedStep]
        do throws(InputError) {
            steps = try plan(departments: departments, users: users, snapshot: service.live.snapshot(), options: options, notes: &report.notes)
        } catch {
            let e = error
            report.failures.append(.init(line: nil, item: e.item, message: e.message))
            return report
        }
        try Interchange.applyPlan(steps, into: service, by: context, allOrNothing: true, dryRun: options.dryRun, report: &report)
        return report
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ what: String) throws(InputError) -> T {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw InputError(item: what, message: "not JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "unreadable"))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw InputError(item: what, message: "\(path(ctx.codingPath + [key])): required and missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw InputError(item: what, message: "\(path(ctx.codingPath)): \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw InputError(item: what, message: "\(path(ctx.codingPath)): required and null")
        } catch {
            throw InputError(item: what, message: "not the JSON of WeCom's API: \(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func plan(
        departments: [UInt8], users: [UInt8], snapshot: DirectoryModel, options: ImportOptions, notes: inout [String]
    ) throws(InputError) -> [PlannedStep] {
        let dl = try decode(DepartmentList.self, departments, "departments")
        if let code = dl.errcode, code != 0 {
            throw InputError(item: "departments", message: "errcode \(code) (\(dl.errmsg ?? "")): WeCom refused the department/list call; nothing to import")
        }
        guard let depts = dl.department else { throw InputError(item: "departments", message: "department: required and missing") }
        let ul = try decode(UserList.self, users, "users")
        if let code = ul.errcode, code != 0 {
            throw InputError(item: "users", message: "errcode \(code) (\(ul.errmsg ?? "")): WeCom refused the user/list call; nothing to import")
        }
        guard let userList = ul.userlist else { throw InputError(item: "users", message: "userlist: required and missing") }

        // The tree.
        var byID: [Int: DepartmentJSON] = [:]
        for d in depts {
            guard byID[d.id] == nil else { throw InputError(item: "department \(d.id)", message: "id \(d.id) appears twice in department/list") }
            byID[d.id] = d
        }
        for d in depts where d.id != 1 {
            let parent = d.parentid ?? 1
            guard parent == 1 || byID[parent] != nil else {
                throw InputError(item: "department \(d.id) \(d.name)", message: "parentid \(parent) is not in department/list")
            }
        }
        var paths: [Int: [String]] = [1: []]
        func path(of id: Int) throws(InputError) -> [String] {
            if let p = paths[id] { return p }
            var chain: [Int] = []
            var cursor = id
            while cursor != 1, paths[cursor] == nil {
                if let loop = chain.firstIndex(of: cursor) {
                    let cycle = (chain[loop...] + [cursor]).map(String.init).joined(separator: " → ")
                    throw InputError(item: "department \(id)", message: "parentid forms a cycle: \(cycle)")
                }
                chain.append(cursor)
                cursor = byID[cursor]?.parentid ?? 1
            }
            var base = paths[cursor] ?? []
            for c in chain.reversed() {
                base = base + [byID[c]?.name ?? ""]
                paths[c] = base
            }
            return paths[id] ?? []
        }
        for d in depts { _ = try path(of: d.id) }
        // Roster's sort order: 1, 2, 3… among siblings, WeCom's larger order first.
        var rosterOrder: [Int: Int] = [:]
        let siblings = Dictionary(grouping: depts.filter { $0.id != 1 }, by: { $0.parentid ?? 1 })
        for (_, group) in siblings {
            let sorted = group.sorted { ($0.order ?? 0) != ($1.order ?? 0) ? ($0.order ?? 0) > ($1.order ?? 0) : $0.id < $1.id }
            for (i, d) in sorted.enumerated() { rosterOrder[d.id] = i + 1 }
        }

        // The users.
        var seen: [String: String] = [:]
        for u in userList {
            if let other = seen[u.userid.lowercased()] {
                throw InputError(item: "user \(u.userid)", message: "userid \(u.userid) appears twice in user/list (also as \(other))")
            }
            seen[u.userid.lowercased()] = u.userid
            for id in u.department ?? [] where id != 1 && byID[id] == nil {
                throw InputError(item: "user \(u.userid)", message: "department \(id) is not in department/list")
            }
            if let main = u.main_department, main != 1, byID[main] == nil {
                throw InputError(item: "user \(u.userid)", message: "main_department \(main) is not in department/list")
            }
        }

        var steps: [PlannedStep] = []
        // The organisation.
        if let root = byID[1], root.name != snapshot.organization, !root.name.isEmpty {
            let name = root.name
            steps.append(PlannedStep(line: nil, item: "department 1") { _ throws(DirectoryError) in .renameOrganization(name) })
        }
        // Departments, parents first (by depth, then in the list's order).
        let ordered = depts.filter { $0.id != 1 }.enumerated().sorted { a, b in
            let da = paths[a.element.id]?.count ?? 0, db = paths[b.element.id]?.count ?? 0
            return da != db ? da < db : a.offset < b.offset
        }.map(\.element)
        for d in ordered {
            let p = paths[d.id] ?? []
            if snapshot.department(atPath: p) != nil {
                notes.append("department \(d.id) \(p.joined(separator: "->")): already in the directory; kept as it is")
                continue
            }
            let order = rosterOrder[d.id] ?? 0
            steps.append(PlannedStep(line: nil, item: "department \(d.id) \(d.name)") { model throws(DirectoryError) in
                guard let parent = model.department(atPath: Array(p.dropLast())) else {
                    throw DirectoryError(.notFound, field: .department, "no parent department \(p.dropLast().joined(separator: "->"))")
                }
                return .createDepartment(DepartmentDraft(name: p.last ?? d.name, parent: parent.id, order: order))
            })
        }
        func resolve(_ id: Int, _ model: DirectoryModel) throws(DirectoryError) -> DepartmentID {
            let p = paths[id] ?? []
            guard let d = p.isEmpty ? model.department(.root) : model.department(atPath: p) else {
                throw DirectoryError(.notFound, field: .department, "no department \(p.joined(separator: "->"))")
            }
            return d.id
        }
        // Members.
        var leaders: [Int: [String]] = [:]
        for d in depts { leaders[d.id] = d.department_leader ?? [] }
        var departing: [String] = []
        var ignoredOrder = false
        for u in userList {
            var fields: [MemberField: String] = [.name: u.name]
            func set(_ f: MemberField, _ v: String?) {
                if let v, !v.trimmingWhitespace.isEmpty { fields[f] = v }
            }
            set(.mobile, u.mobile)
            set(.email, u.email ?? u.biz_mail)
            if u.email?.isEmpty ?? true { set(.email, u.biz_mail) }
            set(.phone, u.telephone)
            set(.title, u.position)
            set(.nickname, u.alias)
            set(.address, u.address)
            switch u.gender?.value {
            case "1": fields[.gender] = "男"
            case "2": fields[.gender] = "女"
            default: break
            }
            let status = u.status ?? 1
            switch status {
            case 1: fields[.followStatus] = Member.FollowStatus.following.rawValue
            case 4: fields[.followStatus] = Member.FollowStatus.notFollowing.rawValue
            case 2, 5: departing.append(u.userid)
            default:
                throw InputError(item: "user \(u.userid)", message: "status \(status) is not one of 1, 2, 4, 5")
            }
            if fields[.mobile] == nil, fields[.email] == nil, let pattern = options.placeholderEmail {
                fields[.email] = pattern.replacingOccurrences(of: "{account}", with: u.userid)
            }
            var ids = u.department ?? []
            if let main = u.main_department {
                ids.removeAll { $0 == main }
                ids.insert(main, at: 0)
            }
            if (u.order?.contains { $0 != 0 }) ?? false { ignoredOrder = true }
            for (i, id) in (u.department ?? []).enumerated() where (u.is_leader_in_dept ?? []).indices.contains(i) {
                if u.is_leader_in_dept?[i] == 1, !(leaders[id] ?? []).contains(where: { $0.lowercased() == u.userid.lowercased() }) {
                    leaders[id, default: []].append(u.userid)
                }
            }
            let account = u.userid
            let departmentIDs = ids
            let f = fields
            steps.append(PlannedStep(line: nil, item: "user \(u.userid)") { model throws(DirectoryError) in
                var placed: [DepartmentID] = []
                for id in departmentIDs { placed.append(try resolve(id, model)) }
                return .createMember(account: account, fields: f, departments: placed, passwordHash: nil)
            })
        }
        if ignoredOrder {
            notes.append("user order within departments: not kept; Roster lists pinned members first, then by pinyin")
        }
        // Leaders, once every member exists (not those who are leaving).
        let leaving = Set(departing.map { $0.lowercased() })
        for d in depts {
            // A leader user/list does not hold (a list of one subtree) is left out, and said so.
            for a in leaders[d.id] ?? [] where seen[a.lowercased()] == nil {
                notes.append("department \(d.id) \(d.name): leader \(a) is not in user/list; left out")
            }
            let accounts = (leaders[d.id] ?? []).filter { !leaving.contains($0.lowercased()) && seen[$0.lowercased()] != nil }
            guard !accounts.isEmpty else { continue }
            let id = d.id
            steps.append(PlannedStep(line: nil, item: "department \(d.id) \(d.name)") { model throws(DirectoryError) in
                var list: [Account] = []
                for a in accounts { list.append(try Account(parsing: a)) }
                return .updateDepartment(try resolve(id, model), DepartmentChanges(leaders: list))
            })
        }
        // Departures last.
        for a in departing {
            steps.append(PlannedStep(line: nil, item: "user \(a)") { _ throws(DirectoryError) in .depart(try Account(parsing: a)) })
        }
        return steps
    }
}
