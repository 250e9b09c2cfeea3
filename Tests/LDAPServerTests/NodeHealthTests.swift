import Foundation
import PostgresTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The rootDSE's health attributes for the super admin and service accounts, on PostgreSQL and on
/// SQLite, hidden from anonymous clients; a write that waits too long for another node's lock is
/// `busy` with nothing applied. In the multi-node suite: one PostgreSQL test at a time.
extension MultiNodeTests {
    static let healthAttributes = [
        "rosterNodeId", "rosterStore", "rosterAppliedSequence", "rosterLastCatchUp", "rosterListening", "rosterLagSeconds",
    ]

    /// The rootDSE's attributes as `ldapsearch` prints them (first value of each).
    func rootDSE(_ node: RosterNode, bind: [String], attributes: [String] = ["+"]) throws -> [String: String] {
        let r = try run("ldapsearch", ["-H", node.url, "-LLL", "-o", "ldif-wrap=no"] + bind + ["-b", "", "-s", "base", "(objectClass=*)"] + attributes)
        #expect(r.status == 0, "\(r.err)")
        var fields: [String: String] = [:]
        for line in r.out.split(separator: "\n") {
            guard let colon = line.range(of: ": ") else { continue }
            let name = String(line[..<colon.lowerBound])
            if fields[name] == nil { fields[name] = String(line[colon.upperBound...]) }
        }
        return fields
    }

    func roster(_ arguments: [String], password: String) throws -> (status: Int32, out: String, err: String) {
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = password
        env["ROSTER_PASSWORD_ROUNDS"] = "1000"
        return try runWithEnvironment(try rosterExecutable(), arguments, env)
    }

    /// Whether a GeneralizedTime (`20261201183000Z`) is within `seconds` of now.
    func isRecent(_ time: String?, within seconds: Double) -> Bool {
        guard let time else { return false }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMddHHmmss'Z'"
        guard let date = f.date(from: time) else { return false }
        return abs(date.timeIntervalSinceNow) <= seconds
    }

