import Directory
import Foundation
import LDAPProtocol

/// What every write operation shares: who is writing (their role in the domain), the target's
/// resolution under their visibility, running the command, and mapping domain errors to LDAP.
struct WriteSupport {
    let frontend: Frontend
    let identity: BoundIdentity
    let peer: String
    let model: DirectoryModel
    let visibility: Visibility

    init(frontend: Frontend, identity: BoundIdentity, peer: String) {
        self.frontend = frontend
        self.identity = identity
        self.peer = peer
        self.model = frontend.directory.snapshot()
        self.visibility = frontend.visibility(identity, model)
    }

    /// The actor's rights in the domain.
    var role: ActorRole {
        switch identity.viewer {
        case .anonymous: return .readOnly
        case .member(let account): return .member(account)
        case .administrator(let key):
            switch model.administrator(key)?.role {
            case .superAdmin?: return .superAdmin
            case .subAdmin(let scopes)?: return .subAdmin(scopes)
            default: return .readOnly
            }
        }
    }

    var context: CommandContext {
        var actorAdmin: String?
        if case .administrator(let key) = identity.viewer { actorAdmin = key }
        return CommandContext(
            actor: identity.dn.isEmpty ? "anonymous" : identity.dn, source: "ldap \(peer)", role: role,
            actorAdministrator: actorAdmin)
    }

    static let insufficient = LDAPResult(.insufficientAccessRights, diagnosticMessage: "insufficient access")

    /// Resolves a DN the actor writes to: `found`, or `refused` with the answer to give.
    enum Target {
        case found(DITNode)
        case refused(LDAPResult)
    }

    func parse(_ dn: String, _ field: String) -> Result<DistinguishedName, LDAPResult> {
        do {
            return .success(try DistinguishedName(parsing: dn))
        } catch {
            return .failure(LDAPResult(.invalidDNSyntax, diagnosticMessage: "\(field): \(error.reason)"))
        }
    }

    /// The node `dn` names, if the actor may write there.
    ///
    /// An entry the actor cannot see answers noSuchObject with the matchedDN a DN that never
    /// existed gets (DESIGN §4), for every role; an entry they see but may not change answers
    /// insufficientAccessRights. Which changes an administrator may make in which subtree is the
    /// domain's decision, taken when the command runs. The rootDSE and the subschema are never
    /// written.
    /// - Parameters:
    ///   - dn: the entry written to (or the parent of one added).
    ///   - allowSelf: whether a member may target their own entry.
    func target(_ dn: DistinguishedName, allowSelf: Bool = false) -> Target {
        let dit = frontend.dit
        let resolution = dit.resolve(dn, in: model)
        guard let node = resolution.node, visibility.readsDirectory, visibility.canSee(node) else {
            return .refused(LDAPResult(.noSuchObject, matchedDN: dit.matchedDN(resolution.matched, visibility)))
        }
        switch node {
        case .rootDSE, .subschema:
            return .refused(
                LDAPResult(.unwillingToPerform, diagnosticMessage: "the rootDSE and the subschema cannot be changed"))
        default:
            break
        }
        switch role {
        case .readOnly:
            return .refused(Self.insufficient)
        case .member(let me):
            guard allowSelf, case .member(let a) = node, a == me else { return .refused(Self.insufficient) }
            return .found(node)
        case .subAdmin, .superAdmin:
            return .found(node)
        }
    }

    /// Runs a command and maps the outcome.
    func execute(_ command: DirectoryCommand) -> LDAPResult {
        guard let writer = frontend.writer else {
            return LDAPResult(.unwillingToPerform, diagnosticMessage: "this server is read-only")
        }
        do {
            try writer.execute(command, by: context)
            return LDAPResult(.success)
        } catch let e as DirectoryError {
            return result(for: e)
        } catch {
            frontend.logger.error("write failed", metadata: ["error": "\(error)"])
            return LDAPResult(.other, diagnosticMessage: "the write could not be stored")
        }
    }

