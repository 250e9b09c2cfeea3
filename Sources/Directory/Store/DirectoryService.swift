public import Foundation
import Synchronization

/// Runs commands against a store and publishes each new model to the readers: the one writer of
/// a process. Writes are serialised; readers never wait for them. The store is reachable only
/// through the commands: no write path can skip their rules.
public final class DirectoryService: Sendable {
    let store: any DirectoryStore
    /// The model readers take snapshots of.
    public let live: LiveDirectory
    private let state: Mutex<StoredDirectory>
    /// Writes waiting for the next group commit, and whether a writer is committing.
    private let queue = Mutex<WriteQueue>(WriteQueue())
    /// The sequence number published and when the service last caught up with the store (read
    /// by ``NodeStatus`` without waiting for a write, which holds `state` while it waits for the
    /// database).
    private let position: Mutex<(sequence: Int64, caughtUp: Date)>

    /// Loads the directory from the store.
    public init(store: any DirectoryStore) throws {
        self.store = store
        let loaded = try store.load()
        self.state = Mutex(loaded)
        self.live = LiveDirectory(loaded.model)
        self.position = Mutex((loaded.sequence, Date()))
    }

    /// The sequence number the published model includes and the last time the service read the
    /// store's change log up to its head (the load, a catch-up, or a write under the lock).
    var progress: (sequence: Int64, caughtUp: Date) { position.withLock { $0 } }

    /// Records that the service is current with the store as of now, at `sequence`.
    private func markCaughtUp(_ sequence: Int64) {
        let now = Date()
        position.withLock { $0 = (sequence, now) }
    }

    /// The base DN the store was initialised with.
    public var baseDN: String { state.withLock { $0.baseDN } }

    /// The change-log sequence number the published model includes.
    public var sequence: Int64 { state.withLock { $0.sequence } }

    /// Validates, applies and persists a command, then publishes the new model.
    /// - Throws: ``DirectoryError`` for a broken rule (nothing is written), ``StoreError`` with
    ///   code `busy` when the database stayed locked by another writer, or the store's error.
    @discardableResult
    public func execute(_ command: DirectoryCommand, by context: CommandContext) throws -> AuditRecord {
        try execute(by: context) { _ throws(DirectoryError) in command }
    }

    /// Builds a command from the directory as it is under the write lock (caught up with what
    /// other processes committed), then validates, applies and persists it and publishes the new
    /// model. Use it for writes that depend on the current state (add a value to a group, a diff
    /// of a replace): they are computed against the model the command is applied to, never
    /// against an older snapshot.
    /// - Parameters:
    ///   - context: who issues the command, from where, with what rights.
    ///   - makeCommand: called once, inside the store's write transaction, with the current model.
    /// - Returns: the audit record of what the command did.
    /// - Throws: what `makeCommand` throws, ``DirectoryError`` for a broken rule, ``StoreError``
    ///   with code `busy` when the database stayed locked; in every case nothing is written.
    @discardableResult
    public func execute(
        by context: CommandContext, _ makeCommand: (DirectoryModel) throws(DirectoryError) -> DirectoryCommand
    ) throws -> AuditRecord {
        try withoutActuallyEscaping(makeCommand) { make in
            let write = PendingWrite { (model: inout DirectoryModel) throws -> [AuditRecord] in
                let command = try make(model)
                return [try model.apply(command, by: context)]
            }
            return try submit(write).get()[0]
        }
    }

    /// Runs many writes as one group commit (one durable transaction), each built from the
    /// directory as the ones before it left it, under the write lock: an import's rows. A write
    /// whose builder returns nil has nothing to do and records nothing; one that throws or breaks
    /// a rule changes nothing and gets its error, the others are applied, each with its own
    /// change-log and audit records.
    /// - Parameters:
    ///   - context: who issues the writes, from where, with what rights.
    ///   - makeCommands: one builder per write, called once each, in order, inside the
    ///     transaction, with the current model.
    /// - Returns: each write's audit record (nil when it had nothing to do) or its error, in order;
    ///   when the transaction itself fails (busy, a disk error), every write gets that error.
    public func execute(
        group makeCommands: [(DirectoryModel) throws -> DirectoryCommand?], by context: CommandContext
    ) -> [Result<AuditRecord?, any Error>] {
        guard !makeCommands.isEmpty else { return [] }
        let writes = makeCommands.map { make in
            PendingWrite { (model: inout DirectoryModel) throws -> [AuditRecord] in
                guard let command = try make(model) else { throw NothingToDo() }
                return [try model.apply(command, by: context)]
            }
        }
        _ = submit(writes)
        return writes.map { w in
            switch w.result ?? .failure(StoreError(.busy, "the write was not run")) {
            case .success(let records): .success(records.first)
            case .failure(let e) where e is NothingToDo: .success(nil)
            case .failure(let e): .failure(e)
            }
        }
    }

