public import Directory
public import Foundation
public import Logging
import PostgresNIO
import Synchronization

/// The store for several `roster serve` nodes on one PostgreSQL database: every command one
/// transaction holding its changed rows, a change-log row and its audit record.
///
/// **One writer at a time.** A write takes `pg_advisory_xact_lock` first, then catches the
/// node's model up with the change log, runs the command on it (the domain's rules are checked
/// in memory, against every member, under the lock), writes the rows, bumps the counter row and
/// appends the change-log row, and commits; the lock goes with the commit. SERIALIZABLE with a
/// retry on 40001 was not chosen: the rules are checked in memory, so PostgreSQL never sees what
/// a command read and could not detect most conflicts anyway; every write also updates the one
/// counter row, so writers could never run in parallel, and each retry would redo the catch-up
/// and the command. With the lock, writers queue once and wait at most ``lockTimeout``
/// (then `busy`, nothing applied).
///
/// **Gap-free sequence.** The counter row is updated inside the write transaction, so a
/// sequence number exists only if its transaction committed, and because writers are serialised
/// by the lock, they commit in sequence order: a reader sees a prefix of the log, without holes.
/// `pg_notify` in the transaction is delivered at commit (and never for a rolled-back one).
public final class PostgresStore: DirectoryStore {
    /// The notification channel every write notifies, with its sequence number as the payload.
    public static let channel = "roster_changes"
    /// The advisory lock key writes serialise on ("roster" in ASCII).
    static let writeLockKey: Int64 = 0x726F_7374_6572
    /// The advisory lock key migrations serialise on.
    static let migrationLockKey: Int64 = 0x726F_7374_6573
    /// The default ``lockTimeout``: 5 s, as SQLite's busy timeout.
    public static let defaultLockTimeout: TimeInterval = 5
    /// The default change-log retention: the last 100 000 changes.
    public static let defaultRetention: Int64 = 100_000

    public let location: PostgresLocation
    /// How long a write waits for another node's write lock before it fails as `busy`.
    public let lockTimeout: TimeInterval
    let connections: PostgresConnections
    /// ``lastChangeDelay``, measured by the last catch-up that read changes.
    private let delay = Mutex<Double?>(nil)

    /// Opens an existing Roster database, migrating its schema.
    /// - Throws: ``StoreError`` (`busy`) when the server cannot be reached, ``PostgresStoreError``
    ///   when the database holds no Roster directory.
    public init(location: PostgresLocation, lockTimeout: TimeInterval = PostgresStore.defaultLockTimeout, logger: Logger? = nil) throws {
        self.location = location
        self.lockTimeout = lockTimeout
        var quiet = Logger(label: "roster.postgres")
        quiet.logLevel = .warning
        connections = try PostgresConnections(location: location, lockTimeout: lockTimeout, logger: logger ?? quiet)
        // Looked for before the schema is migrated: opening a database that is not Roster's
        // must not create Roster's tables in it (found by review: `roster status` did).
        guard try Self.holdsDirectory(connections) else {
            throw PostgresStoreError(
                "\(location) holds no Roster directory; create it with `roster init --database \(location)` or `roster migrate --to \(location)`")
        }
        try Self.mapErrors { try Self.migrate(connections) }
    }

    /// Puts a whole directory into a database: an empty one, or, with `replacing`, one that
    /// already holds a directory (every row is replaced; running nodes reload).
    /// - Throws: ``PostgresStoreError`` if the database holds a directory and `replacing` is false.
    @discardableResult
    public static func create(
        location: PostgresLocation, baseDN: String, model: DirectoryModel, replacing: Bool = false,
        retention: Int64 = PostgresStore.defaultRetention, logger: Logger? = nil
    ) throws -> PostgresStore {
        var quiet = Logger(label: "roster.postgres")
        quiet.logLevel = .warning
        let connections = try PostgresConnections(location: location, lockTimeout: nil, logger: logger ?? quiet)
        try mapErrors { try migrate(connections) }
        try mapErrors {
            try connections.transaction { s in
                try s.run("SELECT pg_advisory_xact_lock(\(writeLockKey))")
                if try PostgresStore.baseDN(s) != nil {
                    guard replacing else {
                        throw PostgresStoreError(
                            "\(location) already holds a Roster directory; Roster does not overwrite it")
                    }
                    for table in ["departments", "members", "groups", "administrators", "field_policy", "settings", "change_log", "audit"] {
                        try s.run("DELETE FROM \(table)")
                    }
                }
                var b = Binds()
                try s.run("INSERT INTO settings(key, value) VALUES ('base_dn', \(b.add(baseDN)))", b.bindings)
                b = Binds()
                try s.run("INSERT INTO settings(key, value) VALUES ('change_log_retention', \(b.add(String(max(1, retention)))))", b.bindings)
                var changes = ChangeSet()
                changes.departments = Set(model.departments.keys)
                changes.members = Set(model.allMembers.map(\.account.key))
                changes.groups = Set(model.groups.keys)
                changes.administrators = Set(model.administrators.keys)
                changes.policy = true
                try persist(model.entities(for: changes), s, pinyin: { model.pinyin(of: $0).spaced })
                try saveNextDepartmentID(model.nextDepartmentID, s)
                let head = try counter(s).seq
                // Every node that has seen anything before reloads: the log does not describe a
                // replacement.
                let seq = head + 1
                b = Binds()
                try s.run(
                    "UPDATE change_counter SET seq = \(b.add(seq)), pruned_through = \(b.add(replacing ? seq : head))", b.bindings)
                b = Binds()
                try s.run(
                    "INSERT INTO change_log(seq, changes) VALUES (\(b.add(seq)), \(b.add(try encode(changes))))", b.bindings)
                b = Binds()
                try s.run("SELECT pg_notify('\(channel)', \(b.add(String(seq))))", b.bindings)
            }
        }
        return try PostgresStore(location: location, logger: logger)
    }

