import ArgumentParser
import Directory
import Foundation
import PostgresStorage
import Storage

/// `roster init`: creates a database with an empty organisation and its super admin.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a directory database with its super admin (cn=admin,<base>).")

    @Option(name: .long, help: "The database file to create, or an empty PostgreSQL database (postgres://USER@HOST:PORT/DB).")
    var database: String = "./roster.sqlite"

    @Option(name: .long, help: "A file holding the PostgreSQL password (default: PGPASSWORD).")
    var databasePasswordFile: String?

    @Option(name: .long, help: "The base DN; its entry is the organisation itself.")
    var base: String = "dc=example,dc=com"

    @Option(name: .long, help: "The organisation's name (default: taken from the base DN).")
    var organization: String?

    @Option(name: .long, help: "A file holding the super admin's password ('-' for standard input).")
    var adminPasswordFile: String

    func run() throws {
        let password = try readPassword(adminPasswordFile)
        guard base.contains("=") else { throw CLIError("--base: \(base) is not a DN such as dc=example,dc=com") }
        let name = organization ?? base.split(separator: ",").compactMap { $0.split(separator: "=").last.map(String.init) }
            .joined(separator: ".")
        do {
            if PostgresLocation.isPostgresURL(database) {
                let location = try DatabaseOptions.postgresLocation(database, passwordFile: databasePasswordFile)
                var model = DirectoryModel(organization: name)
                model.put(Administrator(name: "admin", role: .superAdmin, passwordHash: passwordHasher.hash(password)))
                try PostgresStore.create(location: location, baseDN: base, model: model)
                print("created \(location): base \(base), organisation \(name), super admin cn=admin,\(base)")
                return
            }
            _ = try SQLiteStore.create(
                path: database, baseDN: base, organization: name, adminPasswordHash: passwordHasher.hash(password))
        } catch let e as StorageError {
            throw CLIError(e.message)
        } catch let e as PostgresStoreError {
            throw CLIError(e.message)
        } catch let e as StoreError {
            throw CLIError(e.message)
        }
        print("created \(database): base \(base), organisation \(name), super admin cn=admin,\(base)")
    }
}
