import Dispatch
import Directory
import Logging
import ServiceLifecycle
import Synchronization

/// Applies what other processes (the CLI, an import, other nodes) commit to the database the
/// server serves: it catches up every ``interval``, and at once when rung (``Doorbell``: a
/// PostgreSQL notification). A ring carries no change: the catch-up reads every change after
/// the last one applied, in order, so a lost ring only delays a change to the next interval.
struct ChangeFollower: Service {
    let service: DirectoryService
    let logger: Logger
    /// How often the change log is read without a ring. Default 0.5 s.
    var interval: Duration = .milliseconds(500)
    /// Rung by the database's notifications, if it sends any.
    var doorbell: Doorbell? = nil

    func run() async throws {
        var reason = "start"
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Off the cooperative pool: reading the database, and waiting for the service's
                // lock while a write waits for another process, may block.
                let service = self.service
                let changed = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Bool, any Error>) in
                    DispatchQueue.global().async { c.resume(with: Result { try service.refresh() }) }
                }
                if changed {
                    logger.info("applied changes from the database", metadata: ["sequence": "\(service.sequence)", "reason": "\(reason)"])
                }
            } catch {
                logger.error("reading the change log failed", metadata: ["error": "\(error)"])
            }
            if let doorbell {
                reason = await withGracefulShutdownHandler {
                    await doorbell.wait(upTo: interval)
                } onGracefulShutdown: {
                    doorbell.ring("shutdown")
                }
            } else {
                try? await Task.sleep(for: interval)
                reason = "periodic catch-up"
            }
        }
    }
}

/// Wakes a waiting ``ChangeFollower``; rings while nobody waits are kept (one is enough).
final class Doorbell: Sendable {
    private struct State {
        var rung: String?
        var waiter: CheckedContinuation<String, Never>?
    }
    private let state = Mutex(State())

    /// Rings: wakes the waiter, or the next one to wait.
    func ring(_ reason: String) {
        let waiter = state.withLock { (s: inout State) -> CheckedContinuation<String, Never>? in
            guard let w = s.waiter else {
                if s.rung == nil { s.rung = reason }
                return nil
            }
            s.waiter = nil
            return w
        }
        waiter?.resume(returning: reason)
    }

    /// Waits for a ring, at most `timeout`; returns why it woke.
    func wait(upTo timeout: Duration) async -> String {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                ring("periodic catch-up")
            }
            let reason = await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<String, Never>) in
                    let early = state.withLock { (s: inout State) -> String? in
                        if let r = s.rung {
                            s.rung = nil
                            return r
                        }
                        s.waiter = c
                        return nil
                    }
                    if let early { c.resume(returning: early) }
                }
            } onCancel: {
                ring("shutdown")
            }
            group.cancelAll()
            // A timer ring that raced the real one is dropped: the next wait starts clean.
            state.withLock { $0.rung = nil }
            return reason
        }
    }
}