    /// Runs many writes as one group commit, each of which may apply several commands: an
    /// import's rows (a row's missing departments, then its member). Each write is decided from
    /// the directory as the ones before it left it, under the write lock; a ``GroupWrite/one(_:)``
    /// is applied to that model itself (no copy: a failing command changes nothing), a
    /// ``GroupWrite/several(_:)`` on a copy that replaces it only when every command of it applied.
    /// - Parameters:
    ///   - makeWrites: one builder per write, called once each, in order, inside the transaction.
    ///   - context: who issues the writes, from where, with what rights.
    /// - Returns: each write's audit records (empty when it had nothing to do) or its error, in
    ///   order; when the transaction itself fails (busy, a disk error), every write gets that error.
    public func execute(
        writes makeWrites: [(DirectoryModel) throws -> GroupWrite], by context: CommandContext
    ) -> [Result<[AuditRecord], any Error>] {
        guard !makeWrites.isEmpty else { return [] }
        let writes = makeWrites.map { make in
            PendingWrite { (model: inout DirectoryModel) throws -> [AuditRecord] in
                let write = try make(model)
                // A write that applies no command records nothing (no change-log record either).
                let records = try CommandSteps.run(write, on: &model, by: context)
                if records.isEmpty { throw NothingToDo() }
                return records
            }
        }
        _ = submit(writes)
        return writes.map { w in
            switch w.result ?? .failure(StoreError(.busy, "the write was not run")) {
            case .success(let records): .success(records)
            case .failure(let e) where e is NothingToDo: .success([])
            case .failure(let e): .failure(e)
            }
        }
    }

    /// Runs many commands in one write transaction (an import): each is built from the directory
    /// as the ones before it left it (under the write lock, like ``execute(by:_:)``), validated
    /// and applied, with its own change-log and audit record.
    /// - Parameters:
    ///   - context: who issues the commands, from where, with what rights.
    ///   - allOrNothing: when true, nothing is applied unless every command applies (they are
    ///     first tried on a copy of the model, inside the same transaction); the first failure
    ///     is reported for its command and every other one fails with `notApplied`.
    ///   - steps: the commands, each made from the current model.
    /// - Returns: each step's outcome, in order: its audit record, or the error that kept it
    ///   from being applied (a failing step changes nothing).
    /// - Throws: ``StoreError`` (busy, disk) when the transaction itself failed: nothing is written.
    public func executeAll(
        by context: CommandContext, allOrNothing: Bool = false,
        _ steps: [(DirectoryModel) throws(DirectoryError) -> DirectoryCommand]
    ) throws -> [Result<AuditRecord, any Error>] {
        guard !steps.isEmpty else { return [] }
        // With allOrNothing, the first body tries every step on a copy; the outcome gates the rest.
        let gate = ExecuteAllGate()
        var bodies: [DirectoryStoreWrite] = []
        for (index, step) in steps.enumerated() {
            bodies.append { (model: inout DirectoryModel) throws -> [AuditRecord] in
                if allOrNothing && index == 0 {
                    var trial = model
                    for (i, s) in steps.enumerated() {
                        do throws(DirectoryError) {
                            _ = try trial.apply(try s(trial), by: context)
                        } catch {
                            gate.failure = (i, error)
                            break
                        }
                    }
                }
                if let (failed, error) = gate.failure {
                    if failed == index { throw error }
                    throw DirectoryError(.constraintViolation, "not applied: step \(failed + 1) failed (\(error.message)), so nothing was")
                }
                return [try model.apply(try step(model), by: context)]
            }
        }
        return try state.withLock { (current: inout StoredDirectory) throws -> [Result<AuditRecord, any Error>] in
            do {
                let (next, outcomes) = try store.writeBatch(from: current, bodies)
                current = next
                live.publish(next.model)
                markCaughtUp(next.sequence)
                return outcomes.map { $0.map { $0[0] } }
            } catch {
                if let caughtUp = try? store.catchUp(current) {
                    if caughtUp.sequence != current.sequence {
                        current = caughtUp
                        live.publish(caughtUp.model)
                    }
                    markCaughtUp(caughtUp.sequence)
                }
                throw error
            }
        }
    }

    /// A group write with nothing to do: thrown by its body so the store records nothing.
    private struct NothingToDo: Error {}

    // MARK: - Group commit

    /// Writers that arrive while another commits wait for the next commit and share it: one
    /// durable commit (one fsync) for all of them, each command still validated against the
    /// model the ones before it left, with its own change-log and audit records. Leadership
    /// passes to the first writer of the next group, so no caller runs others' writes for long.
    private func submit(_ write: PendingWrite) -> Result<[AuditRecord], any Error> { submit([write]) }

