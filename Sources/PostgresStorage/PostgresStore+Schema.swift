import Directory
import Foundation

extension PostgresStore {
    /// One schema change: applied once, in order, recorded in `schema_version`.
    struct Migration {
        var version: Int64
        var name: String
        var statements: [String]
    }

    /// The schema, versioned like SQLite's migrations (v1 holds what SQLite's v1–v4 built up).
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "v1: directory, change log, audit",
            statements: [
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                """
                CREATE TABLE departments (
                    id BIGINT PRIMARY KEY, name TEXT NOT NULL, parent_id BIGINT, sort_order BIGINT NOT NULL,
                    scope TEXT NOT NULL, leaders TEXT NOT NULL, hidden BOOLEAN NOT NULL, description TEXT,
                    uuid TEXT NOT NULL, created_by TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                    modified_by TEXT NOT NULL, modified_at DOUBLE PRECISION NOT NULL)
                """,
                """
                CREATE TABLE members (
                    account_key TEXT PRIMARY KEY, account TEXT NOT NULL, name TEXT NOT NULL, nickname TEXT,
                    gender TEXT, wechat TEXT, mobile TEXT, email TEXT, phone TEXT, phone2 TEXT, address TEXT,
                    qq TEXT, title TEXT, birthday TEXT, lunar_birthday TEXT, birthday_reminder TEXT,
                    hire_date TEXT, remarks TEXT, follow_status TEXT NOT NULL, pinned BOOLEAN NOT NULL,
                    hidden BOOLEAN NOT NULL, departments TEXT NOT NULL, status TEXT NOT NULL,
                    departed_at DOUBLE PRECISION, departed_by TEXT, previous_departments TEXT, password_hash TEXT,
                    uuid TEXT NOT NULL, created_by TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                    modified_by TEXT NOT NULL, modified_at DOUBLE PRECISION NOT NULL, pinyin TEXT,
                    locked_at DOUBLE PRECISION, locked_until DOUBLE PRECISION, password_changed_at DOUBLE PRECISION)
                """,
                """
                CREATE TABLE groups (
                    key TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, members TEXT NOT NULL,
                    uuid TEXT NOT NULL, created_by TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                    modified_by TEXT NOT NULL, modified_at DOUBLE PRECISION NOT NULL)
                """,
                """
                CREATE TABLE administrators (
                    key TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, scopes TEXT NOT NULL,
                    attributes TEXT, password_hash TEXT, bound_member TEXT, locked_at DOUBLE PRECISION,
                    locked_until DOUBLE PRECISION, password_changed_at DOUBLE PRECISION)
                """,
                "CREATE TABLE field_policy (field TEXT PRIMARY KEY, shown BOOLEAN NOT NULL, self_editable BOOLEAN NOT NULL)",
                // The gap-free sequence: one row, updated in every write transaction under the
                // write lock (a PostgreSQL sequence hands out values before commit, and a rolled
                // back transaction leaves a hole). `pruned_through`: the change log holds every
                // change after it; a node behind it reloads its snapshot.
                """
                CREATE TABLE change_counter (
                    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), seq BIGINT NOT NULL,
                    pruned_through BIGINT NOT NULL)
                """,
                "INSERT INTO change_counter(only_row, seq, pruned_through) VALUES (TRUE, 0, 0)",
                """
                CREATE TABLE change_log (
                    seq BIGINT PRIMARY KEY, changes TEXT NOT NULL, committed_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """,
                """
                CREATE TABLE audit (
                    seq BIGSERIAL PRIMARY KEY, time DOUBLE PRECISION NOT NULL, actor TEXT NOT NULL,
                    source TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, before TEXT NOT NULL,
                    after TEXT NOT NULL)
                """,
                "CREATE INDEX audit_time ON audit(time)",
                "CREATE INDEX audit_target ON audit(lower(target), seq)",
            ]),
    ]

    /// Applies the migrations the database lacks, under an advisory lock so that nodes starting
    /// together migrate once.
    static func migrate(_ connections: PostgresConnections) throws {
        try connections.transaction { s in
            try s.run("SELECT pg_advisory_xact_lock(\(migrationLockKey))")
            try s.run(
                "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            let current = try s.run("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version").first?.int64("v") ?? 0
            let known = migrations.last?.version ?? 0
            guard current <= known else {
                throw PostgresStoreError(
                    "\(connections.location) has schema version \(current), newer than this Roster knows (\(known)); upgrade Roster")
            }
            for m in migrations where m.version > current {
                for statement in m.statements { try s.run(statement) }
                var b = Binds()
                try s.run("INSERT INTO schema_version(version, name) VALUES (\(b.add(m.version)), \(b.add(m.name)))", b.bindings)
            }
        }
    }

    /// The schema version the database is at.
    public func schemaVersion() throws -> Int64 {
        try connections.with { s in try s.run("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version").first?.int64("v") ?? 0 }
    }
}
