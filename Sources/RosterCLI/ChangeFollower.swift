import Dispatch
import Directory
import Logging
import ServiceLifecycle

/// Applies, within a second, what other processes (the CLI, an import) commit to the database
/// the server serves: it polls the change log and merges the changed rows.
struct ChangeFollower: Service {
    let service: DirectoryService
    let logger: Logger
    /// How often the change log is read. Default 0.5 s.
    var interval: Duration = .milliseconds(500)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Off the cooperative pool: reading the database, and waiting for the service's
                // lock while a write waits for another process, may block.
                let service = self.service
                let changed = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Bool, any Error>) in
                    DispatchQueue.global().async { c.resume(with: Result { try service.refresh() }) }
                }
                if changed {
                    logger.info("applied changes from the database", metadata: ["sequence": "\(service.sequence)"])
                }
            } catch {
                logger.error("reading the change log failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
