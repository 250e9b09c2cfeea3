import Directory
import Foundation
@testable import PostgresStorage
import PostgresTestSupport
import Synchronization
import Testing

/// What the PostgreSQL store promises beyond the conformance suite: one gap-free change log for
/// every node, one writer at a time, a node far behind reloads, a bounded wait for the lock.
/// Writers wait up to 30 s for the lock except where the bound itself is tested: the suite
/// shares two cores with every other test.
@Suite(.serialized) struct PostgresStoreTests {
    /// The change log as the database holds it: (rows, lowest, highest, counter).
    func log(_ location: PostgresLocation) throws -> (count: Int, low: Int, high: Int, counter: Int) {
        let cluster = try PostgresCluster.shared()
        let out = try cluster.sql(
            "SELECT count(*), min(seq), max(seq), (SELECT seq FROM change_counter) FROM change_log", database: location.database)
        let parts = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map { Int($0) ?? -1 }
        return (parts[0], parts[1], parts[2], parts[3])
    }

    @Test func nodesWritingTogetherShareOneGapFreeChangeLog() async throws {
        let location = try PostgresStoreFixture.newLocation()
        try PostgresStore.create(location: location, baseDN: "dc=example,dc=com", model: sampleModel())
        let nodes = try (0..<3).map { _ in try DirectoryService(store: try PostgresStore(location: location, lockTimeout: 30)) }
        let refused = Mutex(0)
        try await onThreads(nodes.count) { n in
            for i in 0..<20 {
                // Every node's fifth write reuses one mobile: the first to commit owns it.
                let mobile = i % 5 == 4 ? "13911112222" : "139\(String(format: "%04d%04d", n, i))"
                do {
                    try nodes[n].execute(
                        .createMember(account: "n\(n)m\(i)", fields: [.name: "节点", .mobile: mobile], departments: [], passwordHash: nil),
                        by: admin)
                } catch let e as DirectoryError {
                    #expect(e.message == "mobile: 13911112222 is already used by \(e.conflict?.account.value ?? "?")", "\(e.message)")
                    refused.withLock { $0 += 1 }
                }
            }
        }
        // 3 nodes × 4 shared-mobile writes: one of the 12 wins.
        #expect(refused.withLock { $0 } == 11)
        let applied = 60 - 11
        let l = try log(location)
        #expect(l.count == 1 + applied, "one change-log row per command, plus the directory's creation")
        #expect(l.low == 1 && l.high == l.count, "no gaps: 1…\(l.count), got \(l.low)…\(l.high)")
        #expect(l.counter == l.high)
        for node in nodes { try node.refresh() }
        let fresh = try DirectoryService(store: try PostgresStore(location: location))
        #expect(fresh.sequence == Int64(l.high))
        for node in nodes {
            #expect(node.sequence == fresh.sequence)
            #expect(node.live.snapshot().dump == fresh.live.snapshot().dump)
        }
        #expect(fresh.live.snapshot().memberCount == 2 + applied)
    }

