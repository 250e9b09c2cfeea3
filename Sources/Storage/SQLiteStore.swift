public import Directory
public import Foundation
import GRDB
import Synchronization

/// A storage failure (the file is missing, locked, corrupt, or not a Roster database).
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`, every command
/// one transaction holding its changed rows, its change-log record and its audit record, so an
/// acknowledged write survives `kill -9` and a half command never exists.
///
/// A write waits at most ``busyTimeout`` for another process (the CLI, an import) to release the
/// database, then fails with ``StoreError`` code `busy` and applies nothing.
public final class SQLiteStore: DirectoryStore {
    let pool: DatabasePool
    public let path: String
    /// How long a write waits for another connection's write lock before it fails as `busy`.
    /// Default 5 s.
    public let busyTimeout: TimeInterval

    /// The default ``busyTimeout``: 5 s.
    public static let defaultBusyTimeout: TimeInterval = 5

    /// This store's writers waiting for another process's write lock, and theirs for ours.
    let waitSignal: WriterWaitSignal

    /// Opens an existing database.
    /// - Parameters:
    ///   - path: the database file.
    ///   - busyTimeout: how long a write waits for another writer (default 5 s).
    /// - Throws: ``StorageError`` if the file does not exist or is not a Roster database.
    public init(path: String, busyTimeout: TimeInterval = SQLiteStore.defaultBusyTimeout) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StorageError("\(path) does not exist")
        }
        self.path = path
        self.busyTimeout = busyTimeout
        waitSignal = WriterWaitSignal(database: path)
        pool = try Self.open(path, busyTimeout: busyTimeout, signal: waitSignal)
        try Self.migrator.migrate(pool)
        guard try pool.read({ db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'base_dn'") }) != nil else {
            throw StorageError("\(path) is not a Roster database (no base DN)")
        }
    }

    /// Creates a new database holding an empty organisation and its super admin.
    /// - Throws: ``StorageError`` if the file exists already.
    public static func create(path: String, baseDN: String, organization: String, adminPasswordHash: String) throws -> SQLiteStore {
        var model = DirectoryModel(organization: organization)
        model.put(Administrator(name: "admin", role: .superAdmin, passwordHash: adminPasswordHash))
        return try create(path: path, baseDN: baseDN, model: model)
    }

    /// Creates a new database holding a whole directory (the demo, a migration).
    /// - Throws: ``StorageError`` if the file exists already.
    public static func create(
        path: String, baseDN: String, model: DirectoryModel, busyTimeout: TimeInterval = SQLiteStore.defaultBusyTimeout
    ) throws -> SQLiteStore {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StorageError("\(path) already exists; Roster does not overwrite a database")
        }
        let pool = try open(path, busyTimeout: busyTimeout, signal: nil)
        try migrator.migrate(pool)
        var changes = ChangeSet()
        changes.departments = Set(model.departments.keys)
        changes.members = Set(model.allMembers.map(\.account.key))
        changes.groups = Set(model.groups.keys)
        changes.administrators = Set(model.administrators.keys)
        changes.policy = true
        try pool.write { db in
            try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('base_dn', ?)", arguments: [baseDN])
            try Self.persist(model.entities(for: changes), db, pinyin: { model.pinyin(of: $0).spaced })
            try Self.appendLog(changes, db)
            try Self.saveNextDepartmentID(model.nextDepartmentID, db)
        }
        try pool.close()
        return try SQLiteStore(path: path, busyTimeout: busyTimeout)
    }

    static func open(_ path: String, busyTimeout: TimeInterval, signal: WriterWaitSignal?) throws -> DatabasePool {
        var config = Configuration()
        // Poll for the lock every 5 ms until the timeout, rather than SQLite's own backoff (which
        // sleeps up to 100 ms between tries): another process's writer that commits in groups with
        // short gaps between them (an import) is caught in a gap (found by review: an LDAP add
        // during an import waited out its 5 s and was refused busy).
        // When each wait began, by the thread waiting: one wait runs on one thread, inside one
        // SQLite call, while the pool's other connections may start waits of their own (a single
        // shared start let another connection's first try restart a writer's clock, so the
        // writer waited out the other process instead of its bound).
        let waitStarted = Mutex<[ObjectIdentifier: ContinuousClock.Instant]>([:])
        let limit = Duration.milliseconds(Int64(busyTimeout * 1000))
        config.busyMode = .callback { attempt in
            let now = ContinuousClock.now
            let thread = ObjectIdentifier(Thread.current)
            let started = waitStarted.withLock { (s: inout [ObjectIdentifier: ContinuousClock.Instant]) -> ContinuousClock.Instant in
                if attempt == 0 || s[thread] == nil { s[thread] = now }
                return s[thread]!
            }
            guard now - started < limit else { return false }
            // Tell the holder (an import between two group commits) that a writer is waiting.
            signal?.touch()
            usleep(5000)
            return true
        }
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let pool = try DatabasePool(path: path, configuration: config)
        // GRDB switches a pool's writer to synchronous=NORMAL when it turns WAL on, after
        // prepareDatabase; NORMAL may lose the last commits on power loss. Writes go through
        // this one connection: make it FULL again.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE departments (
                        id INTEGER PRIMARY KEY, name TEXT NOT NULL, parent_id INTEGER, sort_order INTEGER NOT NULL,
                        scope TEXT NOT NULL, leaders TEXT NOT NULL, hidden INTEGER NOT NULL, description TEXT,
                        uuid TEXT NOT NULL, created_by TEXT NOT NULL, created_at REAL NOT NULL,
                        modified_by TEXT NOT NULL, modified_at REAL NOT NULL);
                    CREATE TABLE members (
                        account_key TEXT PRIMARY KEY, account TEXT NOT NULL, name TEXT NOT NULL, nickname TEXT,
                        gender TEXT, wechat TEXT, mobile TEXT, email TEXT, phone TEXT, phone2 TEXT, address TEXT,
                        qq TEXT, title TEXT, birthday TEXT, lunar_birthday TEXT, birthday_reminder TEXT,
                        hire_date TEXT, remarks TEXT, follow_status TEXT NOT NULL, pinned INTEGER NOT NULL,
                        hidden INTEGER NOT NULL, departments TEXT NOT NULL, status TEXT NOT NULL, departed_at REAL,
                        departed_by TEXT, previous_departments TEXT, password_hash TEXT, uuid TEXT NOT NULL,
                        created_by TEXT NOT NULL, created_at REAL NOT NULL, modified_by TEXT NOT NULL,
                        modified_at REAL NOT NULL);
                    CREATE TABLE groups (
                        key TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, members TEXT NOT NULL,
                        uuid TEXT NOT NULL, created_by TEXT NOT NULL, created_at REAL NOT NULL,
                        modified_by TEXT NOT NULL, modified_at REAL NOT NULL);
                    CREATE TABLE administrators (
                        key TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, scopes TEXT NOT NULL,
                        attributes TEXT, password_hash TEXT, bound_member TEXT);
                    CREATE TABLE field_policy (field TEXT PRIMARY KEY, shown INTEGER NOT NULL, self_editable INTEGER NOT NULL);
                    CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, changes TEXT NOT NULL);
                    CREATE TABLE audit (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, actor TEXT NOT NULL,
                        source TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, before TEXT NOT NULL,
                        after TEXT NOT NULL);
                    CREATE INDEX audit_time ON audit(time);
                    """)
        }
        m.registerMigration("v2: stored pinyin") { db in
            try db.execute(sql: "ALTER TABLE members ADD COLUMN pinyin TEXT")
        }
        // Department ids are never reused: the next id is stored, not derived from the largest
        // one left (deleting the newest department must not hand its id to the next one).
        m.registerMigration("v3: department id sequence") { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO settings(key, value)
                    SELECT 'next_department_id', CAST(MAX(COALESCE(MAX(id), 1) + 1, 2) AS TEXT) FROM departments
                    """)
        }
        // Account locks and password changes; the password policy; audit lookups by account.
        m.registerMigration("v4: account security") { db in
            for table in ["members", "administrators"] {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN locked_at REAL")
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN locked_until REAL")
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN password_changed_at REAL")
            }
            try db.execute(sql: "CREATE INDEX audit_target ON audit(lower(target), seq)")
        }
        return m
    }

    // MARK: - Port

    public func load() throws -> StoredDirectory {
        try pool.read { db in
            guard let base = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'base_dn'") else {
                throw StorageError("\(path) is not a Roster database (no base DN)")
            }
            let sequence = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM change_log") ?? 0
            var model = DirectoryModel(organization: "")
            for d in try Self.departments(db, where: nil) { model.put(d) }
            let pinyin = Dictionary(
                try Row.fetchAll(db, sql: "SELECT account_key, pinyin FROM members WHERE pinyin IS NOT NULL").map {
                    ($0[0] as String, $0[1] as String)
                }, uniquingKeysWith: { a, _ in a })
            model.bulkLoad(members: try Self.members(db, keys: nil), pinyin: pinyin)
            for g in try Self.groups(db, keys: nil) { model.put(g) }
            for a in try Self.administrators(db, keys: nil) { model.put(a) }
            model.put(try Self.policy(db))
            model.put(try Self.passwordPolicy(db))
            var departmentSequence = EntityBatch()
            departmentSequence.nextDepartmentID = try Self.nextDepartmentID(db)
            model.merge(departmentSequence)
            _ = model.takeChanges()
            return StoredDirectory(model: model, sequence: sequence, baseDN: base)
        }
    }

    public func write<T: Sendable>(
        from current: StoredDirectory, _ body: (inout DirectoryModel) throws -> (AuditRecord, T)
    ) throws -> (StoredDirectory, T) {
        try mapBusy {
            try pool.writeWithoutTransaction { db in
                var result: (StoredDirectory, T)?
                // IMMEDIATE takes the write lock first, waiting at most `busyTimeout` for it.
                try db.inTransaction(.immediate) {
                    var state = try Self.catchUp(current, db)
                    _ = state.model.takeChanges()
                    let nextID = state.model.nextDepartmentID
                    let (record, value) = try body(&state.model)
                    try Self.persistCommand(&state, since: nextID, [record], db)
                    result = (state, value)
                    return .commit
                }
                guard let result else { throw StorageError("the write transaction ended without a result") }
                return result
            }
        }
    }

    public func writeBatch(
        from current: StoredDirectory, _ bodies: [DirectoryStoreWrite]
    ) throws -> (StoredDirectory, [Result<[AuditRecord], any Error>]) {
        try mapBusy {
            try pool.writeWithoutTransaction { db in
                var result: (StoredDirectory, [Result<[AuditRecord], any Error>])?
                try db.inTransaction(.immediate) {
                    var state = try Self.catchUp(current, db)
                    _ = state.model.takeChanges()
                    var outcomes: [Result<[AuditRecord], any Error>] = []
                    for body in bodies {
                        let nextID = state.model.nextDepartmentID
                        let records: [AuditRecord]
                        do {
                            records = try body(&state.model)
                        } catch {
                            // The command changed nothing (apply works on a copy).
                            _ = state.model.takeChanges()
                            outcomes.append(.failure(error))
                            continue
                        }
                        try Self.persistCommand(&state, since: nextID, records, db)
                        outcomes.append(.success(records))
                    }
                    result = (state, outcomes)
                    return .commit
                }
                guard let result else { throw StorageError("the write transaction ended without a result") }
                return result
            }
        }
    }

    /// Persists what one command changed in the model: its rows, the department id sequence if
    /// it moved, a change-log record (the state's new sequence number) and its audit record.
    private static func persistCommand(
        _ state: inout StoredDirectory, since nextID: DepartmentID, _ records: [AuditRecord], _ db: Database
    ) throws {
        let changes = state.model.takeChanges()
        let model = state.model
        try persist(model.entities(for: changes), db, pinyin: { model.pinyin(of: $0).spaced })
        if model.nextDepartmentID != nextID { try saveNextDepartmentID(model.nextDepartmentID, db) }
        state.sequence = try appendLog(changes, db)
        for record in records { try appendAudit(record, db) }
    }

    /// Turns SQLite's busy and locked results into ``StoreError`` code `busy`.
    private func mapBusy<T>(_ body: () throws -> T) throws -> T {
        defer { waitSignal.clearIfWaited() }
        do {
            return try body()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            throw StoreError(
                .busy,
                "the database is busy: another writer held it for more than \(Self.seconds(busyTimeout)); nothing was applied")
        }
    }

    private static func seconds(_ t: TimeInterval) -> String {
        t == t.rounded() ? "\(Int(t)) s" : "\(t) s"
    }

    public func catchUp(_ current: StoredDirectory) throws -> StoredDirectory {
        try pool.read { db in try Self.catchUp(current, db) }
    }

    public func audit(_ query: AuditQuery) throws -> [AuditRecord] {
        try pool.read { db in
            var conditions = ["time >= ?"]
            var arguments: [any DatabaseValueConvertible] = [query.since ?? 0]
            if let kind = query.kind {
                let marks = Array(repeating: "?", count: AuditQuery.bindActions.count).joined(separator: ",")
                conditions.append("action \(kind == .bind ? "IN" : "NOT IN") (\(marks))")
                arguments += AuditQuery.bindActions
            }
            if let account = query.account?.lowercased() {
                let uid = "uid=\(account),", cn = "cn=\(account),"
                conditions.append(
                    "(lower(target) = ? OR lower(actor) = ? OR substr(lower(actor), 1, ?) = ? OR substr(lower(actor), 1, ?) = ?)")
                arguments += [account, account, uid.unicodeScalars.count, uid, cn.unicodeScalars.count, cn]
            }
            arguments.append(max(query.limit, 0))
            let order = query.newestFirst ? "DESC" : ""
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq \(order) LIMIT ?",
                arguments: StatementArguments(arguments))
            return rows.map { row in
                AuditRecord(
                    time: Date(timeIntervalSince1970: row["time"]), actor: row["actor"], source: row["source"],
                    action: row["action"], target: row["target"], before: Self.decodeMap(row["before"]),
                    after: Self.decodeMap(row["after"]))
            }
        }
    }

    public func recordBinds(_ records: [AuditRecord]) throws {
        guard !records.isEmpty else { return }
        try mapBusy {
            try pool.write { db in
                for r in records { try Self.appendAudit(r, db) }
            }
        }
    }

    /// The highest change-log sequence number committed (cheap; used to poll for other writers).
    public func latestSequence() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM change_log") ?? 0 }
    }

    /// A pragma's value as the connection that writes sees it (tests check `synchronous` is
    /// FULL there: durability that a test can see fail).
    func pragmaInForce(_ name: String) throws -> String? {
        try pool.writeWithoutTransaction { db in
            guard let value = try DatabaseValue.fetchOne(db, sql: "PRAGMA \(name)") else { return nil }
            switch value.storage {
            case .int64(let i): return String(i)
            case .string(let s): return s
            default: return nil
            }
        }
    }

    // MARK: - Catching up

    static func catchUp(_ current: StoredDirectory, _ db: Database) throws -> StoredDirectory {
        let rows = try String.fetchAll(db, sql: "SELECT changes FROM change_log WHERE seq > ? ORDER BY seq", arguments: [current.sequence])
        guard !rows.isEmpty else { return current }
        var changes = ChangeSet()
        for json in rows {
            changes.formUnion(try JSONDecoder().decode(ChangeSet.self, from: Data(json.utf8)))
        }
        var batch = EntityBatch()
        let departments = Dictionary(uniqueKeysWithValues: try Self.departments(db, where: changes.departments).map { ($0.id, $0) })
        for id in changes.departments { batch.departments[id] = .some(departments[id]) }
        let members = Dictionary(uniqueKeysWithValues: try Self.members(db, keys: changes.members).map { ($0.account.key, $0) })
        for key in changes.members { batch.members[key] = .some(members[key]) }
        let groups = Dictionary(uniqueKeysWithValues: try Self.groups(db, keys: changes.groups).map { ($0.key, $0) })
        for key in changes.groups { batch.groups[key] = .some(groups[key]) }
        let admins = Dictionary(uniqueKeysWithValues: try Self.administrators(db, keys: changes.administrators).map { ($0.key, $0) })
        for key in changes.administrators { batch.administrators[key] = .some(admins[key]) }
        if changes.policy {
            batch.policy = try Self.policy(db)
            batch.passwordPolicy = try Self.passwordPolicy(db)
        }
        batch.nextDepartmentID = try Self.nextDepartmentID(db)
        var model = current.model
        model.merge(batch)
        _ = model.takeChanges()
        let sequence = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM change_log") ?? current.sequence
        return StoredDirectory(model: model, sequence: sequence, baseDN: current.baseDN)
    }

    // MARK: - Writing rows

    static func persist(_ batch: EntityBatch, _ db: Database, pinyin: (Account) -> String? = { _ in nil }) throws {
        for (id, d) in batch.departments {
            guard let d else {
                try db.execute(sql: "DELETE FROM departments WHERE id = ?", arguments: [id.rawValue])
                continue
            }
            // Cached statements: an import writes thousands of rows per transaction.
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO departments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").execute(
                arguments: [
                    d.id.rawValue, d.name, d.parent?.rawValue, d.order, d.scope.rawValue,
                    d.leaders.map(\.value).joined(separator: "\n"), d.hidden, d.description, d.uuid.uuidString,
                    d.created.actor, d.created.time.timeIntervalSince1970, d.modified.actor,
                    d.modified.time.timeIntervalSince1970,
                ])
        }
        for (key, m) in batch.members {
            guard let m else {
                try db.execute(sql: "DELETE FROM members WHERE account_key = ?", arguments: [key])
                continue
            }
            var departedAt: Double?
            var departedBy: String?
            var previous: String?
            if case .departed(let at, let by, let prev) = m.status {
                departedAt = at.timeIntervalSince1970
                departedBy = by
                previous = prev.map { String($0.rawValue) }.joined(separator: ",")
            }
            let values: [(any DatabaseValueConvertible)?] = [
                m.account.key, m.account.value, m.name, m.nickname, m.gender, m.wechat, m.mobile, m.email, m.phone,
                m.phone2, m.address, m.qq, m.title, m.birthday, m.lunarBirthday, m.birthdayReminder?.rawValue,
                m.hireDate, m.remarks, m.followStatus.rawValue, m.pinned, m.hidden,
                m.departments.map { String($0.rawValue) }.joined(separator: ","), m.isActive ? "active" : "departed",
                departedAt, departedBy, previous, m.passwordHash, m.uuid.uuidString, m.created.actor,
                m.created.time.timeIntervalSince1970, m.modified.actor, m.modified.time.timeIntervalSince1970,
                pinyin(m.account), m.security.lockedAt?.timeIntervalSince1970, m.security.lockedUntil?.timeIntervalSince1970,
                m.security.passwordChangedAt?.timeIntervalSince1970,
            ]
            try db.cachedStatement(sql: memberInsert(values.count)).execute(arguments: StatementArguments(values))
        }
        for (key, g) in batch.groups {
            guard let g else {
                try db.execute(sql: "DELETE FROM groups WHERE key = ?", arguments: [key])
                continue
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO groups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    g.key, g.name, g.description, g.members.map(\.value).joined(separator: "\n"), g.uuid.uuidString,
                    g.created.actor, g.created.time.timeIntervalSince1970, g.modified.actor,
                    g.modified.time.timeIntervalSince1970,
                ])
        }
        for (key, a) in batch.administrators {
            guard let a else {
                try db.execute(sql: "DELETE FROM administrators WHERE key = ?", arguments: [key])
                continue
            }
            var scopes: [DepartmentID] = []
            var attributes: String?
            switch a.role {
            case .superAdmin: break
            case .subAdmin(let s): scopes = s
            case .service(let s, let attrs):
                scopes = s
                attributes = attrs?.joined(separator: ",")
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO administrators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    a.key, a.name, a.role.kind, scopes.map { String($0.rawValue) }.joined(separator: ","), attributes,
                    a.passwordHash, a.boundMember?.value, a.security.lockedAt?.timeIntervalSince1970,
                    a.security.lockedUntil?.timeIntervalSince1970, a.security.passwordChangedAt?.timeIntervalSince1970,
                ])
        }
        if let policy = batch.passwordPolicy {
            let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
            try db.execute(sql: "INSERT OR REPLACE INTO settings(key, value) VALUES ('password_policy', ?)", arguments: [json])
        }
        if let policy = batch.policy {
            try db.execute(sql: "DELETE FROM field_policy")
            for (field, rule) in policy.rules {
                try db.execute(
                    sql: "INSERT INTO field_policy VALUES (?, ?, ?)", arguments: [field.rawValue, rule.shown, rule.selfEditable])
            }
        }
    }

    /// `INSERT OR REPLACE INTO members VALUES (?, …)` with `count` values.
    static func memberInsert(_ count: Int) -> String {
        count == memberColumns ? memberInsertSQL : "INSERT OR REPLACE INTO members VALUES (" + Array(repeating: "?", count: count).joined(separator: ",") + ")"
    }

    static let memberColumns = 36
    static let memberInsertSQL = "INSERT OR REPLACE INTO members VALUES (" + Array(repeating: "?", count: memberColumns).joined(separator: ",") + ")"

    /// The stored department id sequence (nil in a database that predates it).
    static func nextDepartmentID(_ db: Database) throws -> DepartmentID? {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'next_department_id'")
            .flatMap { Int64($0) }.map { DepartmentID($0) }
    }

    static func saveNextDepartmentID(_ id: DepartmentID, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO settings(key, value) VALUES ('next_department_id', ?)",
            arguments: [String(id.rawValue)])
    }

    @discardableResult
    static func appendLog(_ changes: ChangeSet, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO change_log(changes) VALUES (?)").execute(arguments: [JSONText.changes(changes)])
        return db.lastInsertedRowID
    }

    static func appendAudit(_ r: AuditRecord, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO audit(time, actor, source, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)").execute(
            arguments: [r.time.timeIntervalSince1970, r.actor, r.source, r.action, r.target, encodeMap(r.before), encodeMap(r.after)])
    }

    static func encodeMap(_ map: [String: String]) -> String { JSONText.object(map) }

    static func decodeMap(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }

    // MARK: - Reading rows

    static func keyList<T: DatabaseValueConvertible>(_ keys: [T]) -> (String, StatementArguments) {
        ("(" + Array(repeating: "?", count: keys.count).joined(separator: ",") + ")", StatementArguments(keys))
    }

    static func fetchRows(_ db: Database, table: String, keyColumn: String, keys: [any DatabaseValueConvertible]?) throws -> [Row] {
        guard let keys else { return try Row.fetchAll(db, sql: "SELECT * FROM \(table)") }
        var rows: [Row] = []
        // SQLite limits bound parameters; fetch in chunks.
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(start + 500, keys.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            rows += try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE \(keyColumn) IN (\(marks))", arguments: StatementArguments(chunk))
            start += 500
        }
        return rows
    }

    static func ids(_ text: String?) -> [DepartmentID] {
        (text ?? "").split(separator: ",").compactMap { Int64($0).map { DepartmentID(rawValue: $0) } }
    }

    static func accounts(_ text: String) -> [Account] {
        text.split(separator: "\n").compactMap { try? Account(parsing: String($0)) }
    }

    static func stamp(_ row: Row, _ prefix: String) -> AuditStamp {
        AuditStamp(actor: row["\(prefix)_by"], time: Date(timeIntervalSince1970: row["\(prefix)_at"]))
    }

    /// The same, by column index (a member's row: GRDB lower-cases a name on every lookup).
    static func stamp(_ row: NamedRow, by: String, at: String) -> AuditStamp {
        AuditStamp(actor: row[by], time: Date(timeIntervalSince1970: row[at]))
    }

    static func departments(_ db: Database, where keys: Set<DepartmentID>?) throws -> [Department] {
        try fetchRows(db, table: "departments", keyColumn: "id", keys: keys.map { $0.map(\.rawValue) }).map { row in
            Department(
                id: DepartmentID(rawValue: row["id"]), name: row["name"], parent: (row["parent_id"] as Int64?).map { DepartmentID(rawValue: $0) },
                order: row["sort_order"], scope: VisibilityScope(rawValue: row["scope"]) ?? .inherit,
                leaders: accounts(row["leaders"]), hidden: row["hidden"], description: row["description"],
                uuid: UUID(uuidString: row["uuid"]) ?? UUID(), created: stamp(row, "created"),
                modified: stamp(row, "modified"))
        }
    }

    static func members(_ db: Database, keys: Set<String>?) throws -> [Member] {
        var columns: [String: Int]?
        return try fetchRows(db, table: "members", keyColumn: "account_key", keys: keys.map(Array.init)).compactMap { (raw: Row) -> Member? in
            if columns == nil { columns = NamedRow.columns(of: raw) }
            let row = NamedRow(row: raw, columns: columns!)
            guard let account = try? Account(parsing: row["account"]) else { return nil }
            var m = Member(
                account: account, name: row["name"], departments: ids(row["departments"]), mobile: row["mobile"],
                email: row["email"], wechat: row["wechat"], title: row["title"],
                uuid: UUID(uuidString: row["uuid"]) ?? UUID(), created: stamp(row, by: "created_by", at: "created_at"))
            m.nickname = row["nickname"]
            m.gender = row["gender"]
            m.phone = row["phone"]
            m.phone2 = row["phone2"]
            m.address = row["address"]
            m.qq = row["qq"]
            m.birthday = row["birthday"]
            m.lunarBirthday = row["lunar_birthday"]
            m.birthdayReminder = (row["birthday_reminder"] as String?).flatMap(Member.BirthdayReminder.init(rawValue:))
            m.hireDate = row["hire_date"]
            m.remarks = row["remarks"]
            m.followStatus = Member.FollowStatus(rawValue: row["follow_status"]) ?? .notFollowing
            m.pinned = row["pinned"]
            m.hidden = row["hidden"]
            m.passwordHash = row["password_hash"]
            m.modified = stamp(row, by: "modified_by", at: "modified_at")
            m.security = security(row)
            if (row["status"] as String) == "departed" {
                m.status = .departed(
                    at: Date(timeIntervalSince1970: row["departed_at"] ?? 0), by: row["departed_by"] ?? "",
                    previousDepartments: ids(row["previous_departments"]))
            }
            return m
        }
    }

    static func groups(_ db: Database, keys: Set<String>?) throws -> [Group] {
        try fetchRows(db, table: "groups", keyColumn: "key", keys: keys.map(Array.init)).map { row in
            var g = Group(
                name: row["name"], description: row["description"], members: accounts(row["members"]),
                uuid: UUID(uuidString: row["uuid"]) ?? UUID(), created: stamp(row, "created"))
            g.modified = stamp(row, "modified")
            return g
        }
    }

    static func administrators(_ db: Database, keys: Set<String>?) throws -> [Administrator] {
        try fetchRows(db, table: "administrators", keyColumn: "key", keys: keys.map(Array.init)).map { row in
            let scopes = ids(row["scopes"])
            let role: Administrator.Role
            switch row["role"] as String {
            case "super-admin": role = .superAdmin
            case "sub-admin": role = .subAdmin(scopes: scopes)
            default:
                role = .service(scopes: scopes, attributes: (row["attributes"] as String?).map { $0.split(separator: ",").map(String.init) })
            }
            var admin = Administrator(
                name: row["name"], role: role, passwordHash: row["password_hash"],
                boundMember: (row["bound_member"] as String?).flatMap { try? Account(parsing: $0) })
            admin.security = security(row)
            return admin
        }
    }

    static func security(_ row: NamedRow) -> AccountSecurity {
        func date(_ column: String) -> Date? { (row[column] as Double?).map { Date(timeIntervalSince1970: $0) } }
        return AccountSecurity(lockedAt: date("locked_at"), lockedUntil: date("locked_until"), passwordChangedAt: date("password_changed_at"))
    }

    static func security(_ row: Row) -> AccountSecurity {
        func date(_ column: String) -> Date? { (row[column] as Double?).map { Date(timeIntervalSince1970: $0) } }
        return AccountSecurity(lockedAt: date("locked_at"), lockedUntil: date("locked_until"), passwordChangedAt: date("password_changed_at"))
    }

    static func passwordPolicy(_ db: Database) throws -> PasswordPolicy {
        guard let json = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'password_policy'"),
            let policy = try? JSONDecoder().decode(PasswordPolicy.self, from: Data(json.utf8))
        else { return PasswordPolicy() }
        return policy
    }

    static func policy(_ db: Database) throws -> FieldPolicy {
        var policy = FieldPolicy()
        for row in try Row.fetchAll(db, sql: "SELECT * FROM field_policy") {
            guard let field = MemberField(rawValue: row["field"]) else { continue }
            try? policy.set(field, FieldPolicy.Rule(shown: row["shown"], selfEditable: row["self_editable"]))
        }
        return policy
    }
}

extension SQLiteStore {
    /// Whether a writer of another process is waiting for the write lock (its busy handler touched
    /// the signal file within the last 100 ms): an import pauses between group commits only then.
    public func anotherWriterIsWaiting() -> Bool { waitSignal.isFresh }
}

/// A writer waiting for the database's write lock, made visible to the process holding it: while
/// it waits, its busy handler touches `DATABASE-writer-waiting` every poll (5 ms); it removes the
/// file once its write is done. The holder looks at the file's age between two group commits.
/// A file left behind by a killed process is stale after 100 ms and means nothing.
final class WriterWaitSignal: Sendable {
    let path: String
    private let waited = Mutex(false)

    init(database: String) { path = database + "-writer-waiting" }

    /// Creates the file or updates its time.
    func touch() {
        waited.withLock { $0 = true }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = futimens(fd, nil)
        _ = close(fd)
    }

    /// Removes the file after a write of this process that waited.
    func clearIfWaited() {
        guard waited.withLock({ (w: inout Bool) -> Bool in defer { w = false }; return w }) else { return }
        _ = unlink(path)
    }

    /// Whether a writer touched the file within the last 100 ms.
    var isFresh: Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let age = Double(now.tv_sec - st.st_mtim.tv_sec) + Double(now.tv_nsec - st.st_mtim.tv_nsec) / 1e9
        return age < 0.1
    }
}

/// A row read by column name through an index built once per query: GRDB's lookup by name
/// lower-cases the name on every read (found by profiling the load of 100 000 members, where it
/// was an eighth of the time).
struct NamedRow {
    let row: Row
    let columns: [String: Int]

    static func columns(of row: Row) -> [String: Int] {
        Dictionary(row.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @_disfavoredOverload
    subscript<Value: DatabaseValueConvertible>(_ name: String) -> Value {
        guard let i = columns[name] else { return row[name] }
        return row[i]
    }

    subscript<Value: DatabaseValueConvertible>(_ name: String) -> Value? {
        guard let i = columns[name] else { return row[name] }
        return row[i]
    }
}