    /// Maps a broken rule to its LDAP result code; names another member only to those who see them.
    func result(for e: DirectoryError) -> LDAPResult {
        var message = e.message
        // The other member is named only to a requester who sees them and the field in conflict.
        if let conflict = e.conflict {
            let named = model.member(conflict.account.key).map { other in
                visibility.canSee(member: other) && (e.field.map { visibility.canSee(field: $0, of: other) } ?? true)
            }
            if named != true { message = conflict.anonymousMessage }
        }
        let code: ResultCode
        switch e.code {
        case .invalidValue: code = e.field == .account ? .namingViolation : .invalidAttributeSyntax
        case .alreadyExists:
            code = (e.field == .account || e.field == .department || e.field == nil) ? .entryAlreadyExists : .constraintViolation
        case .notFound: code = .constraintViolation
        case .constraintViolation: code = .constraintViolation
        case .notEmpty: code = .notAllowedOnNonLeaf
        case .forbidden: code = .insufficientAccessRights
        case .invalidCredentials: code = .invalidCredentials
        }
        return LDAPResult(code, diagnosticMessage: message)
    }

    // MARK: - Values

    /// Hashes a userPassword value; an OpenLDAP `{SCHEME}` hash from an administrator is kept.
    func passwordHash(_ raw: [UInt8]) -> Result<String, LDAPResult> {
        guard let value = String(validating: raw, as: UTF8.self) else {
            return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "userPassword: not UTF-8"))
        }
        let schemes = ["{SSHA}", "{SSHA256}", "{SSHA512}", "{SHA}", "{PBKDF2}", "{PBKDF2-SHA1}", "{PBKDF2-SHA256}", "{PBKDF2-SHA512}"]
        if schemes.contains(where: { value.uppercased().hasPrefix($0) }) {
            guard case .superAdmin = role else {
                if case .subAdmin = role { return .success(value) }
                return .failure(LDAPResult(.insufficientAccessRights, diagnosticMessage: "userPassword: only administrators set a pre-hashed password"))
            }
            return .success(value)
        }
        guard value.count >= 6 else {
            return .failure(LDAPResult(.constraintViolation, diagnosticMessage: "userPassword: at least 6 characters are required"))
        }
        return .success(frontend.hasher.hash(value))
    }

    /// The account a member DN names, for group members and leaders.
    func memberAccount(_ raw: [UInt8], _ attribute: String) -> Result<Account, LDAPResult> {
        guard let text = String(validating: raw, as: UTF8.self), let dn = try? DistinguishedName(parsing: text) else {
            return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "\(attribute): not a DN"))
        }
        guard let node = frontend.dit.resolve(dn, in: model).node, case .member(let account) = node,
            let m = model.member(account.key), visibility.canSee(member: m)
        else {
            return .failure(LDAPResult(.constraintViolation, diagnosticMessage: "\(attribute): \(text) is not a member of this directory"))
        }
        return .success(account)
    }

    /// The member field an attribute carries, for the one vocabulary (DESIGN §2).
    static func memberField(_ type: AttributeType) -> MemberField? {
        switch type.key {
        case "cn", "displayname": return .name
        case "telephonenumber": return .phone
        case "userpassword": return .password
        default:
            return MemberField.allCases.first {
                $0 != .department && $0 != .phone2 && $0 != .account && $0.ldapAttribute.lowercased() == type.key
            }
        }
    }

    /// Attributes derived from others or from the entry's place, accepted and ignored on add.
    static let derived: Set<String> = ["sn", "givenname", "ou", "departmentnumber", "rosterstatus", "rosterpinyin", "rosterpinyininitials"]

    static func string(_ raw: [UInt8], _ attribute: String) -> Result<String, LDAPResult> {
        guard let s = String(validating: raw, as: UTF8.self) else {
            return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "\(attribute): not UTF-8"))
        }
        return .success(s)
    }
}