    /// Whether the database already holds a Roster directory (`roster migrate` refuses to
    /// overwrite one).
    public static func holdsDirectory(_ location: PostgresLocation) throws -> Bool {
        try holdsDirectory(try PostgresConnections(location: location, lockTimeout: nil, logger: Logger(label: "roster.postgres")))
    }

    static func holdsDirectory(_ connections: PostgresConnections) throws -> Bool {
        try mapErrors {
            try connections.with { s in
                let exists = try s.run("SELECT to_regclass('settings') IS NOT NULL AS e").first?.bool("e") ?? false
                return try exists && baseDN(s) != nil
            }
        }
    }

    // MARK: - Port

    public func load() throws -> StoredDirectory {
        try Self.mapErrors {
            try connections.transaction("ISOLATION LEVEL REPEATABLE READ READ ONLY") { s in try Self.loadAll(s) }
        }
    }

    public func write<T: Sendable>(
        from current: StoredDirectory, _ body: (inout DirectoryModel) throws -> (AuditRecord, T)
    ) throws -> (StoredDirectory, T) {
        try writeTransaction(from: current) { state, s in
            _ = state.model.takeChanges()
            let nextID = state.model.nextDepartmentID
            let (record, value) = try body(&state.model)
            try Self.persistCommand(&state, since: nextID, [record], s)
            return value
        }
    }

