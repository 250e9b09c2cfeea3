import Directory
import Foundation
@testable import Storage
import Testing

/// An import pauses between its group commits only when a writer of another process waits for
/// the database (found by review: a 30 ms pause after every group was 6 s of a 100 000-row
/// import). The waiter's busy handler makes its wait visible to the holder, and clears it after.
@Suite struct WriterWaitSignalTests {
    @Test func aWaitingWriterIsSeenByTheHolderAndClearedOnceItHasWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-wait-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("roster.sqlite").path
        _ = try SQLiteStore.create(path: path, baseDN: "dc=example,dc=com", model: sampleModel())
        let holder = try SQLiteStore(path: path)
        let waiter = try DirectoryService(store: try SQLiteStore(path: path))
        #expect(!holder.anotherWriterIsWaiting(), "nobody waits")
        #expect(!FileManager.default.fileExists(atPath: path + "-writer-waiting"))

        // The holder (an import's group commit, in effect) takes the write lock and keeps it
        // until told; meanwhile it looks for a waiting writer.
        let lock = try WriteLockHolder(holder)
        #expect(lock.isHeld)
        #expect(!holder.anotherWriterIsWaiting(), "the lock is held, nobody waits yet")

        let wrote = DispatchSemaphore(value: 0)
        let writing = Thread {
            _ = try? waiter.execute(.updateMember(acct("lisi"), fields: [.title: "经理"]), by: admin)
            wrote.signal()
        }
        writing.start()
        var seen = false
        let deadline = Date().addingTimeInterval(3)
        while !seen && Date() < deadline {
            seen = holder.anotherWriterIsWaiting()
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(seen, "the holder sees the waiting writer")
        lock.release()
        #expect(wrote.wait(timeout: .now() + 10) == .success)
        #expect(waiter.live.snapshot().member("lisi")?.title == "经理", "the waiter got its turn")
        #expect(!FileManager.default.fileExists(atPath: path + "-writer-waiting"), "the waiter clears the signal after its write")
        #expect(!holder.anotherWriterIsWaiting())
    }

    @Test func aSignalLeftBehindIsStale() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-wait-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let signal = WriterWaitSignal(database: dir.appendingPathComponent("roster.sqlite").path)
        signal.touch()
        #expect(signal.isFresh)
        Thread.sleep(forTimeInterval: 0.15)
        #expect(!signal.isFresh, "a file not touched for 100 ms (a killed waiter's) means nothing")
    }
}
