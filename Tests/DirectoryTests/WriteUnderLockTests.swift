import Directory
import Foundation
@testable import Storage
import Testing

/// Writes are computed against the directory as it is under the write lock, and a write that
/// cannot get the database in bounded time fails as `busy` with nothing applied (issue 8, item 2).
@Suite struct WriteUnderLockTests {
    @Test(arguments: StoreConformanceTests.kinds)
    func aCommandBuiltUnderTheLockKeepsAnotherWritersChange(kind: StoreKind) throws {
        var model = sampleModel()
        model.run(.createGroup(name: "项目组", description: nil, members: []))
        let (store, reopen) = try kind.make(model)
        let server = try DirectoryService(store: store)
        let cli = try DirectoryService(store: try reopen())
        // Another process adds lisi; the server's snapshot does not have it yet.
        try cli.execute(.addGroupMembers("项目组", [acct("lisi")]), by: admin)
        #expect(server.live.snapshot().group("项目组")?.members == [])
        // The server's write adds zhangsan001 as a delta computed from the model under the lock.
        var seen: [Account] = []
        try server.execute(by: admin) { current throws(DirectoryError) in
            let members = current.group("项目组")?.members ?? []
            seen = members
            return .setGroup("项目组", members: members + [acct("zhangsan001")], description: nil)
        }
        #expect(seen == [acct("lisi")], "the command was built from the caught-up model")
        let final = try DirectoryService(store: try reopen()).live.snapshot()
        #expect(final.group("项目组")?.members == [acct("lisi"), acct("zhangsan001")], "both writes survive")
    }

    @Test func aWriteThatCannotGetTheDatabaseFailsAsBusyWithinTheBound() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-busy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("roster.sqlite").path
        _ = try SQLiteStore.create(path: path, baseDN: "dc=example,dc=com", model: sampleModel())
        let store = try SQLiteStore(path: path, busyTimeout: 0.3)
        #expect(store.busyTimeout == 0.3)
        #expect(try SQLiteStore(path: path).busyTimeout == 5, "the documented default")
        let service = try DirectoryService(store: store)
        let sequence = service.sequence

        // A second connection (another process, in effect) takes the write lock and keeps it.
        let other = try SQLiteStore(path: path)
        let lock = try WriteLockHolder(other)
        #expect(lock.isHeld)

        let start = Date()
        var caught: (any Error)?
        do {
            try service.execute(.updateMember(acct("lisi"), fields: [.title: "经理"]), by: admin)
        } catch {
            caught = error
        }
        let waited = Date().timeIntervalSince(start)
        lock.release()
        let busy = try #require(caught as? StoreError)
        #expect(busy.code == .busy)
        #expect(busy.message.contains("busy"))
        #expect(waited >= 0.25, "it waited for the lock")
        #expect(waited < 3, "it gave up within the bound (waited \(waited) s)")
        #expect(service.sequence == sequence)
        #expect(service.live.snapshot().member("lisi")?.title == nil, "nothing applied")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try SQLiteStore(path: path).load().model.member("lisi")?.title == nil, "nothing stored")
        // Once the lock is free the same write goes through.
        try service.execute(.updateMember(acct("lisi"), fields: [.title: "经理"]), by: admin)
        #expect(try SQLiteStore(path: path).load().model.member("lisi")?.title == "经理")
    }

    /// Durability: every connection the store writes through runs with `synchronous=FULL` (2), so
    /// an acknowledged write survives a crash. Fails if the pragma were OFF or NORMAL.
    @Test func theStoreWritesWithSynchronousFull() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("roster.sqlite").path
        let store = try SQLiteStore.create(path: path, baseDN: "dc=example,dc=com", model: sampleModel())
        let synchronous = try store.pragmaInForce("synchronous")
        #expect(synchronous == "2", "FULL on the connection writes go through")
        #expect(try store.pragmaInForce("journal_mode")?.lowercased() == "wal")
        let reopened = try SQLiteStore(path: path)
        let again = try reopened.pragmaInForce("synchronous")
        #expect(again == "2", "FULL again after reopening")
    }
}
