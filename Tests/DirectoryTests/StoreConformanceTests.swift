import Directory
import Foundation
import PostgresStorage
import PostgresTestSupport
import Storage
import Testing

/// How to make a fresh store holding a model, and a second handle on the same store (another
/// process, for SQLite).
struct StoreKind: Sendable, CustomStringConvertible {
    var description: String
    var make: @Sendable (DirectoryModel) throws -> (any DirectoryStore, @Sendable () throws -> any DirectoryStore)

    static let inMemory = StoreKind(description: "in-memory") { model in
        let store = InMemoryStore(model)
        return (store, { store })
    }

    static let sqlite = StoreKind(description: "SQLite") { model in
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("roster.sqlite").path
        let store = try SQLiteStore.create(path: path, baseDN: "dc=example,dc=com", model: model)
        return (store, { try SQLiteStore(path: path) })
    }

    /// A new database in the test run's PostgreSQL cluster; a second handle is another node.
    static let postgres = StoreKind(description: "PostgreSQL") { model in
        let location = try PostgresStoreFixture.newLocation()
        try PostgresStore.create(location: location, baseDN: "dc=example,dc=com", model: model)
        // A generous lock wait: these tests check what is kept, not the bound (PostgresStoreTests
        // checks that), and the whole suite shares two cores.
        return (try PostgresStore(location: location, lockTimeout: 30), { try PostgresStore(location: location, lockTimeout: 30) })
    }
}

/// Databases for the PostgreSQL store's tests.
enum PostgresStoreFixture {
    /// A new, empty database in the shared cluster.
    static func newLocation(query: String = "") throws -> PostgresLocation {
        let cluster = try PostgresCluster.shared()
        return try PostgresLocation(parsing: cluster.url(try cluster.createDatabase(), query: query), password: cluster.password)
    }
}

@Suite struct StoreConformanceTests {
    static let kinds: [StoreKind] = [.inMemory, .sqlite, .postgres]