    @Test func theRootDSEShowsANodesHealthOnPostgreSQLToTheSuperAdminAndServiceAccountsOnly() async throws {
        let cluster = try PostgresCluster.shared()
        let url = try newDirectory(cluster)
        try await onOwnThread {
            let pw = FileManager.default.temporaryDirectory.appendingPathComponent("roster-svc-\(UUID().uuidString)").path
            try "Watch-pass-42\n".write(toFile: pw, atomically: true, encoding: .utf8)
            let svc = try roster(["service", "add", "monitor", "--password-file", pw, "--database", url], password: cluster.password)
            #expect(svc.status == 0, "\(svc.err)")
            // A long period: only the notification brings A's write to B.
            let a = try RosterNode(database: url, password: cluster.password, arguments: ["--node-id", "node-a", "--catch-up-interval", "60"])
            let b = try RosterNode(database: url, password: cluster.password, arguments: ["--node-id", "node-b", "--catch-up-interval", "60"])
            defer { a.stop(); b.stop() }
            var waited = 0
            while !b.log.contains("listening for changes") && waited < 100 {
                usleep(50_000)
                waited += 1
            }
            let sequence = try #require(Int(try status(url, password: cluster.password)["sequence"] ?? ""))
            let before = try rootDSE(b, bind: Self.admin)
            #expect(before["rosterNodeId"] == "node-b")
            #expect(before["rosterStore"] == "postgresql")
            #expect(before["rosterAppliedSequence"] == "\(sequence)", "the sequence roster status reads from the database")
            #expect(before["rosterListening"] == "TRUE")
            #expect(isRecent(before["rosterLastCatchUp"], within: 60), "\(before)")
            #expect(before["rosterLagSeconds"] == nil, "nothing has come from another node yet")
            #expect(before["namingContexts"] == "dc=example,dc=com", "the usual rootDSE is still there")

            #expect(try add(a, "healthy").status == 0)
            #expect(try waitUntil(b, sees: "healthy", within: 2) != nil)
            let after = try rootDSE(b, bind: Self.admin, attributes: ["rosterAppliedSequence", "rosterLagSeconds", "rosterLastCatchUp"])
            #expect(after["rosterAppliedSequence"] == "\(sequence + 1)")
            let lag = try #require(Double(after["rosterLagSeconds"] ?? ""), "\(after)")
            #expect(lag >= 0 && lag < 2, "A's write reached B within the 2 s the notification allows: \(lag) s")
            #expect(after["rosterNodeId"] == nil, "attributes asked for by name only")
            // The writer itself is current at once (read your writes).
            #expect(try rootDSE(a, bind: Self.admin)["rosterAppliedSequence"] == "\(sequence + 1)")

            let service = try rootDSE(b, bind: ["-x", "-D", "cn=monitor,cn=services,dc=example,dc=com", "-w", "Watch-pass-42"])
            #expect(service["rosterNodeId"] == "node-b", "a service account (monitoring) sees it: \(service)")
            #expect(service["rosterListening"] == "TRUE")
            // Anonymous: neither with + nor by name — the attributes reveal the topology.
            for attributes in [["+"], Self.healthAttributes] {
                let anonymous = try rootDSE(b, bind: ["-x"], attributes: attributes)
                for name in Self.healthAttributes { #expect(anonymous[name] == nil, "anonymous sees no \(name): \(anonymous)") }
            }
            #expect(try rootDSE(b, bind: ["-x"])["supportedLDAPVersion"] == "3", "anonymous still reads the rootDSE")
        }
    }

    @Test func theRootDSEShowsANodesHealthOnSQLite() async throws {
        try await onOwnThread {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-health-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let database = dir.appendingPathComponent("roster.sqlite").path
            let pw = dir.appendingPathComponent("pw").path
            try "Admin-pass-1\n".write(toFile: pw, atomically: true, encoding: .utf8)
            let initialised = try roster(["init", "--database", database, "--admin-password-file", pw], password: "")
            #expect(initialised.status == 0, "\(initialised.err)")
            let node = try RosterNode(database: database, password: "")
            defer { node.stop() }
            let health = try rootDSE(node, bind: Self.admin)
            #expect(health["rosterStore"] == "sqlite")
            #expect(health["rosterNodeId"] == "\(ProcessInfo.processInfo.hostName)-\(node.process.processIdentifier)", "the default: HOSTNAME-PID")
            #expect(health["rosterAppliedSequence"].flatMap { Int($0) } != nil, "\(health)")
            #expect(isRecent(health["rosterLastCatchUp"], within: 60), "\(health)")
            #expect(health["rosterListening"] == nil, "no listening connection on SQLite")
            #expect(health["rosterLagSeconds"] == nil)
            let anonymous = try rootDSE(node, bind: ["-x"])
            #expect(anonymous["vendorName"] == "Roster")
            for name in Self.healthAttributes { #expect(anonymous[name] == nil, "anonymous sees no \(name)") }
        }
    }

    @Test func aWriteThatWaitsLongerThanTheLockTimeoutIsBusyWithNothingApplied() async throws {
        let cluster = try PostgresCluster.shared()
        let url = try newDirectory(cluster)
        let database = try #require(url.split(separator: "/").last.map(String.init))
        try await onOwnThread {
            let node = try RosterNode(database: url, password: cluster.password, arguments: ["--pg-lock-timeout", "1"])
            defer { node.stop() }
            let sequence = try status(url, password: cluster.password)["sequence"]
            // Another connection holds Roster's write lock (the key of pg_advisory_xact_lock) for 4 s.
            let holder = Thread {
                _ = try? cluster.sql("SELECT pg_advisory_lock(125823003944306), pg_sleep(4)", database: database)
            }
            holder.start()
            var held = false
            for _ in 0..<100 where !held {
                held = (try? cluster.sql(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()",
                    database: database))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
                if !held { usleep(20_000) }
            }
            #expect(held, "the lock is held")
            let start = Date()
            let refused = try add(node, "locked")
            let waited = Date().timeIntervalSince(start)
            #expect(refused.status == 51, "busy (51): \(refused.text)")
            #expect(refused.text.contains("another writer held Roster's write lock for more than 1 s; nothing was applied"), "\(refused.text)")
            #expect(waited >= 0.9 && waited < 3.5, "it waited the 1 s given, not 5 s: \(waited) s")
            #expect(try !sees(node, "locked"), "nothing applied on the node")
            #expect(try status(url, password: cluster.password)["sequence"] == sequence, "nothing applied in the database")
            // Once the lock is released, the same write goes through.
            var retried = try add(node, "locked")
            let deadline = Date().addingTimeInterval(8)
            while retried.status == 51 && Date() < deadline { retried = try add(node, "locked") }
            #expect(retried.status == 0, "\(retried.text)")
            #expect(try sees(node, "locked"))
        }
    }
}
