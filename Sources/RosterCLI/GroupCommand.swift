public import ArgumentParser
import Foundation
import Directory

/// `roster group …`.
struct GroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Public groups (公共群组).",
        subcommands: [Add.self, Remove.self, AddMember.self, RemoveMember.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The group's name.") var name: String
        @Option(name: .long, help: "What the group is for.") var description: String?
        @Option(name: .long, help: "A member's account (repeatable).") var member: [String] = []

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .createGroup(name: name, description: description, members: try member.map(account)))
            print("created group \(record.target)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a group.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The group's name.") var name: String

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .deleteGroup(name))
            print("deleted group \(record.target)")
        }
    }

    struct AddMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add members to a group.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The group's name.") var name: String
        @Argument(help: "Accounts.") var accounts: [String]

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .addGroupMembers(name, try accounts.map(account)))
            print("group \(record.target): \(record.after["members"] ?? "")")
        }
    }

    struct RemoveMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-member", abstract: "Remove members from a group.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The group's name.") var name: String
        @Argument(help: "Accounts.") var accounts: [String]

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .removeGroupMembers(name, try accounts.map(account)))
            print("group \(record.target): \(record.after["members"] ?? "")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups and their members.")
        @OptionGroup var db: DatabaseOptions

        func run() throws {
            let model = try db.open().live.snapshot()
            for g in model.groups.values.sorted(by: { $0.key < $1.key }) {
                print("\(g.name)\t" + g.members.map(\.value).joined(separator: ","))
            }
        }
    }
}

/// `roster admin …`: sub-admins (分管理员).
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Sub-admins who administer department subtrees.",
        subcommands: [Add.self, SetCommand.self, RemoveScope.self, Unlock.self, Remove.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a sub-admin (cn=NAME,cn=admins,<base>).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The admin's name.") var name: String
        @Option(name: .long, help: "A file holding the password ('-' for standard input), or an OpenLDAP {SCHEME} hash.") var passwordFile: String
        @Option(name: .long, help: "A department subtree the admin administers (repeatable).") var scope: [String]
        @Option(name: .long, help: "A member this admin's logins are recorded against.") var member: String?

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            let scopes = try scope.map { try resolve($0, in: model) }
            let admin = Administrator(
                name: name, role: .subAdmin(scopes: scopes), passwordHash: try storedPassword(fromFile: passwordFile, policy: service.live.snapshot().passwordPolicy, owner: PasswordOwner(account: name)),
                boundMember: try member.map(account))
            let record = try RosterCLI.run(service, .putAdministrator(admin))
            print("admin \(record.target) administers \(record.after["scope"] ?? "")")
        }
    }

    struct SetCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change a sub-admin: replace its scopes, its password or its member.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The admin's name.") var name: String
        @Option(name: .long, help: "A department subtree the admin administers (repeatable; replaces the scopes).")
        var scope: [String] = []
        @Option(name: .long, help: "A file holding a new password ('-' for standard input), or an OpenLDAP {SCHEME} hash.")
        var passwordFile: String?
        @Option(name: .long, help: "A member this admin's logins are recorded against.") var member: String?

        func run() throws {
            let service = try db.open()
            let scopes = try scope.map { try resolve($0, in: service.live.snapshot()) }
            let hash = try passwordFile.map { try storedPassword(fromFile: $0, policy: service.live.snapshot().passwordPolicy, owner: PasswordOwner(account: name)) }
            let bound = try member.map(account)
            let record = try RosterCLI.run(service) { model throws(DirectoryError) in
                guard var admin = model.administrator(name), case .subAdmin(let old) = admin.role else {
                    throw DirectoryError(.notFound, "admin: no sub-admin named \(name)")
                }
                admin.role = .subAdmin(scopes: scopes.isEmpty ? old : scopes)
                if let hash { admin.passwordHash = hash }
                if let bound { admin.boundMember = bound }
                return .putAdministrator(admin)
            }
            print("admin \(record.target) administers \(record.after["scope"] ?? "")")
        }
    }

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift the lock that repeated failed binds put on a sub-admin or service account.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The account's name.") var name: String

        func run() throws {
            let service = try db.open()
            guard let a = service.live.snapshot().administrator(name) else { throw CLIError("admin: \(name) does not exist") }
            let record = try RosterCLI.run(service, .lockAccount(.administrator(a.key), until: nil))
            print("unlocked \(record.target)")
        }
    }

    struct RemoveScope: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-scope", abstract: "Remove one department subtree from a sub-admin's scopes.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The admin's name.") var name: String
        @Argument(help: "The scope, as `admin list` prints it (a path, or `(deleted department 7)`).") var path: String

        func run() throws {
            let record = try removeScope(try db.open(), name, path, service: false)
            print("admin \(record.target) administers \(record.after["scope"] ?? "")")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a sub-admin.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The admin's name.") var name: String

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .removeAdministrator(name))
            print("removed \(record.target)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List administrators and service accounts.")
        @OptionGroup var db: DatabaseOptions

        func run() throws {
            let model = try db.open().live.snapshot()
            for a in model.administrators.values.sorted(by: { $0.key < $1.key }) {
                var line = "\(a.name)\t\(a.role.kind)"
                switch a.role {
                case .subAdmin(let s): line += "\t" + s.map { model.pathString(of: $0) }.joined(separator: ";")
                case .service(let s, let attrs):
                    line += "\t" + (s.isEmpty ? "/" : s.map { model.pathString(of: $0) }.joined(separator: ";"))
                    if let attrs { line += "\t" + attrs.joined(separator: ",") }
                case .superAdmin: break
                }
                print(line)
            }
        }
    }
}

