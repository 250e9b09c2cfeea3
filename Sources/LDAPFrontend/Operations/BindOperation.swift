import Directory
import LDAPProtocol
import Logging

/// Simple bind (RFC 4511 §4.2, RFC 4513 §5.1): by DN (members, admins, services), by bare account,
/// or by e-mail address (like Active Directory's UPN bind). Anonymous binds are allowed.
///
/// A bind is decided in two steps: ``decide(_:origin:)`` reads the request and finds whom it names
/// (cheap, on the event loop), then the domain's ``Authenticator`` checks the password — on the
/// loop only when that costs one digest of a short password (an `{SSHA}` imported from
/// OpenLDAP) and the client's address is not being throttled, otherwise on the verify pool.
/// Every refusal (unknown name, wrong password, locked, departed) gets the same answer, after
/// the same time.
struct BindOperation {
    let frontend: Frontend

    static let invalid = LDAPResult(.invalidCredentials, diagnosticMessage: "invalid credentials")

    /// What a bind request leads to.
    enum Decision {
        /// Answered without a password check (anonymous, SASL, a wrong version, a bad name, an
        /// empty password).
        case answered(BindResponse, BoundIdentity?)
        /// The password must be checked.
        case verify(Verification)
    }

    /// A password check to run, and what it grants.
    struct Verification: Sendable {
        let frontend: Frontend
        let check: Authenticator.Check
        let password: [UInt8]
        /// The identity a success grants.
        let identity: BoundIdentity?

        /// Whether the check may run where it stands (one digest, no throttle wait).
        var isCheap: Bool { check.isCheap(password) }

        /// Seconds to wait before running it (the address's throttle).
        var wait: Double { check.wait }

        /// Tries the cheap check where it stands: the answer on success, nil when it failed (then
        /// ``run()`` must run off the loop: the refusal costs and waits what every refusal does).
        func runCheap() -> (BindResponse, BoundIdentity?)? {
            guard check.runCheap(password) != nil, let identity else { return nil }
            frontend.logger.info("bind", metadata: ["dn": "\(identity.dn)"])
            return (BindResponse(LDAPResult(.success)), identity)
        }

        /// Checks the password; returns the answer and the time before which it must not be sent.
        func run() -> (BindResponse, BoundIdentity?, ContinuousClock.Instant?) {
            let result = check.run(password)
            guard result.account != nil, let identity else {
                frontend.logger.info("bind failed", metadata: ["name": "\(check.name.prefix(256))"])
                return (BindResponse(BindOperation.invalid), nil, result.notBefore)
            }
            frontend.logger.info("bind", metadata: ["dn": "\(identity.dn)"])
            return (BindResponse(LDAPResult(.success)), identity, nil)
        }
    }