    @Test func twoNodesCreatingTheSameAccountAtOnceEndWithOneMemberAndOneCleanError() async throws {
        let location = try PostgresStoreFixture.newLocation()
        try PostgresStore.create(location: location, baseDN: "dc=example,dc=com", model: sampleModel())
        for round in 0..<5 {
            let nodes = try (0..<2).map { _ in try DirectoryService(store: try PostgresStore(location: location, lockTimeout: 30)) }
            let outcomes = Mutex<[String]>([])
            let go = DispatchSemaphore(value: 0)
            Thread {
                usleep(50_000)
                go.signal()
                go.signal()
            }.start()
            try await onThreads(2) { n in
                go.wait()
                do {
                    try nodes[n].execute(
                        .createMember(account: "same\(round)", fields: [.name: "同名\(n)", .email: "same\(round)n\(n)@x.com"], departments: [], passwordHash: nil),
                        by: admin)
                    outcomes.withLock { $0.append("ok") }
                } catch let e as DirectoryError {
                    outcomes.withLock { $0.append("\(e.code): \(e.message)") }
                }
            }
            let o = outcomes.withLock { $0 }.sorted()
            #expect(o.count == 2)
            #expect(o.first == "alreadyExists: account: same\(round) already exists", "\(o)")
            #expect(o.last == "ok")
        }
        let final = try PostgresStore(location: location).load().model
        for round in 0..<5 { #expect(final.member("same\(round)") != nil) }
        #expect(final.memberCount == 2 + 5)
    }

    @Test func aNodeAwayLongerThanTheRetentionReloadsItsSnapshot() throws {
        let location = try PostgresStoreFixture.newLocation()
        try PostgresStore.create(location: location, baseDN: "dc=example,dc=com", model: sampleModel(), retention: 3)
        let writer = try DirectoryService(store: try PostgresStore(location: location))
        let away = try DirectoryService(store: try PostgresStore(location: location))
        let awaySequence = away.sequence
        // A department made and deleted while the node is away: merging what the log still
        // lists could not remove it from a model that never saw it; a reload is exact.
        try writer.execute(.createDepartment(DepartmentDraft(name: "临时", parent: .root)), by: admin)
        try writer.execute(.createDepartment(DepartmentDraft(name: "常设", parent: .root)), by: admin)
        try writer.execute(.updateMember(acct("lisi"), fields: [.title: "经理"]), by: admin)
        try writer.execute(.deleteDepartment(writer.live.snapshot().id("临时")), by: admin)
        for i in 0..<6 { try writer.execute(.updateMember(acct("zhangsan001"), fields: [.title: "t\(i)"]), by: admin) }
        let l = try log(location)
        #expect(l.low > Int(awaySequence) + 1, "the changes after the away node's sequence were pruned (log \(l.low)…\(l.high))")
        #expect(l.count <= 2 * 3, "at most twice the retention is kept")
        #expect(try away.refresh())
        #expect(away.sequence == writer.sequence)
        #expect(away.live.snapshot().dump == writer.live.snapshot().dump)
        #expect(away.live.snapshot().department(atPath: ["临时"]) == nil)
        #expect(away.live.snapshot().member("zhangsan001")?.title == "t5")
    }

    @Test func aWriteWaitsForAnotherNodesLockThenFailsAsBusy() async throws {
        let location = try PostgresStoreFixture.newLocation()
        try PostgresStore.create(location: location, baseDN: "dc=example,dc=com", model: sampleModel())
        let store = try PostgresStore(location: location, lockTimeout: 0.3)
        #expect(try PostgresStore(location: location).lockTimeout == 5, "the documented default")
        let service = try DirectoryService(store: store)
        let sequence = service.sequence
        let cluster = try PostgresCluster.shared()
        // Another node holds the write lock for 10 s (long enough for a slow machine to notice).
        let holder = Thread {
            _ = try? cluster.sql(
                "BEGIN; SELECT pg_advisory_xact_lock(\(PostgresStore.writeLockKey)); SELECT pg_sleep(10); COMMIT", database: location.database)
        }
        holder.start()
        var held = false
        for _ in 0..<100 where !held {
            // Advisory locks are listed for the whole cluster: only this database's write lock counts.
            held = try cluster.sql(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.granted",
                database: location.database)
                .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
            if !held { usleep(20_000) }
        }
        #expect(held)
        let start = Date()
        let caught = #expect(throws: StoreError.self) {
            try service.execute(.updateMember(acct("lisi"), fields: [.title: "经理"]), by: admin)
        }
        let waited = Date().timeIntervalSince(start)
        #expect(caught?.code == .busy)
        #expect(caught?.message.contains("another writer held Roster's write lock for more than 0.3 s; nothing was applied") == true, "\(caught?.message ?? "")")
        #expect(waited >= 0.25 && waited < 2.5, "waited \(waited) s for a 0.3 s lock timeout")
        #expect(service.sequence == sequence)
        #expect(try PostgresStore(location: location).load().model.member("lisi")?.title == nil, "nothing stored")
    }

