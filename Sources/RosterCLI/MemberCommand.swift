public import ArgumentParser
public import Directory
import Foundation

/// The member fields as CLI flags: the one vocabulary of DESIGN §2.
struct MemberFieldOptions: ParsableArguments {
    @Option(name: .long, help: "姓名") var name: String?
    @Option(name: .long, help: "昵称") var nickname: String?
    @Option(name: .long, help: "性别: 男, 女 or 未知") var gender: String?
    @Option(name: .long, help: "微信号") var wechat: String?
    @Option(name: .long, help: "手机 (kept exactly as written)") var mobile: String?
    @Option(name: .long, help: "邮箱") var email: String?
    @Option(name: .long, help: "电话") var phone: String?
    @Option(name: .long, help: "电话2") var phone2: String?
    @Option(name: .long, help: "地址") var address: String?
    @Option(name: .long, help: "QQ号码") var qq: String?
    @Option(name: .long, help: "职位") var title: String?
    @Option(name: .long, help: "阳历生日 YYYY-MM-DD") var birthday: String?
    @Option(name: .long, help: "农历生日 MM-DD") var lunarBirthday: String?
    @Option(name: .long, help: "生日提醒: solar or lunar") var birthdayReminder: String?
    @Option(name: .long, help: "入职时间 YYYY-MM-DD") var hireDate: String?
    @Option(name: .long, help: "备注") var remarks: String?
    @Option(name: .long, help: "关注状态: 未关注, 已关注 or 已取消关注") var followStatus: String?
    @Option(name: .long, help: "置顶 (yes/no)") var pinned: String?
    @Option(name: .long, help: "Hidden from other members (yes/no)") var hidden: String?

    var values: [MemberField: String] {
        var out: [MemberField: String] = [:]
        let pairs: [(MemberField, String?)] = [
            (.name, name), (.nickname, nickname), (.gender, gender), (.wechat, wechat), (.mobile, mobile),
            (.email, email), (.phone, phone), (.phone2, phone2), (.address, address), (.qq, qq), (.title, title),
            (.birthday, birthday), (.lunarBirthday, lunarBirthday), (.birthdayReminder, birthdayReminder),
            (.hireDate, hireDate), (.remarks, remarks), (.followStatus, followStatus), (.pinned, pinned),
            (.hidden, hidden),
        ]
        for case (let f, let v?) in pairs { out[f] = v }
        return out
    }
}

extension MemberField: ExpressibleByArgument {}

