import BER
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

/// Password Modify (RFC 3062).
///
/// ```
/// PasswdModifyRequestValue ::= SEQUENCE {
///   userIdentity    [0]  OCTET STRING OPTIONAL
///   oldPasswd       [1]  OCTET STRING OPTIONAL
///   newPasswd       [2]  OCTET STRING OPTIONAL }
/// PasswdModifyResponseValue ::= SEQUENCE {
///   genPasswd       [0]     OCTET STRING OPTIONAL }
/// ```
struct PasswordModifyOperation {
    let write: WriteSupport

    func modify(_ value: [UInt8]?) -> ExtendedResponse {
        var identity: String?
        var old: [UInt8]?
        var new: [UInt8]?
        if let value {
            do {
                var top = BERReader(value[...])
                var r = try top.readConstructed(.sequence)
                try top.finish()
                identity = try r.readIfPresent(.context(0, constructed: false)).map { String(decoding: $0.content, as: UTF8.self) }
                old = try r.readIfPresent(.context(1, constructed: false)).map { Array($0.content) }
                new = try r.readIfPresent(.context(2, constructed: false)).map { Array($0.content) }
                try r.finish()
            } catch {
                return ExtendedResponse(LDAPResult(.protocolError, diagnosticMessage: "password modify: malformed request value"))
            }
        }
        // Whose password: the named entry, or the bound identity.
        let node: DITNode
        if let identity, !identity.isEmpty {
            var name = identity
            if name.lowercased().hasPrefix("dn:") { name = String(name.dropFirst(3)) }
            if name.lowercased().hasPrefix("u:") {
                guard let m = write.model.member(String(name.dropFirst(2))) else {
                    return ExtendedResponse(WriteSupport.insufficient)
                }
                name = write.frontend.dit.memberDN(m, in: write.model).description
            }
            guard let dn = try? DistinguishedName(parsing: name) else {
                return ExtendedResponse(LDAPResult(.invalidDNSyntax, diagnosticMessage: "userIdentity: not a DN"))
            }
            switch write.target(dn, allowSelf: true) {
            case .refused(let r): return ExtendedResponse(r)
            case .found(let n): node = n
            }
        } else {
            guard !write.identity.dn.isEmpty, let dn = try? DistinguishedName(parsing: write.identity.dn),
                let n = write.frontend.dit.resolve(dn, in: write.model).node
            else {
                return ExtendedResponse(LDAPResult(.unwillingToPerform, diagnosticMessage: "password modify: bind first, or name the user"))
            }
            node = n
        }
        // Changing one's own password: the bind proved who they are; an old password given must match.
        let isSelf: Bool = {
            switch (node, write.identity.viewer) {
            case (.member(let a), .member(let me)): return a == me
            case (.superAdmin, .administrator(let k)): return k == "admin"
            case (.subAdmin(let key), .administrator(let k)), (.service(let key), .administrator(let k)): return key == k
            default: return false
            }
        }()
        let currentHash: String? = {
            switch node {
            case .member(let a): return write.model.member(a.key)?.passwordHash
            case .superAdmin: return write.model.administrator("admin")?.passwordHash
            case .subAdmin(let k), .service(let k): return write.model.administrator(k)?.passwordHash
            default: return nil
            }
        }()
        if isSelf {
            guard let old, !old.isEmpty else { return changePassword(node, new) }
            guard let currentHash, write.frontend.hasher.verify(old, against: currentHash) else {
                return ExtendedResponse(LDAPResult(.invalidCredentials, diagnosticMessage: "oldPasswd: does not match"))
            }
        }
        return changePassword(node, new)
    }

    private func changePassword(_ node: DITNode, _ new: [UInt8]?) -> ExtendedResponse {
        var generated: String?
        let password: [UInt8]
        if let new, !new.isEmpty {
            password = new
        } else {
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            var rng = SystemRandomNumberGenerator()
            generated = String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            password = Array(generated!.utf8)
        }
        let hash: String
        switch write.passwordHash(password) {
        case .failure(let r): return ExtendedResponse(r)
        case .success(let h): hash = h
        }
        let result: LDAPResult
        switch node {
        case .member(let a): result = write.execute(.setPassword(a, hash: hash))
        case .superAdmin: result = write.execute(.setAdministratorPassword("admin", hash: hash))
        case .subAdmin(let k), .service(let k): result = write.execute(.setAdministratorPassword(k, hash: hash))
        default: return ExtendedResponse(LDAPResult(.unwillingToPerform, diagnosticMessage: "this entry has no password"))
        }
        guard result.resultCode == .success, let generated else { return ExtendedResponse(result) }
        var s = BERSerializer()
        s.appendConstructed(.sequence) { s in s.append(string: generated, .context(0, constructed: false)) }
        return ExtendedResponse(result, value: s.bytes)
    }
}
