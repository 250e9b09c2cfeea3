import Directory
import LDAPProtocol

/// Modify DN (RFC 4511 §4.9): a member moves to another primary department; a departed member is
/// reinstated into a department; a department is renamed and/or moved with its subtree; a group
/// is renamed. Entries below follow, and group members stay correct.
struct ModifyDNOperation {
    let write: WriteSupport

    func modifyDN(_ request: ModifyDNRequest) -> LDAPResult {
        let dn: DistinguishedName
        switch write.parse(request.entry, "entry") {
        case .failure(let r): return r
        case .success(let d): dn = d
        }
        let newRDN: RelativeDistinguishedName
        switch write.parse(request.newRDN, "newrdn") {
        case .failure(let r): return r
        case .success(let d):
            guard d.rdns.count == 1, let r = d.rdn, r.attributes.count == 1 else {
                return LDAPResult(.namingViolation, diagnosticMessage: "newrdn: one single-valued RDN")
            }
            newRDN = r
        }
        let node: DITNode
        switch write.target(dn) {
        case .refused(let r): return r
        case .found(let n): node = n
        }
        var superior: DITNode?
        if let raw = request.newSuperior {
            let parentDN: DistinguishedName
            switch write.parse(raw, "newSuperior") {
            case .failure(let r): return r
            case .success(let d): parentDN = d
            }
            switch write.target(parentDN) {
            case .refused(let r): return r
            case .found(let n): superior = n
            }
        }
        // The rootDSE is refused by `target`; a node found always has a leaf RDN, but the name
        // came from the wire, so it is checked rather than unwrapped.
        guard let pair = newRDN.attributes.first, let oldPair = dn.rdn?.attributes.first else {
            return LDAPResult(.unwillingToPerform, diagnosticMessage: "\(request.entry) cannot be renamed")
        }
        let renamed = pair.normalizedType != oldPair.normalizedType || pair.normalizedValue != oldPair.normalizedValue
        switch node {
        case .member(let account), .departedMember(let account):
            guard pair.normalizedType == "uid", pair.value.lowercased() == account.key else {
                return LDAPResult(.notAllowedOnRDN, diagnosticMessage: "uid: accounts are immutable (\(account) cannot become \(pair.value))")
            }
            guard let superior else {
                return renamed ? LDAPResult(.notAllowedOnRDN, diagnosticMessage: "uid: accounts are immutable") : LDAPResult(.success)
            }
            guard case .department(let target) = superior else {
                return LDAPResult(.namingViolation, diagnosticMessage: "newSuperior: members live under a department")
            }
            if case .departedMember = node { return write.execute(.reinstate(account, into: [target])) }
            let others = write.model.member(account.key)?.departments.dropFirst().filter { $0 != target } ?? []
            return write.execute(.setDepartments(account, [target] + others))
        case .department(let id):
            guard id != .root else {
                return LDAPResult(.unwillingToPerform, diagnosticMessage: "the naming context cannot be renamed over LDAP")
            }
            guard pair.normalizedType == "ou" else {
                return LDAPResult(.namingViolation, diagnosticMessage: "newrdn: a department is named ou=…")
            }
            if let superior {
                guard case .department(let parent) = superior else {
                    return LDAPResult(.namingViolation, diagnosticMessage: "newSuperior: a department lives under a department")
                }
                return write.execute(.moveDepartment(id, to: parent, rename: renamed ? pair.value : nil))
            }
            return renamed ? write.execute(.updateDepartment(id, DepartmentChanges(name: pair.value))) : LDAPResult(.success)
        case .group(let key):
            guard pair.normalizedType == "cn" else {
                return LDAPResult(.namingViolation, diagnosticMessage: "newrdn: a group is named cn=…")
            }
            if let superior, superior != .groupsContainer {
                return LDAPResult(.namingViolation, diagnosticMessage: "newSuperior: groups live under cn=groups")
            }
            return renamed ? write.execute(.updateGroup(key, newName: pair.value, description: nil)) : LDAPResult(.success)
        default:
            return LDAPResult(.unwillingToPerform, diagnosticMessage: "\(request.entry) cannot be renamed")
        }
    }
}
