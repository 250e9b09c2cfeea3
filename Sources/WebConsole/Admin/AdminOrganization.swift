import Directory
import Foundation
import Hummingbird

// MARK: - What the organisation pages share: the administered subtrees, lookups that answer 404
// outside them, department choices, the scope's words

extension AdminRequest {
    /// The roots of the subtrees the administrator administers, in the directory's order: the
    /// organisation for the super admin; a sub-admin's scopes (one inside another counted once).
    var roots: [DepartmentID] {
        switch role {
        case .superAdmin: return [.root]
        case .subAdmin(let scopes):
            let distinct = Set(scopes).filter { s in !scopes.contains { $0 != s && model.isDepartment(s, within: $0) } }
            guard distinct.count > 1 else { return Array(distinct) }
            let order = Dictionary(model.subtree(of: .root).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            return distinct.sorted { (order[$0] ?? .max, $0) < (order[$1] ?? .max, $1) }
        case .member, .readOnly: return []
        }
    }

    /// Every department the administrator administers, in the directory's order (a department
    /// before its sub-departments, siblings by sort order then name).
    var administeredDepartments: [DepartmentID] { roots.flatMap { model.subtree(of: $0) } }

    /// The department a path or form names, when the administrator administers it; nil for an
    /// unknown id and for one outside their subtrees alike (neither is revealed).
    func department(_ raw: String?) -> Department? {
        guard let raw, let n = Int64(raw.trimmingWhitespace), let d = model.department(DepartmentID(n)), administers(d.id)
        else { return nil }
        return d
    }

    /// The member an account names, when the administrator administers it (active or departed);
    /// nil for an unknown account and for one outside their subtrees alike.
    func member(_ raw: String?) -> Member? {
        guard let raw, !raw.isEmpty, raw.utf8.count <= 64, let m = model.member(raw), administers(m) else { return nil }
        return m
    }

    /// A department as the forms name it: its path (`顺达物流->网点`), the organisation by name.
    func label(_ id: DepartmentID, _ w: Words) -> String {
        id == .root ? "\(model.organization) \(w[.orgTheOrganization])" : model.pathString(of: id)
    }
}

extension WebApp {
    /// The `<option>`s of the departments an administrator administers, in the directory's order;
    /// `blank` adds an empty first choice with that text.
    static func departmentOptions(
        _ admin: AdminRequest, _ w: Words, selected: DepartmentID?, blank: String? = nil, excluding: Set<DepartmentID> = []
    ) -> HTML {
        var out: HTML = .empty
        if let blank {
            out += selected == nil ? "<option value=\"\" selected>\(blank)</option>" : "<option value=\"\">\(blank)</option>"
        }
        for id in admin.administeredDepartments where !excluding.contains(id) {
            let label = admin.label(id, w)
            out += id == selected
                ? "<option value=\"\(id.rawValue)\" selected>\(label)</option>" : "<option value=\"\(id.rawValue)\">\(label)</option>"
        }
        return out
    }

    /// The account of a member's path (`/admin/member/ACCOUNT`): the router hands the segment
    /// over as sent (`%40` for `@`); accounts hold no `%` of their own.
    static func accountSegment(_ context: WebContext) -> String? {
        context.parameters.get("account")?.removingPercentEncoding
    }

    /// The word of a visibility scope (权限选择).
    static func scopeWord(_ scope: VisibilityScope) -> Word {
        switch scope {
        case .all: .orgScopeAll
        case .department: .orgScopeDepartment
        case .subdepartment: .orgScopeSubdepartment
        case .inherit: .orgScopeInherit
        }
    }

    /// The `<option>`s of the visibility scopes.
    static func scopeOptions(_ w: Words, selected: VisibilityScope) -> HTML {
        HTML.join(
            [VisibilityScope.inherit, .all, .department, .subdepartment].map { s -> HTML in
                s == selected
                    ? "<option value=\"\(s.rawValue)\" selected>\(w[scopeWord(s)])</option>"
                    : "<option value=\"\(s.rawValue)\">\(w[scopeWord(s)])</option>"
            })
    }

    /// A checkbox, checked or not.
    static func checkbox(_ name: String, value: String = "1", checked: Bool) -> HTML {
        checked
            ? "<input type=\"checkbox\" name=\"\(name)\" value=\"\(value)\" checked>"
            : "<input type=\"checkbox\" name=\"\(name)\" value=\"\(value)\">"
    }

    /// A notice for the `?done=WORD` a redirect after a change carries.
    static func doneNotice(_ request: Request, _ w: Words, _ words: [String: Word]) -> String? {
        guard let done = request.uri.queryParameters["done"].map(String.init), let word = words[done] else { return nil }
        return w[word]
    }
}
