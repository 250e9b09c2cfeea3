public import Logging
import Synchronization

/// Log lines for limits that clients hit, rate-limited per limit: the first hit is logged at
/// once, further hits of the same limit within ``interval`` are only counted, and the next line
/// says how many were left out. One client hitting a limit in a loop (or 10 000 connections
/// hitting the per-address limit) therefore costs a line per interval, not a line per hit.
///
/// Shared by every connection of a server (it lives in the ``Frontend``).
public final class LimitLog: Sendable {
    private struct Entry {
        var last: ContinuousClock.Instant
        var suppressed: Int
    }

    private let logger: Logger
    /// Shortest time between two lines about the same limit.
    public let interval: Duration
    private let state = Mutex<[Limits.Name: Entry]>([:])

    /// - Parameters:
    ///   - logger: where the lines go.
    ///   - interval: shortest time between two lines about the same limit. Default 10 s.
    public init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Records that a client hit `limit`; logs it unless a line about the same limit was logged
    /// less than ``interval`` ago.
    /// - Parameters:
    ///   - limit: the limit.
    ///   - message: what happened, without the limit's name (it is added).
    ///   - peer: the client's address, when known.
    public func hit(_ limit: Limits.Name, _ message: @autoclosure () -> String, peer: String? = nil) {
        let now = ContinuousClock.now
        let left: Int? = state.withLock { entries in
            if let entry = entries[limit], now - entry.last < interval {
                entries[limit]?.suppressed += 1
                return nil
            }
            let left = entries[limit]?.suppressed ?? 0
            entries[limit] = Entry(last: now, suppressed: 0)
            return left
        }
        guard let left else { return }
        var metadata: Logger.Metadata = ["limit": "\(limit.rawValue)"]
        if let peer { metadata["peer"] = "\(peer)" }
        if left > 0 { metadata["unlogged"] = "\(left)" }
        logger.log(level: Self.level(of: limit), "limit hit: \(message())", metadata: metadata)
    }

    /// Limits hostile or broken clients hit are warnings; the others are a server doing its job.
    static func level(of limit: Limits.Name) -> Logger.Level {
        switch limit {
        case .maxConnections, .maxOutstandingOperations, .idleTimeout, .idleTimeoutBeforeBind, .timeLimit, .sizeLimit:
            .info
        default: .warning
        }
    }
}
