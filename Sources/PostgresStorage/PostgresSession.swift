import Directory
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The store's connections to PostgreSQL, used synchronously.
///
/// The storage port is synchronous, and a write runs the domain's command (a closure) between
/// its statements, on the caller's thread. So each statement goes out through postgres-nio's
/// `EventLoopFuture` interface and the caller waits for its answer: only the calling thread
/// blocks, the event loop only moves bytes. `EventLoopFuture.wait()` refuses (a precondition) to
/// run on an event loop thread, so a caller on one would trap at once in every test rather than
/// stall a loop. The callers are the CLI's main thread, the LDAP server's write and verify thread
/// pools (`NIOThreadPool`), the change follower's dispatch queue and the audit trail's thread.
/// (`PostgresClient` offers only `async` calls, whose continuations need the cooperative pool
/// that a blocked synchronous caller may be holding: on two cores that can deadlock.)
final class PostgresConnections: Sendable {
    let configuration: PostgresConnection.Configuration
    let location: PostgresLocation
    let logger: Logger
    private let eventLoops: any EventLoopGroup
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)
    /// Connections kept open between uses.
    static let maximumIdle = 4
    /// The longest a caller waits for a statement's answer before the connection is given up
    /// (closed) and the caller told `busy`: 30 s, or the lock timeout and 25 s more. Found by
    /// review: after a PostgreSQL restart under writes, a statement's answer never came, so the
    /// writer waited for ever, every later write queued behind it and SIGTERM could not stop
    /// the node.
    let answerTimeout: TimeInterval

    init(location: PostgresLocation, lockTimeout: TimeInterval?, logger: Logger, eventLoops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.location = location
        self.configuration = try location.configuration(lockTimeout: lockTimeout)
        self.answerTimeout = max(30, (lockTimeout ?? 0) + 25)
        self.logger = logger
        self.eventLoops = eventLoops
    }

    deinit {
        for connection in idle.withLock({ $0 }) { Self.close(connection) }
    }

    /// Closes a connection without waiting; it stays referenced until it is closed
    /// (postgres-nio asserts that a connection is closed before it is released).
    static func close(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Opens a new connection (waiting for it).
    func connect() throws -> PostgresConnection {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        do {
            let future = PostgresConnection.connect(on: eventLoops.next(), configuration: configuration, id: id, logger: logger)
            return try PostgresSession.wait(for: future, atMost: answerTimeout) {
                future.whenSuccess { PostgresConnections.close($0) }
            }
        } catch {
            throw StoreError(
                .busy, "the database cannot be reached; nothing was applied",
                detail: "\(location): \(PostgresConnections.describe(error))")
        }
    }

    /// Runs `body` on a connection: an idle one, or a new one. A connection that failed is
    /// dropped; a healthy one goes back to the idle set.
    func with<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let reused = idle.withLock { $0.popLast() }
        let connection: PostgresConnection
        if let reused, !reused.isClosed {
            connection = reused
        } else {
            connection = try connect()
        }
        let session = PostgresSession(connection: connection, logger: logger, reused: reused != nil, answerTimeout: answerTimeout)
        do {
            let result = try body(session)
            giveBack(session.connection)
            return result
        } catch {
            if session.connection.isClosed || session.broken {
                Self.close(session.connection)
            } else {
                giveBack(session.connection)
            }
            throw error
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let extra = idle.withLock { (list: inout [PostgresConnection]) -> PostgresConnection? in
            guard list.count < Self.maximumIdle else { return connection }
            list.append(connection)
            return nil
        }
        if let extra { Self.close(extra) }
    }

    /// One transaction on a connection: BEGIN (`mode`), `body`, COMMIT; ROLLBACK when `body`
    /// throws. A reused connection found dead at BEGIN (the server restarted) is replaced once:
    /// nothing had been sent on it.
    func transaction<T>(_ mode: String = "", _ body: (PostgresSession) throws -> T) throws -> T {
        try with { session in
            do {
                try session.run("BEGIN \(mode)")
            } catch where session.reused && PostgresConnections.isConnectionLoss(error) {
                Self.close(session.connection)
                session.connection = try connect()
                session.reused = false
                try session.run("BEGIN \(mode)")
            }
            let result: T
            do {
                result = try body(session)
            } catch {
                // Statements still in flight answer first (their errors are this one's consequences).
                // A connection given up (no answer in time) is closed: the server rolls back.
                if !session.broken { try? session.flush() }
                if !session.broken {
                    do {
                        try session.run("ROLLBACK")
                    } catch {
                        session.broken = true
                    }
                }
                throw error
            }
            do {
                try session.run("COMMIT")
            } catch {
                session.broken = true
                if PostgresConnections.isConnectionLoss(error) {
                    throw StoreError(
                        .busy, "the connection to the database was lost while committing; the write may or may not have been applied",
                        detail: PostgresConnections.describe(error))
                }
                throw error
            }
            return result
        }
    }

    // MARK: - Errors

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func isConnectionLoss(_ error: any Error) -> Bool {
        if error is AnswerTimeout { return true }
        guard let e = error as? PSQLError else { return error is ChannelError }
        return [.serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection].contains(e.code)
            || ["57P01", "57P02", "57P03"].contains(e.serverInfo?[.sqlState] ?? "")
    }

    /// What went wrong, without the query's values (PSQLError's own description hides everything).
    static func describe(_ error: any Error) -> String {
        guard let e = error as? PSQLError else { return "\(error)" }
        if let info = e.serverInfo {
            return [info[.sqlState].map { "SQLSTATE \($0)" }, info[.message], info[.detail]].compactMap { $0 }.joined(separator: ": ")
        }
        if let underlying = e.underlying { return "\(e.code): \(underlying)" }
        return "\(e.code)"
    }
}

