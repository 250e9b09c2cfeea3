import Foundation
import Synchronization

/// Records bind attempts durably without making a bind wait for the disk: records are queued in
/// memory and a background thread writes them in batches, one transaction (one fsync) per batch,
/// every ``interval`` seconds or as soon as ``batchSize`` are waiting. ``flush()`` writes what
/// waits (the server calls it when it stops). A record is lost only if the process dies within
/// one interval of the bind. When the store stays unwritable, at most ``maximumQueued`` records
/// wait; beyond that the oldest are dropped and counted (``dropped``).
public final class AuditTrail: Sendable {
    public let interval: Double
    public let batchSize: Int
    public static let maximumQueued = 100_000

    private struct State {
        var queued: [AuditRecord] = []
        var stopped = false
        var dropped = 0
    }

    private let store: any DirectoryStore
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    /// Held while a batch is written, so flush() returns only once everything queued before it is on disk.
    private let writing = Mutex(())

    /// - Parameters:
    ///   - store: where records go.
    ///   - interval: longest a record waits, in seconds (default 0.2).
    ///   - batchSize: records that trigger a write at once (default 512).
    public init(store: any DirectoryStore, interval: Double = 0.2, batchSize: Int = 512) {
        self.store = store
        self.interval = interval
        self.batchSize = max(1, batchSize)
        let thread = Thread { [self] in self.run() }
        thread.name = "roster-audit"
        thread.start()
    }

    /// The service's store's trail.
    public convenience init(service: DirectoryService, interval: Double = 0.2, batchSize: Int = 512) {
        self.init(store: service.store, interval: interval, batchSize: batchSize)
    }

    /// Queues a record; never blocks on the disk.
    public func record(_ r: AuditRecord) {
        let full = state.withLock { s -> Bool in
            s.queued.append(r)
            if s.queued.count > Self.maximumQueued {
                s.queued.removeFirst(s.queued.count - Self.maximumQueued)
                s.dropped += 1
            }
            return s.queued.count >= batchSize
        }
        if full { wake.signal() }
    }

    /// Records dropped because the store stayed unwritable.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Writes everything queued so far; returns once it is durable (or the store refused it).
    public func flush() {
        writing.withLock { _ in writeQueued() }
    }

    /// Flushes and stops the background thread.
    public func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
        flush()
    }

    private func run() {
        while true {
            _ = wake.wait(timeout: .now() + interval)
            if state.withLock({ $0.stopped }) { return }
            flush()
        }
    }

    private func writeQueued() {
        let batch = state.withLock { s -> [AuditRecord] in
            defer { s.queued = [] }
            return s.queued
        }
        guard !batch.isEmpty else { return }
        do {
            try store.recordBinds(batch)
        } catch {
            // Put them back in front, to be tried with the next batch.
            state.withLock { s in s.queued.insert(contentsOf: batch, at: 0) }
        }
    }
}
