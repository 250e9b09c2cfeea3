import Directory
import Foundation
import Hummingbird

// MARK: - /admin/interchange, /admin/fields, /admin/groups, /admin/administrators, /admin/audit

extension WebApp {
    /// Import and export, the field policy, groups, administrators and the audit log.
    func addAdminOperationsRoutes(to router: Router<WebContext>) {
        addAdminInterchangeRoutes(to: router)
        addAdminFieldRoutes(to: router)
        addAdminGroupRoutes(to: router)
        addAdminAdministratorRoutes(to: router)
        addAdminAuditRoutes(to: router)
    }

    /// The paths that take a `multipart/form-data` upload (every other POST is a form).
    static let uploadPaths: Set<String> = [AdminSection.interchange.path + "/import"]

    /// The departments an administrator administers, in the tree's order, each with its path
    /// (`顺达物流->网点`); the root (the whole directory) first for the super admin.
    static func administeredDepartments(_ admin: AdminRequest) -> [(id: DepartmentID, path: String)] {
        let model = admin.model
        var out: [(id: DepartmentID, path: String)] = []
        var stack: [DepartmentID] = [.root]
        while let id = stack.popLast() {
            if admin.administers(id) { out.append((id, id == .root ? model.organization : model.pathString(of: id))) }
            stack.append(contentsOf: model.children(of: id).reversed())
        }
        return out
    }

    /// `<option>`s of departments, the selected ones marked.
    static func departmentOptions(_ list: [(id: DepartmentID, path: String)], selected: Set<DepartmentID>) -> [HTML] {
        list.map { d -> HTML in
            selected.contains(d.id)
                ? "<option value=\"\(d.id.rawValue)\" selected>\(d.path)</option>"
                : "<option value=\"\(d.id.rawValue)\">\(d.path)</option>"
        }
    }

    /// Accounts typed into a box: separated by spaces, commas (full-width too), semicolons or
    /// new lines.
    static func accountList(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0.isWhitespace || ",;，；、".contains($0) }).map(String.init)
    }

    /// Parses accounts for a command; the first invalid one is the failure of field `field`.
    static func parseAccounts(_ list: [String], field: String) -> Result<[Account], AdminFailure> {
        var out: [Account] = []
        for a in list {
            do {
                out.append(try Account(parsing: a))
            } catch {
                return .failure(AdminFailure(field: field, message: error.message))
            }
        }
        return .success(out)
    }
}
