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
    /// When set, ``execute(_:)`` records the command here instead of running it (a plan made
    /// under the write lock hands its command to the writer).
    var capture: CommandCapture?

    /// The command a plan made.
    final class CommandCapture {
        var command: DirectoryCommand?
    }

    /// Who writes, as the session knows it: turned into a ``WriteSupport`` over a model when the
    /// write runs (off the event loop), so the model is the one current then.
    struct Context: Sendable {
        let frontend: Frontend
        let identity: BoundIdentity
        let peer: String

        /// Support over the directory as it is now.
        func support() -> WriteSupport { WriteSupport(frontend: frontend, identity: identity, peer: peer) }

        /// Support over a given model (the one current under the write lock).
        func support(model: DirectoryModel) -> WriteSupport {
            WriteSupport(frontend: frontend, identity: identity, peer: peer, model: model)
        }
    }

    init(frontend: Frontend, identity: BoundIdentity, peer: String, model: DirectoryModel? = nil) {
        self.frontend = frontend
        self.identity = identity
        self.peer = peer
        self.model = model ?? frontend.directory.snapshot()
        self.visibility = frontend.visibility(identity, self.model)
    }

    /// The actor's rights, as the domain decides them for this identity (on this model).
    var role: ActorRole { model.role(of: identity.viewer) }

    /// The command context: the domain derives the rights from the viewer against the model the
    /// command is applied to, under the write lock.
    var context: CommandContext {
        CommandContext(actor: identity.dn.isEmpty ? "anonymous" : identity.dn, source: "ldap \(peer)", viewer: identity.viewer)
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

    /// Runs a command and maps the outcome (or, planning under the write lock, records it).
    /// - Parameter currentPasswordVerified: the actor proved their current password (a member
    ///   changing their own).
    func execute(_ command: DirectoryCommand, currentPasswordVerified: Bool = false) -> LDAPResult {
        if let capture {
            capture.command = command
            return LDAPResult(.success)
        }
        guard let writer = frontend.writer else {
            return LDAPResult(.unwillingToPerform, diagnosticMessage: "this server is read-only")
        }
        var context = self.context
        context.currentPasswordVerified = currentPasswordVerified
        do {
            try writer.execute(command, by: context)
            return LDAPResult(.success)
        } catch let e as DirectoryError {
            return result(for: e)
        } catch let e as StoreError {
            return result(for: e)
        } catch {
            frontend.logger.error("write failed", metadata: ["error": "\(error)"])
            return LDAPResult(.other, diagnosticMessage: "the write could not be stored")
        }
    }

    /// Plans a write over the model as it is when the write lock is held, and runs the command
    /// the plan makes, in one step: no other write can come between what the plan read and what
    /// the command changes.
    /// - Parameter plan: resolves the target and turns the request into a command (through
    ///   ``execute(_:)``), or answers with a result and no command.
    ///   - currentPasswordVerified: the actor proved their current password (checked before the
    ///     lock is taken).
    func execute(planning plan: (WriteSupport) -> LDAPResult, currentPasswordVerified: Bool = false) -> LDAPResult {
        guard let writer = frontend.writer else {
            return LDAPResult(.unwillingToPerform, diagnosticMessage: "this server is read-only")
        }
        var answer: LDAPResult?
        let frontend = self.frontend, identity = self.identity, peer = self.peer
        var context = self.context
        context.currentPasswordVerified = currentPasswordVerified
        do {
            try writer.execute(by: context) { (model: DirectoryModel) throws(DirectoryError) -> DirectoryCommand in
                var support = WriteSupport(frontend: frontend, identity: identity, peer: peer, model: model)
                let capture = CommandCapture()
                support.capture = capture
                let result = plan(support)
                if result.resultCode == .success, let command = capture.command { return command }
                answer = result
                // Nothing to write: leave the transaction without a change.
                throw DirectoryError(.constraintViolation, "nothing to write")
            }
            return LDAPResult(.success)
        } catch let e as DirectoryError {
            return answer ?? result(for: e)
        } catch let e as StoreError {
            return answer ?? result(for: e)
        } catch {
            if let answer { return answer }
            frontend.logger.error("write failed", metadata: ["error": "\(error)"])
            return LDAPResult(.other, diagnosticMessage: "the write could not be stored")
        }
    }

    /// Maps a failure of the store: `busy` (51) when another writer held the database too long.
    func result(for e: StoreError) -> LDAPResult {
        // The technical cause (the database's address, the driver's error) is the operator's.
        if let detail = e.detail { frontend.logger.warning("write refused: \(e.message)", metadata: ["cause": "\(detail)"]) }
        switch e.code {
        case .busy: return LDAPResult(.busy, diagnosticMessage: "\(e.message); try again")
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
        case .notFound where e.field == .department:
            // The frontend found the department when it read the request; the store, when it
            // committed, no longer had it: another writer (another node, the CLI) deleted it in
            // between. LDAP calls that a missing entry, not a broken constraint, and the
            // department's internal id means nothing to the client.
            code = .noSuchObject
            message = "department: it no longer exists (deleted by another writer meanwhile)"
        case .notFound: code = .constraintViolation
        case .constraintViolation: code = .constraintViolation
        case .notEmpty: code = .notAllowedOnNonLeaf
        case .forbidden: code = .insufficientAccessRights
        case .invalidCredentials: code = .invalidCredentials
        case .currentPasswordRequired: code = .constraintViolation
        }
        return LDAPResult(code, diagnosticMessage: message)
    }

    // MARK: - Values

    /// Hashes a userPassword value; an OpenLDAP `{SCHEME}` hash from an administrator is kept.
    /// - Parameters:
    ///   - raw: the value as sent.
    ///   - owner: whose password it is: what a plain password must not contain.
    func passwordHash(_ raw: [UInt8], owner: PasswordOwner? = nil) -> Result<String, LDAPResult> {
        guard let value = String(validating: raw, as: UTF8.self) else {
            return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "userPassword: not UTF-8"))
        }
        // A `{SCHEME}` value is a hash from another directory: only administrators set one, and
        // the hasher must accept its scheme and parameters.
        if value.hasPrefix("{"), value.contains("}") {
            switch role {
            case .superAdmin, .subAdmin: break
            case .member, .readOnly:
                return .failure(
                    LDAPResult(.insufficientAccessRights, diagnosticMessage: "userPassword: only administrators set a pre-hashed password"))
            }
            do {
                try frontend.hasher.validate(storedHash: value)
            } catch {
                return .failure(LDAPResult(.invalidAttributeSyntax, diagnosticMessage: "userPassword: \(error.message.replacingOccurrences(of: "password: ", with: ""))"))
            }
            return .success(value)
        }
        do {
            try PasswordRules.check(value, policy: model.passwordPolicy, owner: owner)
        } catch {
            return .failure(LDAPResult(.constraintViolation, diagnosticMessage: "userPassword: \(error.message.replacingOccurrences(of: "password: ", with: ""))"))
        }
        return .success(frontend.hasher.hash(value))
    }

    /// What the password of the entry at `node` must not contain.
    func passwordOwner(_ node: DITNode) -> PasswordOwner? {
        switch node {
        case .member(let a): model.member(a.key).map { model.passwordOwner($0) }
        case .subAdmin(let k), .service(let k): PasswordOwner(account: model.administrator(k)?.name ?? k)
        case .superAdmin: PasswordOwner(account: "admin")
        default: nil
        }
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
