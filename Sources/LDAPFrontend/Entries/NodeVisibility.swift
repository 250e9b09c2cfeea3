import Directory
import LDAPProtocol

// MARK: - Which nodes of the tree a viewer sees

extension Visibility {
    /// Whether the viewer may see a node of the tree (visibility decided by the domain): an entry
    /// it may not see does not exist for it, on every operation.
    func canSee(_ node: DITNode) -> Bool {
        switch node {
        case .rootDSE, .subschema: return true
        case .groupsContainer, .group: return canSeeGroups
        case .department(let id): return canSee(department: id)
        case .member(let account), .departedMember(let account):
            guard let m = model.member(account.key) else { return false }
            return canSee(node, member: m)
        case .departedContainer, .adminsContainer, .subAdmin, .servicesContainer, .service, .superAdmin:
            return canSeeSystemEntries
        }
    }

    /// Whether the viewer may see a member's node, the member already found (`m` is the
    /// model's member of the node's account).
    func canSee(_ node: DITNode, member m: Member) -> Bool {
        if case .departedMember = node, !canSeeSystemEntries { return false }
        if case .member = node, !m.isActive { return false }
        return canSee(member: m)
    }
}

extension DIT {
    /// The matchedDN of a name error (RFC 4511 §4.1.9): the deepest entry on the way that the
    /// viewer may see, so that the answer for an entry hidden from them is the answer for one
    /// that never existed (DESIGN §4).
    /// - Parameters:
    ///   - matched: the deepest existing node on the way (``Resolution/matched``).
    ///   - visibility: what the requester sees.
    func matchedDN(_ matched: DITNode?, _ visibility: Visibility) -> String {
        guard visibility.readsDirectory else { return "" }
        var cursor = matched
        while let node = cursor, !visibility.canSee(node) { cursor = parent(of: node, in: visibility.model) }
        guard let node = cursor, node != .rootDSE else { return "" }
        return dn(of: node, in: visibility.model).description
    }

    /// Why a bind name cannot name anyone, if it cannot: a name that was not UTF-8 or holds NUL
    /// (both never name an entry, see ``BERReader/readLDAPDN(_:)``), or a DN that does not parse.
    /// Bare accounts and e-mail addresses (no `=`) are names too.
    static func bindNameSyntaxError(_ name: String) -> String? {
        if name.unicodeScalars.contains(where: { $0 == "\u{0}" }) { return "the name must not contain NUL" }
        if name.unicodeScalars.contains(where: { $0 == "\u{FFFD}" }) { return "the name is not valid UTF-8" }
        guard name.contains("=") else { return nil }
        do {
            _ = try DistinguishedName(parsing: name)
            return nil
        } catch {
            return error.reason
        }
    }
}
