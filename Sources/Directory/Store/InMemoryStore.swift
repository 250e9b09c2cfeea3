import Foundation
import Synchronization

/// A store that keeps everything in memory and applies the real rules: the fake every test can
/// use, and the reference the conformance suite holds SQLite to.
public final class InMemoryStore: DirectoryStore {
    private struct State {
        var committed: StoredDirectory
        var log: [(Int64, ChangeSet)] = []
        var audit: [AuditRecord] = []
    }

    private let state: Mutex<State>

    /// - Parameter initial: the directory to start from.
    public init(_ initial: DirectoryModel, baseDN: String = "dc=example,dc=com") {
        var model = initial
        _ = model.takeChanges()
        state = Mutex(State(committed: StoredDirectory(model: model, sequence: 0, baseDN: baseDN)))
    }

    public func load() throws -> StoredDirectory { state.withLock { $0.committed } }

    public func write<T: Sendable>(
        from current: StoredDirectory, _ body: (inout DirectoryModel) throws -> (AuditRecord, T)
    ) throws -> (StoredDirectory, T) {
        try state.withLock { (s: inout State) throws -> (StoredDirectory, T) in
            var model = Self.catchUp(current, s).model
            _ = model.takeChanges()
            let (record, value) = try body(&model)
            let changes = model.takeChanges()
            let sequence = s.committed.sequence + 1
            s.committed = StoredDirectory(model: model, sequence: sequence, baseDN: s.committed.baseDN)
            s.log.append((sequence, changes))
            s.audit.append(record)
            return (s.committed, value)
        }
    }

    public func writeBatch(
        from current: StoredDirectory, _ bodies: [DirectoryStoreWrite]
    ) throws -> (StoredDirectory, [Result<[AuditRecord], any Error>]) {
        state.withLock { (s: inout State) -> (StoredDirectory, [Result<[AuditRecord], any Error>]) in
            var model = Self.catchUp(current, s).model
            _ = model.takeChanges()
            var outcomes: [Result<[AuditRecord], any Error>] = []
            for body in bodies {
                do {
                    let records = try body(&model)
                    let changes = model.takeChanges()
                    let sequence = s.committed.sequence + 1
                    s.committed = StoredDirectory(model: model, sequence: sequence, baseDN: s.committed.baseDN)
                    s.log.append((sequence, changes))
                    s.audit.append(contentsOf: records)
                    outcomes.append(.success(records))
                } catch {
                    _ = model.takeChanges()
                    outcomes.append(.failure(error))
                }
            }
            return (s.committed, outcomes)
        }
    }

    public func catchUp(_ current: StoredDirectory) throws -> StoredDirectory {
        state.withLock { Self.catchUp(current, $0) }
    }

    private static func catchUp(_ current: StoredDirectory, _ s: State) -> StoredDirectory {
        guard current.sequence < s.committed.sequence else { return current }
        var changes = ChangeSet()
        for (seq, c) in s.log where seq > current.sequence { changes.formUnion(c) }
        var model = current.model
        model.merge(s.committed.model.entities(for: changes))
        _ = model.takeChanges()
        return StoredDirectory(model: model, sequence: s.committed.sequence, baseDN: current.baseDN)
    }

    public func audit(_ query: AuditQuery) throws -> [AuditRecord] {
        state.withLock { s in
            let matching = s.audit.filter(query.matches)
            return query.newestFirst ? Array(matching.suffix(max(query.limit, 0)).reversed()) : Array(matching.prefix(max(query.limit, 0)))
        }
    }

    public func recordBinds(_ records: [AuditRecord]) throws { state.withLock { $0.audit.append(contentsOf: records) } }
}