/// One connection in use, by one thread: runs statements and waits for their rows.
final class PostgresSession {
    var connection: PostgresConnection
    let logger: Logger
    /// Whether the connection came from the idle set (and may have died since).
    var reused: Bool
    /// Whether the connection must not be used again (a ROLLBACK or COMMIT failed, or an answer
    /// did not come in time).
    var broken = false
    /// See ``PostgresConnections/answerTimeout``.
    let answerTimeout: TimeInterval

    init(connection: PostgresConnection, logger: Logger, reused: Bool, answerTimeout: TimeInterval = 30) {
        self.connection = connection
        self.logger = logger
        self.reused = reused
        self.answerTimeout = answerTimeout
    }

    /// Waits for a future at most `seconds`, or until `dead` has said true for half a second;
    /// then runs `giveUp` and throws ``AnswerTimeout`` (the future is left to complete, or not,
    /// on its own).
    static func wait<T: Sendable>(
        for future: EventLoopFuture<T>, atMost seconds: TimeInterval, dead: () -> Bool = { false }, giveUp: () -> Void
    ) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        let deadline = DispatchTime.now() + seconds
        var deadSlices = 0
        while done.wait(timeout: min(deadline, .now() + 0.25)) != .success {
            deadSlices = dead() ? deadSlices + 1 : 0
            if DispatchTime.now() >= deadline || deadSlices >= 2 {
                giveUp()
                throw AnswerTimeout(seconds: deadSlices >= 2 ? nil : seconds)
            }
        }
        return try outcome.withLock { $0! }.get()
    }

    /// Waits for a statement's answer. Found by review: after a PostgreSQL restart under
    /// writes, the answer to a statement sent as the connection died never came (neither rows
    /// nor an error), so the writer waited for ever. Now the wait ends when the connection has
    /// been closed for half a second, or after ``answerTimeout``; the connection is then closed
    /// and never used again (its transaction, if any, is rolled back by the server).
    func wait<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let connection = self.connection
        return try Self.wait(for: future, atMost: answerTimeout, dead: { connection.isClosed }) {
            broken = true
            PostgresConnections.close(connection)
        }
    }

    /// Statements sent and not yet waited for (``send(_:_:)``), in order.
    private var pending: [EventLoopFuture<PostgresQueryResult>] = []

    /// Runs one statement with `$1…` parameters and returns its rows (after waiting for the
    /// statements sent before it).
    @discardableResult
    func run(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> [PostgresRandomAccessRow] {
        let future = send(sql, binds)
        try flush()
        return try wait(future).rows.map { $0.makeRandomAccess() }
    }

    /// Sends a statement without waiting for its answer: the connection runs statements in
    /// order, so a write transaction's rows go out in one round trip. Its error, if any, is
    /// thrown by the next ``run(_:_:)`` or ``flush()``.
    @discardableResult
    func send(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) -> EventLoopFuture<PostgresQueryResult> {
        let future = connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        pending.append(future)
        return future
    }

    /// Checks run on sent statements' results when they are waited for.
    private var checks: [(EventLoopFuture<PostgresQueryResult>, (PostgresQueryResult) throws -> Void)] = []

    /// Checks a sent statement's result at the next ``flush()``.
    func check(_ future: EventLoopFuture<PostgresQueryResult>, _ body: @escaping (PostgresQueryResult) throws -> Void) {
        checks.append((future, body))
    }

    /// Waits for every statement sent; throws the first one's error, then the first failed check.
    func flush() throws {
        let waiting = pending, checking = checks
        pending = []
        checks = []
        var first: (any Error)?
        for f in waiting {
            do { _ = try wait(f) } catch { if first == nil { first = error } }
        }
        if let first { throw first }
        for (f, body) in checking { try body(try wait(f)) }
    }
}

/// A statement's answer that did not come in time (the connection was closed).
struct AnswerTimeout: Error, CustomStringConvertible {
    /// The time waited (nil: the connection closed without answering).
    var seconds: TimeInterval?
    var description: String {
        seconds.map { "no answer from the database within \(Int($0)) s" } ?? "the connection to the database closed without an answer"
    }
}

/// Builds a statement's parameters.
struct Binds {
    var bindings = PostgresBindings()
    var count: Int { bindings.count }

    /// Appends a value and returns its placeholder (`$N`).
    @discardableResult
    mutating func add(_ value: String?) -> String {
        if let value { bindings.append(value) } else { bindings.appendNull() }
        return "$\(bindings.count)"
    }

    @discardableResult
    mutating func add(_ value: Int64?) -> String {
        if let value { bindings.append(value) } else { bindings.appendNull() }
        return "$\(bindings.count)"
    }

    @discardableResult
    mutating func add(_ value: Double?) -> String {
        if let value { bindings.append(value) } else { bindings.appendNull() }
        return "$\(bindings.count)"
    }

    @discardableResult
    mutating func add(_ value: Bool) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }
}

extension PostgresRandomAccessRow {
    func string(_ column: String) throws -> String { try self[column].decode(String.self) }
    func optionalString(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func int64(_ column: String) throws -> Int64 { try self[column].decode(Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try self[column].decode(Int64?.self) }
    func double(_ column: String) throws -> Double { try self[column].decode(Double.self) }
    func optionalDouble(_ column: String) throws -> Double? { try self[column].decode(Double?.self) }
    func bool(_ column: String) throws -> Bool { try self[column].decode(Bool.self) }
}
