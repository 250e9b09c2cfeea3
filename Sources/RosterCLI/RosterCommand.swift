public import ArgumentParser

/// The `roster` command line.
public struct RosterCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Roster: an LDAP directory server for an organisation's contact directory (通讯录).",
        version: "0.1.0",
        subcommands: [
            Init.self, Serve.self, DepartmentCommand.self, MemberCommand.self, GroupCommand.self, AdminCommand.self,
            ServiceCommand.self, PolicyCommand.self, AuditCommand.self, TemplateCommand.self, ImportCommand.self, ExportCommand.self,
            ReconcileCommand.self, SchemaCommand.self, CertCommand.self, MigrateCommand.self, StatusCommand.self, DebugCommand.self,
        ]
    )

    public init() {}
}
