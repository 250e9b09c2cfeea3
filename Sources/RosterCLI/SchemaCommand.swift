import ArgumentParser
import LDAPFrontend

/// `roster schema`: prints Roster's schema for OpenLDAP, from the definitions `cn=Subschema` uses.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print Roster's project schema for OpenLDAP (slapd.conf or cn=config format).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case schema, ldif
    }

    @Option(name: .long, help: "schema (slapd.conf include) or ldif (cn=config).")
    var format: Format = .schema

    func run() throws {
        print(format == .schema ? SchemaDefinitions.openLDAPSchema : SchemaDefinitions.openLDAPConfigLDIF, terminator: "")
    }
}