    public func writeBatch(
        from current: StoredDirectory, _ bodies: [DirectoryStoreWrite]
    ) throws -> (StoredDirectory, [Result<[AuditRecord], any Error>]) {
        try writeTransaction(from: current) { state, s in
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
                try Self.persistCommand(&state, since: nextID, records, s)
                outcomes.append(.success(records))
            }
            return outcomes
        }
    }

    /// The write transaction: the lock, the catch-up, `body`, the retention and the notification.
    private func writeTransaction<T>(
        from current: StoredDirectory, _ body: (inout StoredDirectory, PostgresSession) throws -> T
    ) throws -> (StoredDirectory, T) {
        try Self.mapErrors(lockTimeout: lockTimeout) {
            try connections.transaction { s in
                // Sent with the catch-up's first read: one round trip for both.
                s.send("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
                var state = try caughtUp(current, s)
                let before = state.sequence
                let value = try body(&state, s)
                if state.sequence != before {
                    Self.prune(s)
                    var b = Binds()
                    s.send("SELECT pg_notify('\(Self.channel)', \(b.add(String(state.sequence))))", b.bindings)
                }
                // Every statement answered before COMMIT: a refused one rolls everything back.
                try s.flush()
                return (state, value)
            }
        }
    }

    public func catchUp(_ current: StoredDirectory) throws -> StoredDirectory {
        try Self.mapErrors {
            // Cheap when nothing changed: one read of the counter row.
            let head = try connections.with { s in try Self.counter(s).seq }
            guard head != current.sequence else { return current }
            return try connections.transaction("ISOLATION LEVEL REPEATABLE READ READ ONLY") { s in try caughtUp(current, s) }
        }
    }

    /// ``catchUp(_:_:delay:)``, keeping the delay it measured.
    private func caughtUp(_ current: StoredDirectory, _ s: PostgresSession) throws -> StoredDirectory {
        var measured: Double?
        let next = try Self.catchUp(current, s, delay: &measured)
        if let measured { delay.withLock { $0 = measured } }
        return next
    }

    /// The highest change-log sequence number committed.
    public func latestSequence() throws -> Int64 {
        try Self.mapErrors { try connections.with { s in try Self.counter(s).seq } }
    }

    public func audit(_ query: AuditQuery) throws -> [AuditRecord] {
        try Self.mapErrors {
            try connections.with { s in
                var b = Binds()
                var conditions = ["time >= \(b.add(query.since ?? 0))"]
                if let kind = query.kind {
                    let marks = AuditQuery.bindActions.map { b.add($0) }.joined(separator: ",")
                    conditions.append("action \(kind == .bind ? "IN" : "NOT IN") (\(marks))")
                }
                if let account = query.account?.lowercased() {
                    let a = b.add(account)
                    let uid = b.add("uid=\(account),"), cn = b.add("cn=\(account),")
                    conditions.append(
                        "(lower(target) = \(a) OR lower(actor) = \(a) OR starts_with(lower(actor), \(uid)) OR starts_with(lower(actor), \(cn)))")
                }
                let limit = b.add(Int64(max(query.limit, 0)))
                let order = query.newestFirst ? "DESC" : ""
                let rows = try s.run(
                    "SELECT * FROM audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq \(order) LIMIT \(limit)", b.bindings)
                return try rows.map { row in
                    AuditRecord(
                        time: Date(timeIntervalSince1970: try row.double("time")), actor: try row.string("actor"),
                        source: try row.string("source"), action: try row.string("action"), target: try row.string("target"),
                        before: Self.decodeMap(try row.string("before")), after: Self.decodeMap(try row.string("after")))
                }
            }
        }
    }

    /// Several nodes take writes on one PostgreSQL database.
    public var servesSeveralNodes: Bool { true }

    public func recordBinds(_ records: [AuditRecord]) throws {
        guard !records.isEmpty else { return }
        try Self.mapErrors {
            try connections.transaction { s in
                var start = 0
                while start < records.count {
                    try Self.appendAudit(Array(records[start..<min(start + 1000, records.count)]), s)
                    start += 1000
                }
            }
        }
    }

    // MARK: - Catching up

    static func counter(_ s: PostgresSession) throws -> (seq: Int64, pruned: Int64) {
        guard let row = try s.run("SELECT seq, pruned_through FROM change_counter").first else {
            throw PostgresStoreError("the change counter row is missing")
        }
        return (try row.int64("seq"), try row.int64("pruned_through"))
    }

    static func baseDN(_ s: PostgresSession) throws -> String? {
        try s.run("SELECT value FROM settings WHERE key = 'base_dn'").first?.string("value")
    }

    /// Brings `current` up to the change log's head as this transaction sees it: merges the rows
    /// every change after `current.sequence` touched, or reloads the whole directory when those
    /// changes are no longer all in the log (the node was away longer than the retention, or
    /// the directory was replaced). `delay` gets the seconds from the start of the newest
    /// change's transaction to this read, on the database's clock (unset after a reload).
    static func catchUp(_ current: StoredDirectory, _ s: PostgresSession, delay: inout Double?) throws -> StoredDirectory {
        let (head, pruned) = try counter(s)
        if head == current.sequence { return current }
        if current.sequence < pruned || current.sequence > head { return try loadAll(s) }
        var b = Binds()
        let rows = try s.run(
            """
            SELECT seq, changes, EXTRACT(EPOCH FROM clock_timestamp() - committed_at)::float8 AS delay FROM change_log
            WHERE seq > \(b.add(current.sequence)) AND seq <= \(b.add(head)) ORDER BY seq
            """, b.bindings)
        // Gap-free: exactly one row per sequence number.
        guard Int64(rows.count) == head - current.sequence else {
            throw PostgresStoreError("the change log has a gap after \(current.sequence) (\(rows.count) rows up to \(head))")
        }
        if let newest = rows.last { delay = max(0, try newest.double("delay")) }
        var changes = ChangeSet()
        for row in rows {
            changes.formUnion(try JSONDecoder().decode(ChangeSet.self, from: Data(try row.string("changes").utf8)))
        }
        var batch = EntityBatch()
        let departments = Dictionary(try Self.departments(s, ids: changes.departments).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for id in changes.departments { batch.departments[id] = .some(departments[id]) }
        let members = Dictionary(try Self.members(s, keys: changes.members).map { ($0.0.account.key, $0.0) }, uniquingKeysWith: { a, _ in a })
        for key in changes.members { batch.members[key] = .some(members[key]) }
        let groups = Dictionary(try Self.groups(s, keys: changes.groups).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for key in changes.groups { batch.groups[key] = .some(groups[key]) }
        let admins = Dictionary(try Self.administrators(s, keys: changes.administrators).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for key in changes.administrators { batch.administrators[key] = .some(admins[key]) }
        if changes.policy {
            batch.policy = try Self.policy(s)
            batch.passwordPolicy = try Self.passwordPolicy(s)
        }
        batch.nextDepartmentID = try Self.nextDepartmentID(s)
        var model = current.model
        model.merge(batch)
        _ = model.takeChanges()
        return StoredDirectory(model: model, sequence: head, baseDN: current.baseDN)
    }

    /// The whole directory and the sequence it includes, in the caller's transaction (REPEATABLE
    /// READ, or under the write lock).
    static func loadAll(_ s: PostgresSession) throws -> StoredDirectory {
        guard let base = try baseDN(s) else { throw PostgresStoreError("the database holds no Roster directory (no base DN)") }
        let sequence = try counter(s).seq
        var model = DirectoryModel(organization: "")
        for d in try departments(s, ids: nil) { model.put(d) }
        let loaded = try members(s, keys: nil)
        var pinyin: [String: String] = [:]
        for (m, p) in loaded { if let p { pinyin[m.account.key] = p } }
        model.bulkLoad(members: loaded.map(\.0), pinyin: pinyin)
        for g in try groups(s, keys: nil) { model.put(g) }
        for a in try administrators(s, keys: nil) { model.put(a) }
        model.put(try policy(s))
        model.put(try passwordPolicy(s))
        var departmentSequence = EntityBatch()
        departmentSequence.nextDepartmentID = try nextDepartmentID(s)
        model.merge(departmentSequence)
        _ = model.takeChanges()
        return StoredDirectory(model: model, sequence: sequence, baseDN: base)
    }

    // MARK: - Writing

    /// Persists one write (one command, or an import row's few): its rows, the department id
    /// sequence if it moved, the next sequence number with its change-log row, and its audit
    /// records.
    private static func persistCommand(
        _ state: inout StoredDirectory, since nextID: DepartmentID, _ records: [AuditRecord], _ s: PostgresSession
    ) throws {
        let changes = state.model.takeChanges()
        let model = state.model
        try persist(model.entities(for: changes), s, pinyin: { model.pinyin(of: $0).spaced })
        if model.nextDepartmentID != nextID { try saveNextDepartmentID(model.nextDepartmentID, s) }
        // Under the lock the next number is known; the statement checks it (RETURNING) when the
        // transaction's statements are waited for.
        let expected = state.sequence + 1
        var b = Binds()
        let json = b.add(try encode(changes))
        let numbered = s.send(
            """
            WITH next AS (UPDATE change_counter SET seq = seq + 1 RETURNING seq)
            INSERT INTO change_log(seq, changes) SELECT seq, \(json) FROM next RETURNING seq
            """, b.bindings)
        state.sequence = expected
        try appendAudit(records, s)
        s.check(numbered) { result in
            guard let seq = try result.rows.first?.makeRandomAccess().int64("seq"), seq == expected else {
                throw PostgresStoreError("the change counter did not give \(expected)")
            }
        }
    }

    /// Drops change-log rows older than the retention, in batches: when more than twice the
    /// retention is kept (one statement, sent without waiting).
    private static func prune(_ s: PostgresSession) {
        s.send(
            """
            WITH r AS (SELECT COALESCE((SELECT value::bigint FROM settings WHERE key = 'change_log_retention'), \(defaultRetention)) AS keep),
            c AS (SELECT seq - r.keep AS through FROM change_counter, r WHERE seq - pruned_through > 2 * r.keep),
            d AS (DELETE FROM change_log WHERE seq <= (SELECT through FROM c))
            UPDATE change_counter SET pruned_through = c.through FROM c
            """)
    }

    static func encode(_ changes: ChangeSet) throws -> String { JSONText.changes(changes) }

    /// Turns connection failures and lock timeouts into ``StoreError`` (`busy`), server errors
    /// into ``PostgresStoreError``; domain errors pass through. `lockTimeout`: the wait a lock
    /// timeout means, for its message.
    static func mapErrors<T>(lockTimeout: TimeInterval? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as PSQLError {
            if PostgresConnections.sqlState(e) == "55P03" {
                let wait = lockTimeout.map { " for more than \(Self.seconds($0))" } ?? " for too long"
                throw StoreError(
                    .busy, "the database is busy: another writer held Roster's write lock\(wait); nothing was applied",
                    detail: "pg_advisory_xact_lock, SQLSTATE 55P03")
            }
            if PostgresConnections.isConnectionLoss(e) {
                throw StoreError(.busy, "the connection to the database was lost; nothing was applied", detail: PostgresConnections.describe(e))
            }
            throw PostgresStoreError("the database refused: \(PostgresConnections.describe(e))")
        } catch let e as AnswerTimeout {
            throw StoreError(.busy, "\(e) (the connection was closed); nothing was applied")
        }
    }
}


extension PostgresStore: StoreHealthReporting {
    public var kind: DirectoryStoreKind { .postgresql }
    public var lastChangeDelay: Double? { delay.withLock { $0 } }

    /// `1 s`, `0.5 s`: a duration as a person writes it.
    static func seconds(_ t: TimeInterval) -> String {
        t == t.rounded() ? "\(Int(t)) s" : "\(t) s"
    }
}
