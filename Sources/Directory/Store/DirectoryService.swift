import Synchronization

/// Runs commands against a store and publishes each new model to the readers: the one writer of
/// a process. Writes are serialised; readers never wait for them.
public final class DirectoryService: Sendable {
    public let store: any DirectoryStore
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
    /// - Throws: ``DirectoryError`` for a broken rule (nothing is written), or the store's error.
    @discardableResult
    public func execute(_ command: DirectoryCommand, by context: CommandContext) throws -> AuditRecord {
        try state.withLock { (current: inout StoredDirectory) throws -> AuditRecord in
            let next: StoredDirectory
            let record: AuditRecord
            do {
                (next, record) = try store.write(from: current) { model in
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

    /// Builds a command from the model as it is under the write lock (caught up with what other
    /// processes committed), then validates, applies and persists it: what the command was made
    /// from is what it changes.
    /// - Throws: what `makeCommand` throws, ``DirectoryError`` for a broken rule (nothing is
    ///   written), or the store's error.
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