    @Test(arguments: kinds)
    func whatIsWrittenIsWhatLoads(kind: StoreKind) throws {
        let (store, reopen) = try kind.make(sampleModel())
        let service = try DirectoryService(store: store)
        try service.execute(.createDepartment(DepartmentDraft(name: "华北区", parent: service.live.snapshot().id("营销中心"), order: 3, scope: .subdepartment, hidden: true, description: "北方")), by: admin)
        try service.execute(.updateMember(acct("lisi"), fields: [.title: "经理", .birthday: "1990-01-02", .lunarBirthday: "12-30", .qq: "123456", .pinned: "yes"]), by: admin)
        try service.execute(.createGroup(name: "项目组", description: "跨部门", members: [acct("lisi"), acct("zhangsan001")]), by: admin)
        try service.execute(.depart(acct("zhangsan001")), by: admin)
        try service.execute(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: true)), by: admin)
        try service.execute(.putAdministrator(Administrator(name: "营销管理员", role: .subAdmin(scopes: [service.live.snapshot().id("营销中心")]), passwordHash: "{TEST}x", boundMember: acct("lisi"))), by: admin)
        try service.execute(.moveDepartment(service.live.snapshot().id("技术部"), to: service.live.snapshot().id("营销中心")), by: admin)
        let reloaded = try DirectoryService(store: try reopen())
        #expect(reloaded.live.snapshot().dump == service.live.snapshot().dump)
        #expect(reloaded.sequence == service.sequence)
        #expect(reloaded.baseDN == "dc=example,dc=com")
    }

    @Test(arguments: kinds)
    func aFailedCommandWritesNothing(kind: StoreKind) throws {
        let (store, reopen) = try kind.make(sampleModel())
        let service = try DirectoryService(store: store)
        let sequence = service.sequence
        let audit = try store.audit(since: nil, limit: 100).count
        #expect(throws: DirectoryError.self) {
            try service.execute(.updateMember(acct("lisi"), fields: [.title: "经理", .mobile: "13800138000"]), by: admin)
        }
        #expect(service.sequence == sequence)
        #expect(try store.audit(since: nil, limit: 100).count == audit)
        let reloaded = try DirectoryService(store: try reopen())
        #expect(reloaded.live.snapshot().member("lisi")?.title == nil)
        #expect(reloaded.live.snapshot().dump == service.live.snapshot().dump)
    }

    @Test(arguments: kinds)
    func anotherWritersChangesAreSeenAndRespected(kind: StoreKind) throws {
        let (store, reopen) = try kind.make(sampleModel())
        let server = try DirectoryService(store: store)
        let cli = try DirectoryService(store: try reopen())
        try cli.execute(.createMember(account: "wangwu", fields: [.name: "王五", .mobile: "13900000000"], departments: [], passwordHash: nil), by: admin)
        #expect(server.live.snapshot().member("wangwu") == nil)
        // The stale writer's command is checked against what the other one committed.
        #expect(throws: DirectoryError.self) {
            try server.execute(.createMember(account: "zhaoliu", fields: [.name: "赵六", .mobile: "139-0000-0000"], departments: [], passwordHash: nil), by: admin)
        }
        #expect(server.live.snapshot().member("wangwu") != nil, "a write catches up first")
        try cli.execute(.depart(acct("lisi")), by: admin)
        try cli.execute(.renameOrganization("新名字"), by: admin)
        #expect(try server.refresh())
        #expect(server.live.snapshot().member("lisi")?.isActive == false)
        #expect(server.live.snapshot().organization == "新名字")
        #expect(server.live.snapshot().dump == cli.live.snapshot().dump)
        #expect(try server.refresh() == false)
    }

    @Test(arguments: kinds)
    func theAuditLogRecordsEveryWriteInOrder(kind: StoreKind) throws {
        let (store, _) = try kind.make(sampleModel())
        let service = try DirectoryService(store: store)
        let start = try store.audit(since: nil, limit: 1000).count
        let ctx = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "ldap 127.0.0.1:4000")
        try service.execute(.updateMember(acct("lisi"), fields: [.title: "经理"]), by: ctx)
        try service.execute(.depart(acct("lisi")), by: ctx)
        let records = Array(try store.audit(since: nil, limit: 1000).dropFirst(start))
        #expect(records.map(\.action) == ["member.update", "member.depart"])
        #expect(records[0].source == "ldap 127.0.0.1:4000")
        #expect(records[0].after["title"] == "经理")
        #expect(records[1].before["status"] == "active")
        #expect(records[1].after["status"] == "departed")
        let future = Date().timeIntervalSince1970 + 3600
        #expect(try store.audit(since: future, limit: 1000).isEmpty)
    }

    @Test(arguments: kinds)
    func concurrentWritersLoseNothing(kind: StoreKind) async throws {
        let (store, reopen) = try kind.make(sampleModel())
        let services = try [DirectoryService(store: store)] + (0..<3).map { _ in try DirectoryService(store: try reopen()) }
        // Threads, not tasks: the writers block on SQLite and must not starve the cooperative pool.
        try await onThreads(services.count) { w in
            for i in 0..<25 {
                try services[w].execute(.createMember(account: "w\(w)m\(i)", fields: [.name: "并发", .email: "w\(w)m\(i)@x.com"], departments: [], passwordHash: nil), by: admin)
            }
        }
        let final = try DirectoryService(store: try reopen()).live.snapshot()
        for w in 0..<4 { for i in 0..<25 { #expect(final.member("w\(w)m\(i)") != nil) } }
        #expect(final.memberCount == 102)
    }
}


/// Runs `body(0..<n)` on `n` threads and waits without blocking a cooperative thread.
func onThreads(_ n: Int, _ body: @escaping @Sendable (Int) throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for i in 0..<n {
            group.addTask {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    Thread { c.resume(with: Result { try body(i) }) }.start()
                }
            }
        }
        try await group.waitForAll()
    }
}