/// `roster member …`.
struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Create, change, move, depart, reinstate, erase and list members.",
        subcommands: [Add.self, SetCommand.self, Move.self, Depart.self, Reinstate.self, Erase.self, Password.self, Unlock.self, Show.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a member.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "账号: letters, digits and _ - . @, starting with a letter or digit.") var account: String
        @OptionGroup var fields: MemberFieldOptions
        @Option(name: .long, help: "A department path (repeatable; the first is the primary).") var department: [String] = []
        @Option(name: .long, help: "A file holding the first password ('-' for standard input), or an OpenLDAP {SCHEME} hash.") var passwordFile: String?

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            let ids = try department.map { try resolve($0, in: model) }
            let owner = PasswordOwner(
                account: account, pinyin: PinyinName(fields.values[.name] ?? "").compact, mobile: fields.values[.mobile],
                name: fields.values[.name])
            let hash = try passwordFile.map { try storedPassword(fromFile: $0, policy: model.passwordPolicy, owner: owner) }
            let record = try RosterCLI.run(
                service, .createMember(account: account, fields: fields.values, departments: ids, passwordHash: hash))
            print("created member \(record.target)")
        }
    }

    struct SetCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a member's fields.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String
        @OptionGroup var fields: MemberFieldOptions
        @Option(name: .long, help: "A field to clear (repeatable).") var clear: [MemberField] = []
        @Option(name: .customLong("account"), help: "Accounts are immutable; giving another one is refused.") var newAccount: String?

        func run() throws {
            let service = try db.open()
            var changes: [MemberField: String?] = [:]
            for (f, v) in fields.values { changes[f] = .some(v) }
            for f in clear { changes[f] = .some(nil) }
            if let newAccount { changes[.account] = .some(newAccount) }
            guard !changes.isEmpty else { throw CLIError("member set: give at least one field to change") }
            let record = try RosterCLI.run(service, .updateMember(try RosterCLI.account(account), fields: changes))
            print("updated member \(record.target)")
        }
    }

    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a member's departments (the first is the primary).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String
        @Option(name: .long, help: "A department path (repeatable).") var department: [String]

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            let ids = try department.map { try resolve($0, in: model) }
            let record = try RosterCLI.run(service, .setDepartments(try RosterCLI.account(account), ids))
            print("moved member \(record.target) to \(record.after["department"] ?? "")")
        }
    }

    struct Depart: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Departure (离职): keep the data, hide the member, forbid binds.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .depart(try RosterCLI.account(account)))
            print("member \(record.target) departed (from \(record.before["department"] ?? ""))")
        }
    }

    struct Reinstate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reinstatement (复职): into the previous or the given departments.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String
        @Option(name: .long, help: "A department path (repeatable; default: the previous departments).") var department: [String] = []

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            let ids = try department.map { try resolve($0, in: model) }
            let record = try RosterCLI.run(service, .reinstate(try RosterCLI.account(account), into: ids.isEmpty ? nil : ids))
            print("member \(record.target) reinstated into \(record.after["department"] ?? "")")
        }
    }

    struct Erase: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Erase a departed member for good (irreversible).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String

        func run() throws {
            let service = try db.open()
            let record = try RosterCLI.run(service, .erase(try RosterCLI.account(account)))
            print("member \(record.target) erased")
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a member's password.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String
        @Option(name: .long, help: "A file holding the password ('-' for standard input), or an OpenLDAP {SCHEME} hash.") var passwordFile: String

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            guard let m = model.member(account) else { throw CLIError("account: \(account) does not exist") }
            let hash = try storedPassword(fromFile: passwordFile, policy: model.passwordPolicy, owner: model.passwordOwner(m))
            let record = try RosterCLI.run(service, .setPassword(m.account, hash: hash))
            print("password of \(record.target) set")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a member's fields.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            guard let m = model.member(account) else { throw CLIError("account: \(account) does not exist") }
            print("account: \(m.account)")
            for f in MemberField.allCases where f != .account {
                if let v = m.value(of: f) { print("\(f.rawValue): \(v)") }
            }
            print("department: " + m.departments.map { model.pathString(of: $0) }.joined(separator: ";"))
            switch m.status {
            case .active: print("status: active")
            case .departed(let at, let by, let previous):
                print("status: departed \(ISO8601DateFormatter().string(from: at)) by \(by)")
                print("previous-department: " + previous.map { model.pathString(of: $0) }.joined(separator: ";"))
            }
            let groups = model.groups(of: m.account).map(\.name)
            if !groups.isEmpty { print("groups: " + groups.joined(separator: ", ")) }
            print("password: \(m.passwordHash == nil ? "not set" : "set")")
            let iso = ISO8601DateFormatter()
            if let changed = m.security.passwordChangedAt { print("password-changed: \(iso.string(from: changed))") }
            if m.security.isLocked(at: Date()), let until = m.security.lockedUntil {
                print("locked: until \(iso.string(from: until))" + (m.security.lockedAt.map { " (since \(iso.string(from: $0)))" } ?? ""))
            } else {
                print("locked: no")
            }
            let failures = try recentBindFailures(service, account: m.account.value)
            print("failed-binds: \(failures.count)" + (failures.last.map { " (last \(iso.string(from: $0)))" } ?? ""))
            let notices = try service.audit(AuditQuery(account: m.account.value, kind: .bind, limit: 5, newestFirst: true))
                .filter { $0.action == "admin.login" && $0.target.lowercased() == m.account.key }
            for n in notices {
                print("admin-login: \(iso.string(from: n.time)) \(n.after["administrator"] ?? n.actor) from \(n.after["address"] ?? n.source)")
            }
        }
    }

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift the lock that repeated failed binds put on a member (a running server sees it within a second).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The member's account.") var account: String

        func run() throws {
            let service = try db.open()
            guard let m = service.live.snapshot().member(account) else { throw CLIError("account: \(account) does not exist") }
            let record = try RosterCLI.run(service, .lockAccount(.member(m.account), until: nil))
            print("unlocked member \(record.target)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List members (tab-separated: account, name, departments).")
        @OptionGroup var db: DatabaseOptions
        @Option(name: .long, help: "Only this department's subtree.") var department: String?
        @Flag(name: .long, help: "List departed members instead.") var departed = false

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            if departed {
                for m in model.departedMembers { print("\(m.account)\t\(m.name)\tdeparted") }
                return
            }
            let top = try resolve(department ?? "/", in: model)
            var seen = Swift.Set<String>()
            for d in model.subtree(of: top) {
                for m in model.members(in: d) where seen.insert(m.account.key).inserted {
                    print("\(m.account)\t\(m.name)\t" + m.departments.map { model.pathString(of: $0) }.joined(separator: ";"))
                }
            }
        }
    }
}

/// The failed binds of an account an administrator should know of: the audit log's
/// `bind.failure` records (wrong password) of the last 15 minutes, since its last successful bind,
/// unlock or password change, oldest first. (Binds are recorded in batches, a fraction of a second
/// after they happen, so records are taken in time order, not in the order they were written.)
func recentBindFailures(_ service: DirectoryService, account: String, window: Double = 900) throws -> [Date] {
    try service.recentBindFailures(account: account, window: window)
}
