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
                if try service.refresh() {
                    logger.info("applied changes from the database", metadata: ["sequence": "\(service.sequence)"])
                }
            } catch {
                logger.error("reading the change log failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
