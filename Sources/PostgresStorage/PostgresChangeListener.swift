public import Logging
import NIOCore
import NIOPosix
import PostgresNIO
public import ServiceLifecycle

/// Keeps one connection per node that LISTENs on ``PostgresStore/channel``. A notification
/// carries no change: it only wakes the node (``wake``), which then reads every change after the
/// last one it applied. After every (re)connect it wakes the node too, once LISTEN is in force,
/// so that what was committed while it was away is applied. A lost connection is reopened after
/// ``retryDelay``, doubling up to ``maximumRetryDelay`` while the server stays away.
public struct PostgresChangeListener: Service {
    /// Why the node is woken.
    public enum Reason: String, Sendable {
        case notification
        case connected
    }

    let location: PostgresLocation
    let logger: Logger
    let wake: @Sendable (Reason) -> Void
    /// Told when the listening connection comes up (true) and when it is lost (false).
    let listening: @Sendable (Bool) -> Void
    /// Tests only: drop every notification (as if the network lost them); the node then relies
    /// on its periodic catch-up.
    let ignoreNotifications: Bool
    public var retryDelay: Duration = .seconds(1)
    public var maximumRetryDelay: Duration = .seconds(8)

    /// - Parameters:
    ///   - location: the database.
    ///   - logger: where connection failures are logged.
    ///   - ignoreNotifications: tests only: drop notifications.
    ///   - listening: told when the listening connection comes up and goes down (the node's
    ///     health); must not block.
    ///   - wake: called on an event loop for every notification and after every (re)connect; must not block.
    public init(
        location: PostgresLocation, logger: Logger, ignoreNotifications: Bool = false, listening: @escaping @Sendable (Bool) -> Void = { _ in },
        wake: @escaping @Sendable (Reason) -> Void
    ) {
        self.location = location
        self.logger = logger
        self.ignoreNotifications = ignoreNotifications
        self.listening = listening
        self.wake = wake
    }

    public func run() async throws {
        let configuration = try location.configuration(lockTimeout: nil)
        var attempt = 0
        var delay = retryDelay
        var quiet = logger
        quiet.logLevel = .warning
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: attempt, logger: quiet
                ).get()
                let wake = self.wake, ignore = ignoreNotifications
                connection.addListener(channel: PostgresStore.channel) { _, _ in if !ignore { wake(.notification) } }
                // Statements run in order: once this answers, LISTEN is in force.
                _ = try await connection.query("SELECT 1", logger: quiet).get()
                logger.info("listening for changes", metadata: ["database": "\(location)", "ignoreNotifications": "\(ignore)"])
                listening(true)
                wake(.connected)
                delay = retryDelay
                try await withTaskCancellationHandler {
                    try await withGracefulShutdownHandler {
                        try await connection.closeFuture.get()
                    } onGracefulShutdown: {
                        PostgresConnections.close(connection)
                    }
                } onCancel: {
                    PostgresConnections.close(connection)
                }
                listening(false)
                if Task.isShuttingDownGracefully { return }
                logger.warning("the listening connection closed; reconnecting", metadata: ["database": "\(location)"])
            } catch {
                listening(false)
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                logger.warning(
                    "cannot listen for changes; retrying", metadata: ["database": "\(location)", "error": "\(PostgresConnections.describe(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, maximumRetryDelay)
        }
    }
}
