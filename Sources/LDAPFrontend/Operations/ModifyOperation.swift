import Directory
import LDAPProtocol

/// Modify (RFC 4511 §4.6) of a member, a department or a group: every change of the request is
/// applied to the entry as it is when the write lock is held — not to an earlier snapshot — and
/// the result becomes one domain command, all or nothing. Adding or deleting group members
/// becomes a delta of members; a new password is hashed before the lock is taken.
struct ModifyOperation {
    let write: WriteSupport.Context

    func modify(_ request: ModifyRequest) -> LDAPResult {
        let now = write.support()
        let dn: DistinguishedName
        switch now.parse(request.object, "object") {
        case .failure(let r): return r
        case .success(let d): dn = d
        }
        // Hashing and verifying are slow: they happen before the write lock, on the values the
        // request carries. Deleting the current value proves it (RFC 4511 §4.6 delete, then add).
        var hash: Result<String, LDAPResult>?
        var current: [UInt8]?
        for change in request.changes where AttributeRegistry.type(named: change.modification.type)?.key == "userpassword" {
            guard change.modification.values.count == 1 else { continue }
            if change.operation == .delete {
                current = change.modification.values[0]
            } else {
                hash = now.passwordHash(
                    change.modification.values[0], owner: now.frontend.dit.resolve(dn, in: now.model).node.flatMap(now.passwordOwner))
            }
        }
        // Whether the value to delete is the current password; what that means is decided in
        // the plan, once the requester is known to see the entry.
        var currentMatches: Bool?
        if let current {
            if case .member(let account)? = now.frontend.dit.resolve(dn, in: now.model).node,
                let stored = now.model.member(account.key)?.passwordHash
            {
                currentMatches = now.frontend.hasher.verify(current, against: stored)
            } else {
                currentMatches = false
            }
        }
        return now.execute(
            planning: { support in ModifyPlan(write: support, hash: hash, currentMatches: currentMatches).modify(request) },
            currentPasswordVerified: currentMatches == true)
    }
}

/// The changes of one modify request turned into a command over one model.
private struct ModifyPlan {
    let write: WriteSupport
    let hash: Result<String, LDAPResult>?
    /// Whether a userPassword value to delete is the current password (nil: none to delete).
    let currentMatches: Bool?

