import Directory
import LDAPProtocol

/// Password Modify (RFC 3062): the request value parsed by ``PasswordModifyRequest``; yourself
/// (with the current password when you give it), or an admin in scope for someone else.
struct PasswordModifyOperation {
    let write: WriteSupport

    func modify(_ value: [UInt8]?) -> ExtendedResponse {
        let request: PasswordModifyRequest
        do {
            request = try PasswordModifyRequest(requestValue: value)
        } catch {
            return ExtendedResponse(LDAPResult(.protocolError, diagnosticMessage: "password modify: malformed request value"))
        }
        var identity: String?
        if let raw = request.userIdentity {
            guard let text = String(validating: raw, as: UTF8.self) else {
                return ExtendedResponse(LDAPResult(.invalidDNSyntax, diagnosticMessage: "userIdentity: not UTF-8"))
            }
            identity = text
        }
        let old = request.oldPassword
        let new = request.newPassword
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
            return changePassword(node, new, currentPasswordVerified: true)
        }
        return changePassword(node, new)
    }

    private func changePassword(_ node: DITNode, _ new: [UInt8]?, currentPasswordVerified: Bool = false) -> ExtendedResponse {
        var generated: String?
        let password: [UInt8]
        if let new {
            // RFC 3062: an absent newPasswd asks for a generated one; an empty one is no password.
            guard !new.isEmpty else {
                return ExtendedResponse(LDAPResult(.constraintViolation, diagnosticMessage: "newPasswd: an empty password is not allowed"))
            }
            password = new
        } else {
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            var rng = SystemRandomNumberGenerator()
            let fresh = String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            generated = fresh
            password = Array(fresh.utf8)
        }
        let hash: String
        switch write.passwordHash(password, owner: write.passwordOwner(node)) {
        case .failure(let r): return ExtendedResponse(r)
        case .success(let h): hash = h
        }
        let result: LDAPResult
        switch node {
        case .member(let a): result = write.execute(.setPassword(a, hash: hash), currentPasswordVerified: currentPasswordVerified)
        case .superAdmin: result = write.execute(.setAdministratorPassword("admin", hash: hash))
        case .subAdmin(let k), .service(let k): result = write.execute(.setAdministratorPassword(k, hash: hash))
        default: return ExtendedResponse(LDAPResult(.unwillingToPerform, diagnosticMessage: "this entry has no password"))
        }
        guard result.resultCode == .success, let generated else { return ExtendedResponse(result) }
        return ExtendedResponse(result, value: PasswordModifyResponse(generatedPassword: Array(generated.utf8)).responseValue)
    }
}
