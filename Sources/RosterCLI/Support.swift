public import ArgumentParser
public import Directory
import Foundation
import PasswordHashing
import PostgresStorage
import Storage

/// Options every command that opens the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The directory database: a SQLite file, or postgres://USER@HOST:PORT/DB[?sslmode=require].")
    var database: String = "./roster.sqlite"

    @Option(name: .long, help: "A file holding the PostgreSQL password (default: the PGPASSWORD environment variable).")
    var databasePasswordFile: String?

    init() {}

    init(database: String, passwordFile: String? = nil) {
        self.database = database
        self.databasePasswordFile = passwordFile
    }

    /// Whether the database is PostgreSQL.
    var isPostgres: Bool { PostgresLocation.isPostgresURL(database) }

    /// The PostgreSQL database `--database` names, with its password.
    func postgresLocation() throws -> PostgresLocation {
        try Self.postgresLocation(database, passwordFile: databasePasswordFile)
    }

    /// A PostgreSQL URL with the password from `passwordFile` or `PGPASSWORD`.
    static func postgresLocation(_ url: String, passwordFile: String?) throws -> PostgresLocation {
        let password = try passwordFile.map { try readPasswordFile($0) } ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        do {
            return try PostgresLocation(parsing: url, password: password)
        } catch let e as PostgresStoreError {
            throw CLIError(e.message)
        }
    }

    /// Opens the store: PostgreSQL for a postgres:// URL (writes wait at most `lockTimeout`
    /// seconds for another node's write lock; default 5), else a SQLite file.
    func openStore(lockTimeout: TimeInterval? = nil) throws -> any DirectoryStore {
        try cliErrors {
            if isPostgres {
                return try PostgresStore(location: try postgresLocation(), lockTimeout: lockTimeout ?? PostgresStore.defaultLockTimeout)
            }
            guard FileManager.default.fileExists(atPath: database) else {
                throw CLIError(
                    "\(database) does not exist; create it with `roster init --database \(database) --base dc=example,dc=com --admin-password-file FILE` (or try `roster serve --demo`)")
            }
            return try SQLiteStore(path: database)
        }
    }

    /// Opens the store and loads the directory.
    func open(lockTimeout: TimeInterval? = nil) throws -> DirectoryService {
        let store = try openStore(lockTimeout: lockTimeout)
        do {
            return try DirectoryService(store: store)
        } catch let e as StorageError {
            throw CLIError(e.message)
        } catch let e as PostgresStoreError {
            throw CLIError(e.message)
        } catch let e as StoreError {
            throw CLIError(e.description)
        }
    }
}

/// An error the CLI prints as `error: …` before exiting non-zero.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// The context of a command issued from the CLI: the super admin's rights (whoever can write the
/// database file administers the directory), recorded against the OS user.
func cliContext() -> CommandContext {
    let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
    return CommandContext(actor: "cli:\(user)", source: "cli", role: .superAdmin)
}

/// Runs a command and turns a broken rule into the CLI's error.
@discardableResult
func run(_ service: DirectoryService, _ command: DirectoryCommand) throws -> AuditRecord {
    try run(service) { _ throws(DirectoryError) in command }
}

/// Builds a command from the directory as it is under the write lock, runs it, and turns a
/// broken rule into the CLI's error.
@discardableResult
func run(
    _ service: DirectoryService, _ makeCommand: (DirectoryModel) throws(DirectoryError) -> DirectoryCommand
) throws -> AuditRecord {
    do {
        return try service.execute(by: cliContext(), makeCommand)
    } catch let e as DirectoryError {
        throw CLIError(e.message)
    } catch let e as StoreError {
        throw CLIError(e.description)
    } catch let e as StorageError {
        throw CLIError(e.message)
    } catch let e as PostgresStoreError {
        throw CLIError(e.message)
    }
}

