import Directory
import LDAPProtocol

/// Add (RFC 4511 §4.7): `uid=` under a department creates a member, `ou=` a department,
/// `cn=…,cn=groups` a group — each one command of the domain core.
struct AddOperation {
    let write: WriteSupport

    func add(_ request: AddRequest) -> LDAPResult {
        let dn: DistinguishedName
        switch write.parse(request.entry, "entry") {
        case .failure(let r): return r
        case .success(let d): dn = d
        }
        guard let rdn = dn.rdn, rdn.attributes.count == 1, let parentDN = dn.parent else {
            return LDAPResult(.namingViolation, diagnosticMessage: "entry: a single-valued RDN under a department is required")
        }
        let parent: DITNode
        switch write.target(parentDN) {
        case .refused(let r):
            if r.resultCode == .noSuchObject { return r }
            return r
        case .found(let node): parent = node
        }
        guard let classes = request.attributes.first(where: { AttributeRegistry.type(named: $0.type)?.key == "objectclass" }) else {
            return LDAPResult(.objectClassViolation, diagnosticMessage: "objectClass: required")
        }
        let classNames = Set(classes.values.compactMap { String(validating: $0, as: UTF8.self)?.lowercased() })
        let pair = rdn.attributes[0]
        switch (pair.normalizedType, parent) {
        case ("uid", .department(let department)):
            guard !classNames.isDisjoint(with: ["inetorgperson", "person", "organizationalperson", "rostermember"]) else {
                return LDAPResult(.objectClassViolation, diagnosticMessage: "objectClass: a member is an inetOrgPerson")
            }
            return addMember(account: pair.value, department: department, request)
        case ("ou", .department(let department)):
            guard classNames.contains("organizationalunit") else {
                return LDAPResult(.objectClassViolation, diagnosticMessage: "objectClass: a department is an organizationalUnit")
            }
            return addDepartment(name: pair.value, parent: department, request)
        case ("cn", .groupsContainer):
            guard classNames.contains("groupofnames") else {
                return LDAPResult(.objectClassViolation, diagnosticMessage: "objectClass: a group is a groupOfNames")
            }
            return addGroup(name: pair.value, request)
        case ("uid", _):
            return LDAPResult(.namingViolation, diagnosticMessage: "\(rdn): members are added under a department (ou=…), not under \(parentDN.rdn?.description ?? "the root")")
        default:
            return LDAPResult(
                .namingViolation,
                diagnosticMessage: "\(rdn): Roster adds uid= members and ou= departments under departments, and cn= groups under cn=groups")
        }
    }

