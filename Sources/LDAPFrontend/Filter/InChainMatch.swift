import Directory
import LDAPProtocol

/// `memberOf:1.2.840.113556.1.4.1941:=<DN>` (LDAP_MATCHING_RULE_IN_CHAIN) over the viewer's view
/// (DESIGN §4): a member matches a department when one of their departments that the viewer may
/// see lies in that department's subtree, and a group when they are in it. The DN asserted must
/// name an entry the viewer sees. For a viewer who may not read memberOf (a service account whose
/// attribute list lacks it) the item is Undefined, as for any invisible attribute.
enum InChainMatch {
    /// An evaluator that resolves in-chain memberOf for `visibility`'s viewer.
    /// - Parameters:
    ///   - dit: the tree mapping.
    ///   - visibility: what the requester sees (its model is the one searched).
    static func evaluator(dit: DIT, visibility: Visibility) -> FilterEvaluator {
        FilterEvaluator(inChain: { entry, dn in evaluate(entry, dn, dit: dit, visibility: visibility) })
    }

    /// The three-valued result of the in-chain item for one entry.
    static func evaluate(_ entry: Entry, _ dn: DistinguishedName, dit: DIT, visibility: Visibility) -> FilterResult {
        if let allow = visibility.attributeAllowList, !allow.contains("memberof") { return .undefined }
        let model = visibility.model
        guard let node = dit.resolve(dn, in: model).node, visibility.canSee(node) else { return .false }
        guard let entryDN = try? DistinguishedName(parsing: entry.dn),
            case .member(let account)? = dit.resolve(entryDN, in: model).node,
            let member = model.member(account.key), member.isActive, visibility.canSee(member: member)
        else { return .false }
        switch node {
        case .department(let id):
            // Every department on the way up from the member's to the one named must be visible.
            func visibleChain(from d: DepartmentID) -> Bool {
                var cursor: DepartmentID? = d
                while let c = cursor {
                    guard visibility.canSee(department: c) else { return false }
                    if c == id { return true }
                    cursor = model.department(c)?.parent
                }
                return false
            }
            return member.departments.contains(where: visibleChain) ? .true : .false
        case .group(let key):
            return model.group(key)?.members.contains(account) ?? false ? .true : .false
        default:
            return .false
        }
    }
}