/// Splits a template department path: `营销中心->大客户部->工业制造` (full-width `－>` accepted;
/// `/` or an empty string is the organisation itself).
func pathComponents(_ path: String) -> [String] {
    let normalized = path.replacingOccurrences(of: "－>", with: "->").replacingOccurrences(of: "—>", with: "->")
        .replacingOccurrences(of: "－＞", with: "->").replacingOccurrences(of: "->", with: "\u{1F}")
    let trimmed = normalized.trimmingWhitespace
    if trimmed.isEmpty || trimmed == "/" { return [] }
    return trimmed.split(separator: "\u{1F}", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
}

/// Resolves a department path to its id.
func resolve(_ path: String, in model: DirectoryModel) throws -> DepartmentID {
    let names = pathComponents(path)
    var cursor = DepartmentID.root
    var walked: [String] = []
    for name in names {
        walked.append(name)
        guard !name.isEmpty, let d = model.child(of: cursor, named: name) else {
            throw CLIError("department: \(walked.joined(separator: "->")) does not exist")
        }
        cursor = d.id
    }
    return cursor
}

/// Resolves an account.
func account(_ raw: String) throws -> Account {
    do {
        return try Account(parsing: raw)
    } catch {
        throw CLIError(error.message)
    }
}

/// Reads a password file (`-` for standard input) without its trailing newline.
func readPasswordFile(_ path: String) throws -> String {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("password: cannot read \(path)") }
        data = d
    }
    var s = String(decoding: data, as: UTF8.self)
    while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
    guard !s.isEmpty else { throw CLIError("password: \(path) is empty") }
    return s
}

/// Reads a plain password from a file (`-` for standard input) and checks the password rules.
func readPassword(_ path: String, owner: PasswordOwner? = nil) throws -> String {
    let s = try readPasswordFile(path)
    do {
        try PasswordRules.check(s, owner: owner)
    } catch {
        throw CLIError(error.message)
    }
    return s
}

/// The schemes a password file may hold a pre-hashed value in (as OpenLDAP writes them).
let storedPasswordSchemes = [
    "{SSHA}", "{SSHA256}", "{SSHA512}", "{SHA}", "{CRYPT}", "{PBKDF2}", "{PBKDF2-SHA1}", "{PBKDF2-SHA256}", "{PBKDF2-SHA512}",
]

/// The value to store for a password file: a pre-hashed `{SCHEME}` value as it is, once the
/// hasher accepts its parameters, or else the hash of the plain password, once it meets the
/// password rules.
func storedPassword(fromFile path: String, policy: PasswordPolicy = PasswordPolicy(), owner: PasswordOwner? = nil) throws -> String {
    let s = try readPasswordFile(path)
    guard storedPasswordSchemes.contains(where: { s.uppercased().hasPrefix($0) }) else {
        if let scheme = PasswordRules.hashScheme(of: s) {
            throw CLIError("password: \(scheme) is not a scheme Roster verifies (\(storedPasswordSchemes.joined(separator: ", ")) are; or give a plain password)")
        }
        do {
            try PasswordRules.check(s, policy: policy, owner: owner)
        } catch {
            throw CLIError(error.message)
        }
        return passwordHasher.hash(s)
    }
    do {
        try passwordHasher.validate(storedHash: s)
    } catch {
        throw CLIError(error.message)
    }
    return s
}

/// The hasher for new passwords: PBKDF2-SHA512 with 100 000 rounds, or `ROSTER_PASSWORD_ROUNDS`
/// (at least 1 000, at most the hasher's cap; Roster's own tests lower it so that debug builds
/// stay quick).
let passwordHasher: StandardPasswordHasher = {
    let env = ProcessInfo.processInfo.environment["ROSTER_PASSWORD_ROUNDS"].flatMap(Int.init)
    return StandardPasswordHasher(rounds: max(1000, env ?? 100_000))
}()

func parseYesNo(_ value: String, _ flag: String) throws -> Bool {
    switch value.lowercased() {
    case "yes", "y", "true", "1", "on": return true
    case "no", "n", "false", "0", "off": return false
    default: throw CLIError("\(flag): expected yes or no, got \(value)")
    }
}

extension VisibilityScope: ExpressibleByArgument {}
