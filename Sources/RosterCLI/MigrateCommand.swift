import ArgumentParser
import Directory
import Foundation
import PostgresStorage
import Storage

/// `roster migrate`: copies a directory, with its audit log, from one database to another
/// (SQLite to PostgreSQL, or back), then checks the copy: the same counts and the same content
/// hash on both sides.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the directory and its audit log from one database to another (a SQLite file or postgres://…).",
        discussion: """
            Stop the servers writing to --from first: changes made during the copy are not carried over. The target must be \
            empty (a new SQLite file, or a PostgreSQL database without a Roster directory) unless --force-overwrite.
            """)

    @Option(name: .long, help: "The database to copy from (a SQLite file, or postgres://USER@HOST:PORT/DB).")
    var from: String

    @Option(name: .long, help: "The database to copy to (postgres://USER@HOST:PORT/DB[?sslmode=require], or a new SQLite file).")
    var to: String

    @Option(name: .long, help: "A file holding the PostgreSQL password (default: PGPASSWORD).")
    var databasePasswordFile: String?

    @Flag(name: .long, help: "Replace the directory the target already holds (running nodes on it reload).")
    var forceOverwrite = false

    func run() throws {
        guard from != to else { throw CLIError("--from and --to name the same database") }
        let source = DatabaseOptions(database: from, passwordFile: databasePasswordFile)
        let stored = try cliErrors { try source.openStore().load() }
        let audit = try cliErrors { try source.openStore().audit(AuditQuery(limit: Int.max)) }
        let target = DatabaseOptions(database: to, passwordFile: databasePasswordFile)
        try cliErrors {
            if target.isPostgres {
                let location = try target.postgresLocation()
                if try PostgresStore.holdsDirectory(location), !forceOverwrite {
                    throw CLIError("\(location) already holds a Roster directory; --force-overwrite replaces it")
                }
                let store = try PostgresStore.create(location: location, baseDN: stored.baseDN, model: stored.model, replacing: forceOverwrite)
                try store.recordBinds(audit)
            } else {
                if FileManager.default.fileExists(atPath: to) {
                    guard forceOverwrite else { throw CLIError("\(to) already exists; --force-overwrite replaces it") }
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: to + suffix) }
                }
                let store = try SQLiteStore.create(path: to, baseDN: stored.baseDN, model: stored.model)
                try store.recordBinds(audit)
            }
        }
        // Read the copy back through a new connection and compare.
        let copied = try cliErrors { try target.openStore() }
        let reloaded = try cliErrors { try copied.load() }
        let copiedAudit = try cliErrors { try copied.audit(AuditQuery(limit: Int.max)).count }
        let before = Summary(stored.model, audit: audit.count), after = Summary(reloaded.model, audit: copiedAudit)
        let hash = ContentHash.of(stored.model), copiedHash = ContentHash.of(reloaded.model)
        guard before == after, hash == copiedHash, reloaded.baseDN == stored.baseDN else {
            throw CLIError("the copy differs: \(from) has \(before), content hash \(hash); \(to) has \(after), content hash \(copiedHash)")
        }
        print("copied \(before) from \(from) to \(target.isPostgres ? "\(try target.postgresLocation())" : to)")
        print("content hash \(hash) on both")
    }
}

/// What a directory holds, counted.
struct Summary: Equatable, CustomStringConvertible {
    var departments: Int
    var members: Int
    var groups: Int
    var administrators: Int
    var audit: Int

    init(_ model: DirectoryModel, audit: Int) {
        departments = model.departments.count
        members = model.memberCount
        groups = model.groups.count
        administrators = model.administrators.count
        self.audit = audit
    }

    var description: String {
        "\(departments) departments, \(members) members, \(groups) groups, \(administrators) administrators, \(audit) audit records"
    }
}

/// `roster status`: what a database holds and where its change log stands.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the database's kind, change-log sequence, counts and content hash.")

    @OptionGroup var db: DatabaseOptions

    func run() throws {
        let store = try db.openStore()
        let stored = try cliErrors { try store.load() }
        if let pg = store as? PostgresStore {
            print("store: postgresql \(pg.location)")
            print("schema version: \(try cliErrors { try pg.schemaVersion() })")
        } else {
            print("store: sqlite \(db.database)")
        }
        print("base: \(stored.baseDN)")
        print("sequence: \(stored.sequence)")
        print("holds: \(Summary(stored.model, audit: try cliErrors { try store.audit(AuditQuery(limit: Int.max)).count }))")
        print("content hash: \(ContentHash.of(stored.model))")
    }
}

/// Turns the stores' errors into the CLI's.
func cliErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as StorageError {
        throw CLIError(e.message)
    } catch let e as PostgresStoreError {
        throw CLIError(e.message)
    } catch let e as StoreError {
        throw CLIError(e.description)
    }
}
