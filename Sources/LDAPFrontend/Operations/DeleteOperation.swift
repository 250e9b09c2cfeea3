import Directory
import LDAPProtocol

/// Delete (RFC 4511 §4.8): an active member departs, a departed one is erased, an empty
/// department or a group is deleted.
struct DeleteOperation {
    let write: WriteSupport

    func delete(_ rawDN: String) -> LDAPResult {
        let dn: DistinguishedName
        switch write.parse(rawDN, "entry") {
        case .failure(let r): return r
        case .success(let d): dn = d
        }
        switch write.target(dn) {
        case .refused(let r): return r
        case .found(let node):
            switch node {
            case .member(let a): return write.execute(.depart(a))
            case .departedMember(let a): return write.execute(.erase(a))
            case .department(let id):
                guard id != .root else {
                    return LDAPResult(.unwillingToPerform, diagnosticMessage: "the organisation itself cannot be deleted")
                }
                return write.execute(.deleteDepartment(id))
            case .group(let key): return write.execute(.deleteGroup(key))
            case .subAdmin(let key), .service(let key): return write.execute(.removeAdministrator(key))
            default:
                return LDAPResult(.unwillingToPerform, diagnosticMessage: "\(rawDN) cannot be deleted")
            }
        }
    }
}