    @Test func migrationsAreVersionedAndAppliedOnce() throws {
        let location = try PostgresStoreFixture.newLocation()
        try PostgresStore.create(location: location, baseDN: "dc=example,dc=com", model: sampleModel())
        _ = try PostgresStore(location: location)
        let store = try PostgresStore(location: location)
        #expect(try store.schemaVersion() == PostgresStore.migrations.last?.version)
        let rows = try PostgresCluster.shared().sql("SELECT version, name FROM schema_version ORDER BY version", database: location.database)
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "1|v1: directory, change log, audit")
        #expect(throws: PostgresStoreError.self) {
            try PostgresStore.create(location: location, baseDN: "dc=example,dc=com", model: sampleModel())
        }
    }

    @Test func anEmptyDatabaseIsNotADirectory() throws {
        let location = try PostgresStoreFixture.newLocation()
        let e = #expect(throws: PostgresStoreError.self) { try PostgresStore(location: location) }
        #expect(e?.message.contains("holds no Roster directory") == true)
        #expect(try PostgresStore.holdsDirectory(location) == false)
        // Opening it created nothing in it (found by review: `roster status` on another
        // application's database created Roster's ten tables there).
        let tables = try PostgresCluster.shared().sql(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: location.database)
        #expect(tables.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func tlsWhenTheURLAsksForIt() throws {
        let plain = try PostgresStoreFixture.newLocation()
        try PostgresStore.create(location: plain, baseDN: "dc=example,dc=com", model: sampleModel())
        let cluster = try PostgresCluster.shared()
        let base = cluster.url(plain.database)
        for query in ["sslmode=require", "sslmode=verify-full&sslrootcert=\(cluster.certificate)"] {
            let location = try PostgresLocation(parsing: base + "?" + query, password: cluster.password)
            let store = try PostgresStore(location: location)
            #expect(try store.load().model.member("lisi") != nil, "\(query)")
            let ssl = try store.connections.with { s in try s.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.bool("ssl") }
            #expect(ssl == true, "\(query): the connection is encrypted")
        }
        let plainSSL = try PostgresStore(location: plain).connections.with { s in
            try s.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.bool("ssl")
        }
        #expect(plainSSL == false)
        // verify-full without the self-signed root: refused.
        let unverified = try PostgresLocation(parsing: base + "?sslmode=verify-full", password: cluster.password)
        #expect(throws: StoreError.self) { try PostgresStore(location: unverified) }
        // A wrong password: refused, not busy forever.
        let wrong = try PostgresLocation(parsing: base, password: "wrong")
        #expect(throws: (any Error).self) { try PostgresStore(location: wrong) }
    }

    @Test func urlsNameEveryPartOrSayWhatIsMissing() throws {
        let l = try PostgresLocation(parsing: "postgres://roster@db.example.com:5433/directory?sslmode=require", password: "p")
        #expect(l.user == "roster" && l.host == "db.example.com" && l.port == 5433 && l.database == "directory" && l.tls == .require)
        #expect(l.description == "postgres://roster@db.example.com:5433/directory?sslmode=require")
        #expect(try PostgresLocation(parsing: "postgresql://u@h/d", password: nil).port == 5432)
        let cases: [(String, String)] = [
            ("postgres://u:secret@h/d", "--database: the URL holds a password; give it in --database-password-file or PGPASSWORD instead"),
            ("postgres://h/d", "--database: the URL names no user (postgres://USER@HOST:PORT/DATABASE)"),
            ("postgres://u@h", "--database: the URL names no database (postgres://USER@HOST:PORT/DATABASE)"),
            ("postgres://u@h/d?sslmode=maybe", "--database: sslmode must be disable, require or verify-full, got maybe"),
            ("postgres://u@h/d?timeout=3", "--database: unknown URL parameter timeout (sslmode and sslrootcert are known)"),
        ]
        for (url, message) in cases {
            let e = #expect(throws: PostgresStoreError.self) { try PostgresLocation(parsing: url, password: nil) }
            #expect(e?.message == message, "\(url)")
        }
    }
}
