import Directory
import LDAPProtocol
import Logging

/// Simple bind (RFC 4511 §4.2, RFC 4513 §5.1): by DN (members, admins, services), by bare account,
/// or by e-mail address (like Active Directory's UPN bind). Anonymous binds are allowed.
struct BindOperation {
    let frontend: Frontend

    static let invalid = LDAPResult(.invalidCredentials, diagnosticMessage: "invalid credentials")

    /// The answer to a bind that needs no password check (anonymous, SASL, a wrong version, an
    /// empty password), or nil when the password must be verified — which is costly and runs off
    /// the event loop through ``bind(_:)``.
    func immediate(_ request: BindRequest) -> (BindResponse, BoundIdentity?)? {
        guard request.version == 3 else {
            return (BindResponse(LDAPResult(.protocolError, diagnosticMessage: "only LDAP version 3 is supported")), nil)
        }
        let password: [UInt8]
        switch request.authentication {
        case .sasl(let mechanism, _):
            return (
                BindResponse(
                    LDAPResult(.authMethodNotSupported, diagnosticMessage: "SASL mechanism \(mechanism) is not supported")),
                nil
            )
        case .simple(let p): password = p
        }
        if let reason = DIT.bindNameSyntaxError(request.name) {
            return (BindResponse(LDAPResult(.invalidDNSyntax, diagnosticMessage: "name: \(reason)")), nil)
        }
        if request.name.isEmpty {
            guard password.isEmpty else {
                return (BindResponse(LDAPResult(.unwillingToPerform, diagnosticMessage: "a password without a name")), nil)
            }
            return (BindResponse(LDAPResult(.success)), .anonymous)
        }
        guard !password.isEmpty else {
            // RFC 4513 §5.1.2: an unauthenticated bind never authenticates.
            return (
                BindResponse(LDAPResult(.unwillingToPerform, diagnosticMessage: "unauthenticated bind (DN with no password) disallowed")),
                nil
            )
        }
        return nil
    }

    /// Whether the password check of a bind `immediate(_:)` did not answer is cheap enough to
    /// run on the event loop: the name designates someone whose stored hash costs one digest
    /// (an `{SSHA}` imported from OpenLDAP) and the password is short. Unknown names, whose
    /// decoy check is a full PBKDF2, and every key-stretching scheme go off the loop.
    func isCheap(_ request: BindRequest) -> Bool {
        guard case .simple(let password) = request.authentication else { return false }
        let (_, hash) = principal(named: request.name, in: frontend.directory.snapshot())
        guard let hash else { return false }
        return frontend.hasher.isCheapToVerify(password, against: hash)
    }

    /// The whole bind, password check included.
    func bind(_ request: BindRequest) -> (BindResponse, BoundIdentity?) {
        if let answer = immediate(request) { return answer }
        guard case .simple(let password) = request.authentication else { return (BindResponse(Self.invalid), nil) }
        let model = frontend.directory.snapshot()
        let (identity, hash) = principal(named: request.name, in: model)
        let ok = frontend.hasher.verify(password, against: hash ?? frontend.decoyHash)
        guard ok, let identity, hash != nil else {
            frontend.logger.info("bind failed", metadata: ["name": "\(request.name)"])
            return (BindResponse(Self.invalid), nil)
        }
        frontend.logger.info("bind", metadata: ["dn": "\(identity.dn)"])
        return (BindResponse(LDAPResult(.success)), identity)
    }

    /// The identity and stored hash a bind name designates; departed members designate nothing.
    private func principal(named name: String, in model: DirectoryModel) -> (BoundIdentity?, String?) {
        let dit = frontend.dit
        if !name.contains("=") {
            let member = name.contains("@") ? model.member(email: name) ?? model.member(name) : model.member(name)
            guard let m = member, m.isActive else { return (nil, nil) }
            return (BoundIdentity(viewer: .member(m.account), dn: dit.memberDN(m, in: model).description), m.passwordHash)
        }
        guard let dn = try? DistinguishedName(parsing: name), let node = dit.resolve(dn, in: model).node else {
            return (nil, nil)
        }
        switch node {
        case .member(let account):
            guard let m = model.member(account.key), m.isActive else { return (nil, nil) }
            return (BoundIdentity(viewer: .member(m.account), dn: dit.memberDN(m, in: model).description), m.passwordHash)
        case .superAdmin:
            guard let a = model.administrator("admin") else { return (nil, nil) }
            return (BoundIdentity(viewer: .administrator(a.key), dn: dit.dn(of: node, in: model).description), a.passwordHash)
        case .subAdmin(let key), .service(let key):
            guard let a = model.administrator(key) else { return (nil, nil) }
            return (BoundIdentity(viewer: .administrator(a.key), dn: dit.dn(of: node, in: model).description), a.passwordHash)
        default:
            return (nil, nil)
        }
    }
}
