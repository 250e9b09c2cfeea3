import Directory
import Foundation
import Storage
import Synchronization
import Testing

/// Writers that arrive together share one commit, and each keeps its own rules, change-log
/// record and audit record: nothing lost, nothing half-applied, a broken rule refuses only
/// its own command.
@Suite struct GroupCommitTests {
    @Test(arguments: StoreConformanceTests.kinds)
    func concurrentWritersShareCommitsAndLoseNothing(kind: StoreKind) throws {
        let (store, reopen) = try kind.make(sampleModel())
        let service = try DirectoryService(store: store)
        let before = service.sequence
        let auditBefore = try service.audit(since: nil, limit: 100_000).count
        let writers = 12, each = 15
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for i in 0..<each {
                let account = "gc\(w)x\(i)"
                // Every writer's third command reuses writer 0's first mobile: refused, alone.
                let mobile = i % 3 == 2 && w != 0 ? "13700000000" : "137\(String(format: "%04d%04d", w, i))"
                do {
                    try service.execute(
                        .createMember(account: account, fields: [.name: "并发\(w)", .mobile: mobile], departments: [], passwordHash: nil), by: admin)
                } catch let e as DirectoryError {
                    failures.withLock { $0.append("\(account): \(e.message)") }
                } catch {
                    failures.withLock { $0.append("\(account): unexpected \(error)") }
                }
            }
        }
        let refused = failures.withLock { $0 }
        // Writer 0 owns 13700000000 from its first write; every other writer's i%3==2 is refused.
        let expectedRefused = (writers - 1) * (0..<each).filter { $0 % 3 == 2 }.count
        #expect(refused.count == expectedRefused, "\(refused.prefix(3))")
        #expect(refused.allSatisfy { $0.contains("mobile: 13700000000 is already used") })
        let created = writers * each - expectedRefused
        #expect(service.sequence == before + Int64(created), "one change-log record per applied command")
        #expect(try service.audit(since: nil, limit: 100_000).count == auditBefore + created)
        let reloaded = try DirectoryService(store: try reopen()).live.snapshot()
        for w in 0..<writers {
            for i in 0..<each where !(i % 3 == 2 && w != 0) {
                #expect(reloaded.member("gc\(w)x\(i)") != nil, "gc\(w)x\(i) is stored")
            }
        }
        #expect(reloaded.dump == service.live.snapshot().dump)
    }
}
