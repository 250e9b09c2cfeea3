import Synchronization

/// Runs commands against a store and publishes each new model to the readers: the one writer of
/// a process. Writes are serialised; readers never wait for them. The store is reachable only
/// through the commands: no write path can skip their rules.
public final class DirectoryService: Sendable {
    let store: any DirectoryStore
    /// The model readers take snapshots of.
    public let live: LiveDirectory
    private let state: Mutex<StoredDirectory>

    /// Loads the directory from the store.
    public init(store: any DirectoryStore) throws {
        self.store = store
        let loaded = try store.load()
        self.state = Mutex(loaded)
        self.live = LiveDirectory(loaded.model)
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
        try state.withLock { (current: inout StoredDirectory) throws -> AuditRecord in
            let next: StoredDirectory
            let record: AuditRecord
            do {
                (next, record) = try store.write(from: current) { model in
                    let command = try makeCommand(model)
                    let record = try model.apply(command, by: context)
                    return (record, record)
                }
            } catch {
                // The command was checked against what others committed; show readers that too.
                if let caughtUp = try? store.catchUp(current), caughtUp.sequence != current.sequence {
                    current = caughtUp
                    live.publish(caughtUp.model)
                }
                throw error
            }
            current = next
            live.publish(next.model)
            return record
        }
    }

    /// Audit records, oldest first, from `since` (seconds since 1970) on, at most `limit`.
    /// - Throws: the store's error.
    public func audit(since: Double?, limit: Int) throws -> [AuditRecord] {
        try store.audit(since: since, limit: limit)
    }

    /// Records a bind attempt (success or failure) in the audit log.
    /// - Throws: the store's error (``StoreError`` `busy` when the database stayed locked).
    public func recordBind(_ record: AuditRecord) throws {
        try store.recordBind(record)
    }

    /// Applies what other processes committed; returns whether anything changed.
    @discardableResult
    public func refresh() throws -> Bool {
        try state.withLock { (current: inout StoredDirectory) throws -> Bool in
            let next = try store.catchUp(current)
            guard next.sequence != current.sequence else { return false }
            current = next
            live.publish(next.model)
            return true
        }
    }
}
