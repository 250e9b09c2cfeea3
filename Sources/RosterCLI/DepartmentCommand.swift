import ArgumentParser
import Directory

/// `roster department …`.
struct DepartmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "department", abstract: "Create, change, move, delete and list departments.",
        subcommands: [Add.self, SetCommand.self, Move.self, Remove.self, List.self])

    struct Settings: ParsableArguments {
        @Option(name: .long, help: "Visibility scope: all, department, subdepartment or inherit.")
        var scope: VisibilityScope?
        @Option(name: .long, help: "Sort order (smaller first).")
        var order: Int?
        @Flag(inversion: .prefixedNo, help: "Hide the department from members outside it (--no-hidden shows it again).")
        var hidden: Bool?
        @Option(name: .long, help: "A leader's account (repeatable; replaces the leaders).")
        var leader: [String] = []
        @Option(name: .long, help: "A description.")
        var description: String?
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a department: PATH is 营销中心->大客户部.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The new department's path.") var path: String
        @OptionGroup var settings: Settings
        @Flag(name: .long, help: "Create missing parent departments too.") var parents = false

        func run() throws {
            let service = try db.open()
            var names = pathComponents(path)
            guard let name = names.popLast() else { throw CLIError("department: the organisation itself exists already") }
            var leaf = DepartmentDraft(
                name: name, parent: .root, order: settings.order ?? 0, scope: settings.scope ?? .inherit,
                hidden: settings.hidden ?? false,
                leaders: try settings.leader.map(account), description: settings.description)
            let record: AuditRecord
            if parents {
                // One command: the missing levels and the new department are created all or nothing.
                record = try RosterCLI.run(service, .createDepartmentPath(parents: names, leaf: leaf))
            } else {
                let model = service.live.snapshot()
                var parent = DepartmentID.root
                for (i, n) in names.enumerated() {
                    guard let d = model.child(of: parent, named: n) else {
                        throw CLIError("department: \(names.prefix(i + 1).joined(separator: "->")) does not exist (use --parents to create it)")
                    }
                    parent = d.id
                }
                leaf.parent = parent
                record = try RosterCLI.run(service, .createDepartment(leaf))
            }
            print("created department \(record.target)")
        }
    }

    struct SetCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a department's name, order, scope, leaders or hidden flag.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The department's path.") var path: String
        @Option(name: .long, help: "A new name (renames the department).") var name: String?
        @OptionGroup var settings: Settings
        @Flag(name: .long, help: "Remove all leaders.") var noLeaders = false

        func run() throws {
            let service = try db.open()
            let id = try resolve(path, in: service.live.snapshot())
            var changes = DepartmentChanges(name: name, order: settings.order, scope: settings.scope)
            changes.hidden = settings.hidden
            if !settings.leader.isEmpty { changes.leaders = try settings.leader.map(account) }
            if noLeaders { changes.leaders = [] }
            if let d = settings.description { changes.description = .some(d.isEmpty ? nil : d) }
            let record = try RosterCLI.run(service, .updateDepartment(id, changes))
            print("updated department \(record.target)")
        }
    }

    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a department (with its subtree) under another.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The department's path.") var path: String
        @Option(name: .long, help: "The new parent's path ('/' for the top level).") var to: String

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            let id = try resolve(path, in: model)
            let parent = try resolve(to, in: model)
            let record = try RosterCLI.run(service, .moveDepartment(id, to: parent))
            print("moved department to \(record.target)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete an empty department.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The department's path.") var path: String

        func run() throws {
            let service = try db.open()
            let id = try resolve(path, in: service.live.snapshot())
            let record = try RosterCLI.run(service, .deleteDepartment(id))
            print("deleted department \(record.target)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the department tree with member counts.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The subtree to print (default: all).") var path: String = "/"

        func run() throws {
            let service = try db.open()
            let model = service.live.snapshot()
            let top = try resolve(path, in: model)
            let base = model.depth(of: top)
            for id in model.subtree(of: top) {
                guard let d = model.department(id) else { continue }
                var flags: [String] = []
                if d.scope != .inherit { flags.append(d.scope.rawValue) }
                if d.hidden { flags.append("hidden") }
                if !d.leaders.isEmpty { flags.append("leaders: " + d.leaders.map(\.value).joined(separator: ",")) }
                let indent = String(repeating: "  ", count: model.depth(of: id) - base)
                let counts = "\(model.members(in: id).count)/\(model.subtreeMemberCount(of: id))"
                print("\(indent)\(id == .root ? model.organization : d.name) [\(counts)]\(flags.isEmpty ? "" : " (" + flags.joined(separator: "; ") + ")")")
            }
        }
    }
}
