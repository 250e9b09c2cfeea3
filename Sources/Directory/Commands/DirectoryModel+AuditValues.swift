/// The field values an audit record keeps before and after a command (never a password or a
/// hash).
extension DirectoryModel {
    func departmentValues(_ id: DepartmentID) -> [String: String] {
        guard let d = department(id) else { return [:] }
        var out = ["name": d.name, "path": pathString(of: id), "order": String(d.order), "scope": d.scope.rawValue]
        if d.hidden { out["hidden"] = "yes" }
        if !d.leaders.isEmpty { out["leaders"] = d.leaders.map(\.value).joined(separator: ",") }
        if let desc = d.description { out["description"] = desc }
        return out
    }

    func memberValues(_ m: Member) -> [String: String] {
        var out = m.fieldValues
        out["department"] = m.departments.map { pathString(of: $0) }.joined(separator: ";")
        out["status"] = m.isActive ? "active" : "departed"
        return out
    }

    func groupValues(_ g: Group) -> [String: String] {
        var out = ["name": g.name, "members": g.members.map(\.value).joined(separator: ",")]
        if let d = g.description { out["description"] = d }
        return out
    }

    func adminValues(_ a: Administrator) -> [String: String] {
        var out = ["name": a.name, "role": a.role.kind]
        switch a.role {
        case .subAdmin(let scopes): out["scope"] = scopes.map { pathString(of: $0) }.joined(separator: ";")
        case .service(let scopes, let attributes):
            out["scope"] = scopes.map { pathString(of: $0) }.joined(separator: ";")
            if let attributes { out["attributes"] = attributes.joined(separator: ",") }
        case .superAdmin: break
        }
        if let b = a.boundMember { out["member"] = b.value }
        return out
    }
}