/// `roster service …`: read-only service accounts.
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "Read-only service accounts for tools such as GitLab.",
        subcommands: [Add.self, RemoveScope.self, Remove.self])

    struct RemoveScope: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-scope", abstract: "Remove one department subtree from a service account's scopes.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The service's name.") var name: String
        @Argument(help: "The scope, as `admin list` prints it (a path, or `(deleted department 7)`).") var path: String

        func run() throws {
            let record = try removeScope(try db.open(), name, path, service: true)
            print("service \(record.target) reads \(record.after["scope"] ?? "")")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a service account (cn=NAME,cn=services,<base>).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The service's name.") var name: String
        @Option(name: .long, help: "A file holding the password ('-' for standard input), or an OpenLDAP {SCHEME} hash.") var passwordFile: String
        @Option(name: .long, help: "A department subtree it may read (repeatable; default: everything).") var scope: [String] = []
        @Option(name: .long, help: "The only attributes it may read, comma-separated.") var attributes: String?

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            let scopes = try scope.map { try resolve($0, in: model) }
            let attrs = attributes.map { $0.split(separator: ",").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty } }
            let admin = Administrator(
                name: name, role: .service(scopes: scopes, attributes: attrs),
                passwordHash: try storedPassword(fromFile: passwordFile, policy: service.live.snapshot().passwordPolicy, owner: PasswordOwner(account: name)))
            let record = try RosterCLI.run(service, .putAdministrator(admin))
            print("service \(record.target) reads \(record.after["scope"].flatMap { $0.isEmpty ? nil : $0 } ?? "everything")")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a service account.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The service's name.") var name: String

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .removeAdministrator(name))
            print("removed \(record.target)")
        }
    }
}

/// `roster policy …`: 成员属性设置.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Which member fields others see and members may edit; the password rules.",
        subcommands: [Field.self, PasswordPolicyCommand.self, Show.self])

    struct PasswordPolicyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "password", abstract: "Set the rules new passwords must meet (print them without options).")
        @OptionGroup var db: DatabaseOptions
        @Option(name: .long, help: "The fewest characters (6 to 256; default 8).") var minLength: Int?
        @Option(name: .long, help: "How many of lower-case, upper-case, digits, other characters (1 to 4; default 2).") var classes: Int?
        @Option(name: .long, help: "Refuse passwords containing the account, the name's pinyin or the mobile (yes/no; default yes).")
        var refusePersonalData: String?

        func run() throws {
            let service = try db.open()
            var policy = service.live.snapshot().passwordPolicy
            if minLength != nil || classes != nil || refusePersonalData != nil {
                if let minLength { policy.minimumLength = minLength }
                if let classes { policy.requiredClasses = classes }
                if let refusePersonalData { policy.refusePersonalData = try parseYesNo(refusePersonalData, "--refuse-personal-data") }
                try RosterCLI.run(service, .setPasswordPolicy(policy))
            }
            print("min-length: \(policy.minimumLength)")
            print("classes: \(policy.requiredClasses)")
            print("refuse-personal-data: \(policy.refusePersonalData ? "yes" : "no")")
        }
    }

    struct Field: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set one field's policy.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The field (mobile, email, wechat, …).") var field: MemberField
        @Option(name: .long, help: "Whether other members see it (yes/no).") var shown: String?
        @Option(name: .long, help: "Whether members may change it on their own entry (yes/no).") var selfEditable: String?

        func run() throws {
            let service = try db.open()
            var rule = service.live.snapshot().fieldPolicy.rule(field)
            if let shown { rule.shown = try parseYesNo(shown, "--shown") }
            if let selfEditable { rule.selfEditable = try parseYesNo(selfEditable, "--self-editable") }
            let record = try RosterCLI.run(service, .setFieldPolicy(field, rule))
            print("\(record.target): shown \(record.after["shown"] ?? ""), self-editable \(record.after["selfEditable"] ?? "")")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the field policy.")
        @OptionGroup var db: DatabaseOptions

        func run() throws {
            let policy = try db.open().live.snapshot().fieldPolicy
            print("field\tshown\tself-editable")
            for f in MemberField.allCases {
                let r = policy.rule(f)
                print("\(f.rawValue)\t\(r.shown ? "yes" : "no")\t\(r.selfEditable ? "yes" : "no")")
            }
        }
    }
}