    private func addMember(account: String, department: DepartmentID, _ request: AddRequest) -> LDAPResult {
        var fields: [MemberField: String] = [:]
        var hash: String?
        for attribute in request.attributes {
            guard let type = AttributeRegistry.type(named: attribute.type) else {
                return LDAPResult(.undefinedAttributeType, diagnosticMessage: "\(attribute.type): unknown attribute")
            }
            if type.key == "objectclass" || WriteSupport.derived.contains(type.key) { continue }
            if type.key == "uid" {
                guard attribute.values.count == 1, String(validating: attribute.values[0], as: UTF8.self)?.lowercased() == account.lowercased() else {
                    return LDAPResult(.constraintViolation, diagnosticMessage: "uid: must be the account in the DN (\(account))")
                }
                continue
            }
            if type.operational {
                return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): no user modification")
            }
            guard let field = WriteSupport.memberField(type) else {
                return LDAPResult(.objectClassViolation, diagnosticMessage: "\(type.name): not an attribute of a member")
            }
            if field == .password {
                guard attribute.values.count == 1 else {
                    return LDAPResult(.constraintViolation, diagnosticMessage: "userPassword: exactly one value")
                }
                func value(_ names: Set<String>) -> String? {
                    request.attributes.first { names.contains($0.type.lowercased()) }?.values.first.flatMap { String(validating: $0, as: UTF8.self) }
                }
                let owner = PasswordOwner(
                    account: account, pinyin: value(["cn", "displayname"]).map { PinyinName($0).compact }, mobile: value(["mobile"]),
                    name: value(["cn", "displayname"]))
                switch write.passwordHash(attribute.values[0], owner: owner) {
                case .failure(let r): return r
                case .success(let h): hash = h
                }
                continue
            }
            var values: [String] = []
            for v in attribute.values {
                switch WriteSupport.string(v, type.name) {
                case .failure(let r): return r
                case .success(let s): values.append(s)
                }
            }
            if field == .phone {
                guard values.count <= 2 else {
                    return LDAPResult(.constraintViolation, diagnosticMessage: "telephoneNumber: at most two values (phone and phone 2)")
                }
                if let p = values.first { fields[.phone] = p }
                if values.count == 2 { fields[.phone2] = values[1] }
                continue
            }
            guard values.count == 1 else {
                return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): single-valued")
            }
            if let existing = fields[field], existing != values[0] {
                return LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): cn and displayName both name the member and must agree")
            }
            fields[field] = values[0]
        }
        guard fields[.name] != nil else {
            return LDAPResult(.objectClassViolation, diagnosticMessage: "cn: the name is required")
        }
        return write.execute(.createMember(account: account, fields: fields, departments: [department], passwordHash: hash))
    }

    private func addDepartment(name: String, parent: DepartmentID, _ request: AddRequest) -> LDAPResult {
        var draft = DepartmentDraft(name: name, parent: parent)
        for attribute in request.attributes {
            guard let type = AttributeRegistry.type(named: attribute.type) else {
                return LDAPResult(.undefinedAttributeType, diagnosticMessage: "\(attribute.type): unknown attribute")
            }
            switch DepartmentAttributes.apply(type, attribute.values, to: &draft, write: write) {
            case .failure(let r): return r
            case .success: break
            }
            if type.key == "ou", !attribute.values.contains(where: { String(decoding: $0, as: UTF8.self) == name }) {
                return LDAPResult(.constraintViolation, diagnosticMessage: "ou: must include the name in the DN (\(name))")
            }
        }
        return write.execute(.createDepartment(draft))
    }

    private func addGroup(name: String, _ request: AddRequest) -> LDAPResult {
        var members: [Account] = []
        var description: String?
        for attribute in request.attributes {
            guard let type = AttributeRegistry.type(named: attribute.type) else {
                return LDAPResult(.undefinedAttributeType, diagnosticMessage: "\(attribute.type): unknown attribute")
            }
            switch type.key {
            case "objectclass", "cn": continue
            case "member":
                for v in attribute.values {
                    switch write.memberAccount(v, "member") {
                    case .failure(let r): return r
                    case .success(let a): members.append(a)
                    }
                }
            case "description":
                guard let raw = attribute.values.first else { continue }
                switch WriteSupport.string(raw, type.name) {
                case .failure(let r): return r
                case .success(let s): description = s
                }
            default:
                return LDAPResult(.objectClassViolation, diagnosticMessage: "\(type.name): not an attribute of a group")
            }
        }
        return write.execute(.createGroup(name: name, description: description, members: members))
    }
}

/// Department attributes written over LDAP: description, sort order, scope, hidden, leaders.
enum DepartmentAttributes {
    static func apply(_ type: AttributeType, _ values: [[UInt8]], to draft: inout DepartmentDraft, write: WriteSupport) -> Result<Void, LDAPResult> {
        var strings: [String] = []
        for v in values {
            switch WriteSupport.string(v, type.name) {
            case .failure(let r): return .failure(r)
            case .success(let s): strings.append(s)
            }
        }
        switch type.key {
        case "objectclass", "ou": return .success(())
        case "description": draft.description = strings.first
        case "rostersortorder":
            guard strings.count == 1, let n = Int(strings[0]) else {
                return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "rosterSortOrder: an integer"))
            }
            draft.order = n
        case "rostervisibility":
            guard strings.count == 1, let scope = VisibilityScope(rawValue: strings[0].lowercased()) else {
                return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "rosterVisibility: one of all, department, subdepartment, inherit"))
            }
            draft.scope = scope
        case "rosterhidden":
            guard strings.count == 1, ["TRUE", "FALSE"].contains(strings[0].uppercased()) else {
                return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "rosterHidden: TRUE or FALSE"))
            }
            draft.hidden = strings[0].uppercased() == "TRUE"
        case "rosterleader":
            var leaders: [Account] = []
            for v in values {
                switch write.memberAccount(v, "rosterLeader") {
                case .failure(let r): return .failure(r)
                case .success(let a): leaders.append(a)
                }
            }
            draft.leaders = leaders
        default:
            if type.operational {
                return .failure(LDAPResult(.constraintViolation, diagnosticMessage: "\(type.name): no user modification"))
            }
            return .failure(LDAPResult(.objectClassViolation, diagnosticMessage: "\(type.name): not an attribute of a department"))
        }
        return .success(())
    }
}