    func modify(_ request: ModifyRequest) -> LDAPResult {
        let dn: DistinguishedName
        switch write.parse(request.object, "object") {
        case .failure(let r): return r
        case .success(let d): dn = d
        }
        let node: DITNode
        switch write.target(dn, allowSelf: true) {
        case .refused(let r): return r
        case .found(let n): node = n
        }
        guard let entry = write.frontend.entry(for: node, in: write.model, visibility: write.visibility) else {
            return LDAPResult(.noSuchObject)
        }
        // Every change applied in order to the entry's attribute values (RFC 4511 §4.6).
        var values: [String: [String]] = [:]
        var types: [String: AttributeType] = [:]
        for a in entry.attributes {
            values[a.type.key] = a.values
            types[a.type.key] = a.type
        }
        var touched: [String] = []
        var passwordHash: String?
        for change in request.changes {
            let attr = change.modification
            guard let type = AttributeRegistry.type(named: attr.type) else {
                return LDAPResult(.undefinedAttributeType, diagnosticMessage: "\(attr.type): unknown attribute")
            }
            types[type.key] = type
            if type.key == "userpassword" {
                guard case .member = node, attr.values.count == 1, change.operation != .increment else {
                    return LDAPResult(.unwillingToPerform, diagnosticMessage: "userPassword: replace it with one value (or use ldappasswd)")
                }
                if change.operation == .delete {
                    guard currentMatches == true else {
                        return LDAPResult(.noSuchAttribute, diagnosticMessage: "userPassword: the value to delete is not the current password")
                    }
                    // The current password, proven before the lock; a new one must follow.
                    guard request.changes.contains(where: { $0.operation != .delete && AttributeRegistry.type(named: $0.modification.type)?.key == "userpassword" }) else {
                        return LDAPResult(.unwillingToPerform, diagnosticMessage: "userPassword: a password can be replaced, not removed")
                    }
                    continue
                }
                switch hash ?? write.passwordHash(attr.values[0]) {
                case .failure(let r): return r
                case .success(let h): passwordHash = h
                }
                continue
            }
            if type.operational {
                return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): no user modification")
            }
            var strings: [String] = []
            for v in attr.values {
                switch WriteSupport.string(v, type.name) {
                case .failure(let r): return r
                case .success(let s): strings.append(s)
                }
            }
            var current = values[type.key] ?? []
            let norm = { (s: String) in Matching.normalize(s, type.matching) }
            switch change.operation {
            case .add:
                for s in strings {
                    if current.contains(where: { norm($0) == norm(s) }) {
                        return LDAPResult(.attributeOrValueExists, diagnosticMessage: "\(type.name): \(s) is already present")
                    }
                    current.append(s)
                }
            case .delete:
                if strings.isEmpty {
                    guard !current.isEmpty else {
                        return LDAPResult(.noSuchAttribute, diagnosticMessage: "\(type.name): the entry has no such attribute")
                    }
                    current = []
                } else {
                    for s in strings {
                        guard let i = current.firstIndex(where: { norm($0) == norm(s) }) else {
                            return LDAPResult(.noSuchAttribute, diagnosticMessage: "\(type.name): no value \(s)")
                        }
                        current.remove(at: i)
                    }
                }
            case .replace:
                current = strings
            case .increment:
                guard type.matching == .integer, strings.count == 1, let by = Int(strings[0]), current.count == 1,
                    let n = Int(current[0])
                else {
                    return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): increment needs one integer value")
                }
                let (sum, overflow) = n.addingReportingOverflow(by)
                guard !overflow else {
                    return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): \(n) + \(by) is out of range")
                }
                current = [String(sum)]
            }
            values[type.key] = current
            if !touched.contains(type.key) { touched.append(type.key) }
        }
        let changed = touched.filter { key in
            let before = types[key].flatMap { entry.values(of: $0) } ?? []
            return before != (values[key] ?? [])
        }
        switch node {
        case .member(let account), .departedMember(let account):
            return modifyMember(account, changed, values, types, passwordHash)
        case .department(let id):
            return modifyDepartment(id, changed, values, types)
        case .group(let key):
            return modifyGroup(key, changed, values, types, request)
        default:
            return LDAPResult(.unwillingToPerform, diagnosticMessage: "\(request.object) cannot be modified over LDAP")
        }
    }

    private func modifyMember(
        _ account: Account, _ changed: [String], _ values: [String: [String]], _ types: [String: AttributeType], _ hash: String?
    ) -> LDAPResult {
        var fields: [MemberField: String?] = [:]
        for key in changed {
            guard let type = types[key] else { continue }
            let v = values[key] ?? []
            switch key {
            case "uid":
                return LDAPResult(.notAllowedOnRDN, diagnosticMessage: "uid: accounts are immutable (\(account) cannot become \(v.first ?? "empty"))")
            case "objectclass":
                return LDAPResult(.objectClassModsProhibited, diagnosticMessage: "objectClass: a member's object classes are fixed")
            case "sn", "givenname":
                return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): derived from cn; change cn instead")
            case "ou", "departmentnumber":
                return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): follows the member's departments; move the entry with modrdn")
            case "telephonenumber":
                guard v.count <= 2 else {
                    return LDAPResult(.constraintViolation, diagnosticMessage: "telephoneNumber: at most two values (phone and phone 2)")
                }
                fields[.phone] = .some(v.first)
                fields[.phone2] = .some(v.count > 1 ? v[1] : nil)
                continue
            default: break
            }
            guard let field = WriteSupport.memberField(type), field != .password else {
                return LDAPResult(.objectClassViolation, diagnosticMessage: "\(type.name): not an attribute of a member")
            }
            guard v.count <= 1 else { return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): single-valued") }
            if field == .name {
                guard let name = v.first else {
                    return LDAPResult(.objectClassViolation, diagnosticMessage: "\(type.name): the name is required")
                }
                if case let existing?? = fields[.name], existing != name {
                    return LDAPResult(.constraintViolation, diagnosticMessage: "cn and displayName both name the member and must agree")
                }
            }
            fields[field] = .some(v.first)
        }
        if fields.isEmpty && hash == nil { return LDAPResult(.success) }
        if fields.isEmpty, let hash { return write.execute(.setPassword(account, hash: hash)) }
        return write.execute(.updateMember(account, fields: fields, passwordHash: hash))
    }

    private func modifyDepartment(_ id: DepartmentID, _ changed: [String], _ values: [String: [String]], _ types: [String: AttributeType]) -> LDAPResult {
        var changes = DepartmentChanges()
        for key in changed {
            let v = values[key] ?? []
            switch key {
            case "ou", "dc":
                return LDAPResult(.notAllowedOnRDN, diagnosticMessage: "\(types[key]?.name ?? key): the name is the RDN; rename with modrdn")
            case "o" where id == .root:
                guard v.count == 1 else { return LDAPResult(.constraintViolation, diagnosticMessage: "o: exactly one value") }
                return write.execute(.renameOrganization(v[0]))
            case "description": changes.description = .some(v.first)
            case "rostersortorder":
                guard v.count == 1, let n = Int(v[0]) else {
                    return LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "rosterSortOrder: an integer")
                }
                changes.order = n
            case "rostervisibility":
                guard v.count == 1, let scope = VisibilityScope(rawValue: v[0].lowercased()) else {
                    return LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "rosterVisibility: one of all, department, subdepartment, inherit")
                }
                changes.scope = scope
            case "rosterhidden":
                guard v.count == 1, ["TRUE", "FALSE"].contains(v[0].uppercased()) else {
                    return LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "rosterHidden: TRUE or FALSE")
                }
                changes.hidden = v[0].uppercased() == "TRUE"
            case "rosterleader":
                var leaders: [Account] = []
                for s in v {
                    switch write.memberAccount(Array(s.utf8), "rosterLeader") {
                    case .failure(let r): return r
                    case .success(let a): leaders.append(a)
                    }
                }
                changes.leaders = leaders
            case "objectclass":
                return LDAPResult(.objectClassModsProhibited, diagnosticMessage: "objectClass: a department's object classes are fixed")
            default:
                return LDAPResult(.objectClassViolation, diagnosticMessage: "\(types[key]?.name ?? key): not an attribute of a department")
            }
        }
        if changed.isEmpty { return LDAPResult(.success) }
        return write.execute(.updateDepartment(id, changes))
    }

    private func modifyGroup(
        _ key: String, _ changed: [String], _ values: [String: [String]], _ types: [String: AttributeType], _ request: ModifyRequest
    ) -> LDAPResult {
        var members: [Account]?
        var description: String??
        for k in changed {
            let v = values[k] ?? []
            switch k {
            case "member":
                var list: [Account] = []
                for s in v {
                    switch write.memberAccount(Array(s.utf8), "member") {
                    case .failure(let r): return r
                    case .success(let a): list.append(a)
                    }
                }
                members = list
            case "description": description = .some(v.first)
            case "cn": return LDAPResult(.notAllowedOnRDN, diagnosticMessage: "cn: the name is the RDN; rename with modrdn")
            case "objectclass":
                return LDAPResult(.objectClassModsProhibited, diagnosticMessage: "objectClass: a group's object classes are fixed")
            default:
                return LDAPResult(.objectClassViolation, diagnosticMessage: "\(types[k]?.name ?? k): not an attribute of a group")
            }
        }
        if changed.isEmpty { return LDAPResult(.success) }
        // Adding or deleting member values is a delta of members, never "the group is now this list".
        let onMembers = request.changes.allSatisfy { AttributeRegistry.type(named: $0.modification.type)?.key == "member" }
        if onMembers, request.changes.allSatisfy({ $0.operation == .add }) || request.changes.allSatisfy({ $0.operation == .delete && !$0.modification.values.isEmpty }) {
            var accounts: [Account] = []
            for change in request.changes {
                for raw in change.modification.values {
                    switch write.memberAccount(raw, "member") {
                    case .failure(let r): return r
                    case .success(let a): accounts.append(a)
                    }
                }
            }
            return write.execute(request.changes.first?.operation == .add ? .addGroupMembers(key, accounts) : .removeGroupMembers(key, accounts))
        }
        let current = write.model.group(key)?.members ?? []
        // Members the viewer cannot see stay as they are.
        let hidden = current.filter { a in write.model.member(a.key).map { !$0.isActive || !write.visibility.canSee(member: $0) } ?? false }
        return write.execute(.setGroup(key, members: (members ?? current.filter { !hidden.contains($0) }) + hidden, description: description))
    }
}