    /// Submits writes that go into one group, in order (they join the queue together, so the
    /// leader that takes one takes them all); returns the first one's result.
    private func submit(_ writes: [PendingWrite]) -> Result<[AuditRecord], any Error> {
        let write = writes[0]
        let leadsNow = queue.withLock { (q: inout WriteQueue) -> Bool in
            q.waiting.append(contentsOf: writes)
            if q.committing { return false }
            q.committing = true
            return true
        }
        if !leadsNow { write.wake.wait() }
        if let result = write.result { return result }
        // This writer leads the next group: everyone waiting, itself included.
        let group = queue.withLock { (q: inout WriteQueue) -> [PendingWrite] in
            let group = q.waiting
            q.waiting = []
            return group
        }
        commit(group)
        // Drop every caller's closure before waking them: their callers' closures must not
        // outlive the calls that lent them (`withoutActuallyEscaping`).
        var wakes: [DispatchSemaphore] = []
        let own = Set(writes.map(ObjectIdentifier.init))
        for w in group {
            w.body = nil
            if !own.contains(ObjectIdentifier(w)) { wakes.append(w.wake) }
        }
        let next = queue.withLock { (q: inout WriteQueue) -> DispatchSemaphore? in
            guard let first = q.waiting.first else {
                q.committing = false
                return nil
            }
            return first.wake
        }
        for wake in wakes { wake.signal() }
        next?.signal()
        return write.result ?? .failure(StoreError(.busy, "the write was not run"))
    }

    private func commit(_ group: [PendingWrite]) {
        state.withLock { (current: inout StoredDirectory) in
            do {
                let bodies = group.map { $0.body ?? { _ in throw StoreError(.busy, "the write was not run") } }
                let (next, outcomes) = try store.writeBatch(from: current, bodies)
                current = next
                live.publish(next.model)
                markCaughtUp(next.sequence)
                for (write, outcome) in zip(group, outcomes) { write.result = outcome }
            } catch {
                // The commands were checked against what others committed; show readers that too.
                if let caughtUp = try? store.catchUp(current) {
                    if caughtUp.sequence != current.sequence {
                        current = caughtUp
                        live.publish(caughtUp.model)
                    }
                    markCaughtUp(caughtUp.sequence)
                }
                for write in group { write.result = .failure(error) }
            }
        }
    }

    /// Whether a writer of another process is waiting for the store's write lock (true when the
    /// store cannot tell): an import pauses between its group commits only then.
    public var anotherWriterIsWaiting: Bool { store.anotherWriterIsWaiting() }

    /// Audit records, oldest first, from `since` (seconds since 1970) on, at most `limit`.
    /// - Throws: the store's error.
    public func audit(since: Double?, limit: Int) throws -> [AuditRecord] {
        try store.audit(AuditQuery(since: since, limit: limit))
    }

    /// Audit records matching `query`.
    /// - Throws: the store's error.
    public func audit(_ query: AuditQuery) throws -> [AuditRecord] {
        try store.audit(query)
    }

    /// Whether other servers take writes on this directory's store at the same time.
    public var servesSeveralNodes: Bool { store.servesSeveralNodes }

    /// The failed binds (wrong password) of an account in the audit log within the last
    /// `window` seconds, oldest first, after its last successful bind, unlock or password change
    /// (and, when `sinceLock`, after its last lock: a lock starts the count again).
    /// - Throws: the store's error.
    public func recentBindFailures(account: String, window: Double, sinceLock: Bool = false, now: Date? = nil) throws -> [Date] {
        let since = (now ?? Date()).timeIntervalSince1970 - window
        var out: [Date] = []
        let records = try store.audit(AuditQuery(since: since, account: account, limit: 500, newestFirst: true))
        for r in records.sorted(by: { $0.time > $1.time }) {
            guard r.target.lowercased() == account.lowercased() else { continue }
            if r.action == "bind.failure" {
                if r.after["reason"] == Authenticator.Refusal.wrongPassword.rawValue { out.append(r.time) }
                continue
            }
            if r.action == "bind" || r.action == "account.unlock" || r.action.hasSuffix("setPassword")
                || (r.action == "member.update" && r.after["password"] != nil) || (sinceLock && r.action == "account.lock")
            {
                break
            }
        }
        return out.reversed()
    }

    /// Applies what other processes committed; returns whether anything changed.
    @discardableResult
    public func refresh() throws -> Bool {
        try state.withLock { (current: inout StoredDirectory) throws -> Bool in
            let next = try store.catchUp(current)
            defer { markCaughtUp(next.sequence) }
            guard next.sequence != current.sequence else { return false }
            current = next
            live.publish(next.model)
            return true
        }
    }
}

/// The writes waiting for a group commit.
private struct WriteQueue {
    var waiting: [PendingWrite] = []
    var committing = false
}

/// One caller's write, waiting for the commit that carries it.
private final class PendingWrite: @unchecked Sendable {
    // Safe: `body` is called, then cleared, only by the group's leader while this write's caller
    // is blocked on `wake` (or is the leader itself); `result` is written before `wake` is signalled and read
    // after it returns (the semaphore orders the two), or by the leader on its own thread.
    var body: DirectoryStoreWrite?
    var result: Result<[AuditRecord], any Error>?
    let wake = DispatchSemaphore(value: 0)

    init(_ body: @escaping DirectoryStoreWrite) { self.body = body }
}

/// The outcome of an all-or-nothing trial in ``DirectoryService/executeAll(by:allOrNothing:_:)``.
private final class ExecuteAllGate: @unchecked Sendable {
    // Safe: written and read only by the bodies of one writeBatch call, which run one after
    // another on the calling thread.
    var failure: (Int, DirectoryError)?
}