/// `roster audit`: the durable record of every write.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "List the audit log of writes and binds, oldest first.")
    @OptionGroup var db: DatabaseOptions
    @Option(name: .long, help: "Only records from this date or time on (YYYY-MM-DD or ISO 8601).") var since: String?
    @Option(name: .long, help: "At most this many records.") var limit: Int = 1000
    @Option(name: .long, help: "Only records about this account or administrator, or issued by it.") var account: String?
    @Option(name: .long, help: "Only binds (bind, bind.failure, admin.login) or only writes: bind or write.") var kind: AuditQuery.Kind?

    func run() throws {
        let service = try db.open()
        var sinceTime: Double?
        if let since {
            let iso = ISO8601DateFormatter()
            if let d = iso.date(from: since) ?? iso.date(from: since + "T00:00:00Z") {
                sinceTime = d.timeIntervalSince1970
            } else {
                throw CLIError("--since: \(since) is not a date (YYYY-MM-DD) or an ISO 8601 time")
            }
        }
        let iso = ISO8601DateFormatter()
        for r in try service.audit(AuditQuery(since: sinceTime, account: account, kind: kind, limit: limit)) {
            var line = "\(iso.string(from: r.time))\t\(r.actor)\t\(r.source)\t\(r.action)\t\(r.target)"
            let changed = Swift.Set(r.before.keys).union(r.after.keys).sorted().filter { r.before[$0] != r.after[$0] }
            if !changed.isEmpty {
                line += "\t" + changed.map { "\($0): \(r.before[$0] ?? "∅") → \(r.after[$0] ?? "∅")" }.joined(separator: "; ")
            }
            print(line)
        }
    }
}

/// Removes one scope from a sub-admin or a service account, decided on the directory as it is
/// under the write lock. `path` is matched against the scopes as `admin list` prints them, so a
/// scope naming a deleted department can be removed too.
private func removeScope(_ service: DirectoryService, _ name: String, _ path: String, service isService: Bool) throws -> AuditRecord {
    let wanted = pathComponents(path).map { $0.lowercased() }
    let text = path.trimmingWhitespace
    return try RosterCLI.run(service) { model throws(DirectoryError) in
        let kind = isService ? "service" : "admin"
        guard var admin = model.administrator(name) else { throw DirectoryError(.notFound, "\(kind): \(name) does not exist") }
        let scopes: [DepartmentID]
        switch admin.role {
        case .subAdmin(let s) where !isService: scopes = s
        case .service(let s, _) where isService: scopes = s
        default: throw DirectoryError(.notFound, "\(kind): \(name) is not a \(isService ? "service account" : "sub-admin")")
        }
        let matches: (DepartmentID) -> Bool = { id in
            model.pathString(of: id) == text
                || (model.department(id) != nil && model.pathNames(of: id).map { $0.lowercased() } == wanted)
        }
        guard scopes.contains(where: matches) else {
            throw DirectoryError(.notFound, "\(kind): \(text) is not a scope of \(admin.name)")
        }
        let kept = scopes.filter { !matches($0) }
        guard !kept.isEmpty else {
            throw DirectoryError(
                .constraintViolation,
                isService
                    ? "service: without a scope \(admin.name) would read the whole directory; give it another scope first or remove it"
                    : "admin: \(text) is the only scope of \(admin.name); remove the admin instead (roster admin rm \(admin.name))")
        }
        switch admin.role {
        case .service(_, let attributes): admin.role = .service(scopes: kept, attributes: attributes)
        default: admin.role = .subAdmin(scopes: kept)
        }
        return .putAdministrator(admin)
    }
}

extension AuditQuery.Kind: ExpressibleByArgument {}
