import ArgumentParser
import Directory
import Foundation

/// `roster debug …`: tools for Roster's own tests, hidden from help.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Tools for Roster's own tests.", shouldDisplay: false,
        subcommands: [WriteStream.self])

    /// Writes commands one by one, printing `ack N` after each commit, until killed: the
    /// durability test kills it with SIGKILL and checks every acknowledged command is present.
    struct WriteStream: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "write-stream")
        @OptionGroup var db: DatabaseOptions
        @Option(name: .long) var count: Int = 1_000_000
        @Option(name: .long) var prefix: String = "w"

        func run() throws {
            let service = try db.open()
            let dept = try RosterCLI.run(service, .createDepartment(DepartmentDraft(name: "stream-\(prefix)", parent: .root)))
            let id = try resolve(dept.target, in: service.live.snapshot())
            try RosterCLI.run(service, .createGroup(name: "stream-\(prefix)", description: nil, members: []))
            for i in 0..<count {
                let account = "\(prefix)\(i)"
                try RosterCLI.run(
                    service,
                    .createMember(
                        account: account, fields: [.name: "流水\(i)", .email: "\(account)@stream.example.com"],
                        departments: [id], passwordHash: nil))
                // A command that touches two rows: the member and the group.
                try RosterCLI.run(service, .addGroupMembers("stream-\(prefix)", [try Account(parsing: account)]))
                FileHandle.standardOutput.write(Data("ack \(i)\n".utf8))
            }
        }
    }
}