    /// Reads a bind request and finds whom it names.
    func decide(_ request: BindRequest, origin: Authenticator.Origin = Authenticator.Origin(address: "?", source: "ldap")) -> Decision {
        guard request.version == 3 else {
            return .answered(BindResponse(LDAPResult(.protocolError, diagnosticMessage: "only LDAP version 3 is supported")), nil)
        }
        let password: [UInt8]
        switch request.authentication {
        case .sasl(let mechanism, _):
            return .answered(
                BindResponse(LDAPResult(.authMethodNotSupported, diagnosticMessage: "SASL mechanism \(mechanism.prefix(64)) is not supported")), nil)
        case .simple(let p): password = p
        }
        if request.name.isEmpty {
            guard password.isEmpty else {
                return .answered(BindResponse(LDAPResult(.unwillingToPerform, diagnosticMessage: "a password without a name")), nil)
            }
            return .answered(BindResponse(LDAPResult(.success)), .anonymous)
        }
        // A name that is not UTF-8 or holds NUL, or a DN that does not parse, names no one.
        let dn: DistinguishedName?
        if request.name.unicodeScalars.contains(where: { $0 == "\u{0}" || $0 == "\u{FFFD}" }) {
            return .answered(BindResponse(LDAPResult(.invalidDNSyntax, diagnosticMessage: "name: \(DIT.bindNameSyntaxError(request.name) ?? "not a DN")")), nil)
        } else if request.name.utf8.contains(UInt8(ascii: "=")) {
            do {
                dn = try DistinguishedName(parsing: request.name)
            } catch {
                return .answered(BindResponse(LDAPResult(.invalidDNSyntax, diagnosticMessage: "name: \(error.reason)")), nil)
            }
        } else {
            dn = nil
        }
        guard !password.isEmpty else {
            // RFC 4513 §5.1.2: an unauthenticated bind never authenticates.
            return .answered(
                BindResponse(LDAPResult(.unwillingToPerform, diagnosticMessage: "unauthenticated bind (DN with no password) disallowed")), nil)
        }
        let model = frontend.directory.snapshot()
        let found = principal(request.name, dn, in: model)
        let check = frontend.authenticator.prepare(name: request.name, principal: found?.principal, origin: origin)
        if check.wait > 0 {
            frontend.logger.info("bind throttled", metadata: ["address": "\(origin.address)", "wait": "\(check.wait)"])
        }
        if check.throttled {
            frontend.logger.warning("bind throttled: too many binds queued from one address", metadata: ["address": "\(origin.address)"])
            return .answered(BindResponse(LDAPResult(.busy, diagnosticMessage: Authenticator.busyAnswer)), nil)
        }
        return .verify(Verification(frontend: frontend, check: check, password: password, identity: found?.identity))
    }

    /// The whole bind, password check included (on the calling thread; tests and benchmarks).
    func bind(_ request: BindRequest) -> (BindResponse, BoundIdentity?) {
        switch decide(request) {
        case .answered(let response, let identity): return (response, identity)
        case .verify(let verification):
            let (response, identity, _) = verification.run()
            return (response, identity)
        }
    }

    /// The account a bind name designates, with the identity a success grants. Departed members
    /// and accounts without a password are found (their refusal is decided, and recorded, like
    /// any other).
    private func principal(
        _ name: String, _ dn: DistinguishedName?, in model: DirectoryModel
    ) -> (principal: Authenticator.Principal, identity: BoundIdentity)? {
        let dit = frontend.dit
        func member(_ m: Member?) -> (principal: Authenticator.Principal, identity: BoundIdentity)? {
            guard let m else { return nil }
            return (
                Authenticator.Principal(account: .member(m.account), hash: m.passwordHash, active: m.isActive, security: m.security),
                BoundIdentity(viewer: .member(m.account), dn: dit.memberDNString(m, in: model))
            )
        }
        func admin(_ a: Administrator?, _ node: DITNode) -> (principal: Authenticator.Principal, identity: BoundIdentity)? {
            guard let a else { return nil }
            var superAdmin = false
            if case .superAdmin = a.role { superAdmin = true }
            return (
                Authenticator.Principal(
                    account: .administrator(a.key), hash: a.passwordHash, security: a.security, lockable: !superAdmin,
                    boundMember: a.boundMember),
                BoundIdentity(viewer: .administrator(a.key), dn: dit.dn(of: node, in: model).description)
            )
        }
        guard let dn else {
            return member(name.utf8.contains(UInt8(ascii: "@")) ? model.member(email: name) ?? model.member(name) : model.member(name))
        }
        // A member's DN, the common case, straight from its account; anything else through the tree.
        if let m = dit.activeMember(named: dn, in: model) { return member(m) }
        guard let node = dit.resolve(dn, in: model).node else { return nil }
        switch node {
        case .member(let account): return member(model.member(account.key))
        case .superAdmin: return admin(model.administrator("admin"), node)
        case .subAdmin(let key), .service(let key): return admin(model.administrator(key), node)
        default: return nil
        }
    }
}
