import Directory
import LDAPProtocol
import Logging

/// Simple bind (RFC 4511 §4.2, RFC 4513 §5.1): by DN (members, admins, services), by bare account,
/// or by e-mail address (like Active Directory's UPN bind). Anonymous binds are allowed.
///
/// A bind is decided in two steps: ``decide(_:)`` reads the request and finds whom it names (cheap,
/// on the event loop), then ``Verification/run()`` checks the password — on the loop only when
/// that costs one digest of a short password (an `{SSHA}` imported from OpenLDAP), otherwise on
/// the compute pool (PBKDF2, and the decoy check that makes an unknown name cost what a wrong
/// password costs).
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
        let name: String
        let password: [UInt8]
        /// Whom the name designates, with their stored hash (nil: nobody — the decoy is checked).
        let principal: (identity: BoundIdentity, hash: String)?

        /// Whether the check costs about one digest: run it where it stands.
        var isCheap: Bool {
            guard let principal else { return false }
            return frontend.hasher.isCheapToVerify(password, against: principal.hash)
        }

        /// Checks the password; a wrong password and an unknown name get the same answer.
        func run() -> (BindResponse, BoundIdentity?) {
            let ok = frontend.hasher.verify(password, against: principal?.hash ?? frontend.decoyHash)
            guard ok, let principal else {
                frontend.logger.info("bind failed", metadata: ["name": "\(name)"])
                return (BindResponse(BindOperation.invalid), nil)
            }
            frontend.logger.info("bind", metadata: ["dn": "\(principal.identity.dn)"])
            return (BindResponse(LDAPResult(.success)), principal.identity)
        }
    }

    /// Reads a bind request and finds whom it names.
    func decide(_ request: BindRequest) -> Decision {
        guard request.version == 3 else {
            return .answered(BindResponse(LDAPResult(.protocolError, diagnosticMessage: "only LDAP version 3 is supported")), nil)
        }
        let password: [UInt8]
        switch request.authentication {
        case .sasl(let mechanism, _):
            return .answered(
                BindResponse(LDAPResult(.authMethodNotSupported, diagnosticMessage: "SASL mechanism \(mechanism) is not supported")), nil)
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
        } else if request.name.contains("=") {
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
        return .verify(
            Verification(frontend: frontend, name: request.name, password: password, principal: principal(request.name, dn, in: model)))
    }

    /// The whole bind, password check included (on the calling thread).
    func bind(_ request: BindRequest) -> (BindResponse, BoundIdentity?) {
        switch decide(request) {
        case .answered(let response, let identity): return (response, identity)
        case .verify(let verification): return verification.run()
        }
    }

    /// The identity and stored hash a bind name designates; departed members and entries without
    /// a password designate nothing.
    private func principal(_ name: String, _ dn: DistinguishedName?, in model: DirectoryModel) -> (identity: BoundIdentity, hash: String)? {
        let dit = frontend.dit
        func member(_ m: Member?) -> (identity: BoundIdentity, hash: String)? {
            guard let m, m.isActive, let hash = m.passwordHash else { return nil }
            return (BoundIdentity(viewer: .member(m.account), dn: dit.memberDNString(m, in: model)), hash)
        }
        guard let dn else {
            return member(name.contains("@") ? model.member(email: name) ?? model.member(name) : model.member(name))
        }
        guard let node = dit.resolve(dn, in: model).node else { return nil }
        switch node {
        case .member(let account):
            return member(model.member(account.key))
        case .superAdmin:
            guard let a = model.administrator("admin"), let hash = a.passwordHash else { return nil }
            return (BoundIdentity(viewer: .administrator(a.key), dn: dit.dn(of: node, in: model).description), hash)
        case .subAdmin(let key), .service(let key):
            guard let a = model.administrator(key), let hash = a.passwordHash else { return nil }
            return (BoundIdentity(viewer: .administrator(a.key), dn: dit.dn(of: node, in: model).description), hash)
        default:
            return nil
        }
    }
}
