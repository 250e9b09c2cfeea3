import Synchronization

/// The directory the server reads: the current model behind a lock. Readers take a snapshot (a
/// copy-on-write value, so taking it costs a retain) and work on it without holding the lock.
public final class LiveDirectory: Sendable {
    private let current: Mutex<DirectoryModel>

    /// - Parameter model: the initial model.
    public init(_ model: DirectoryModel) { current = Mutex(model) }

    /// The model as it is now.
    public func snapshot() -> DirectoryModel { current.withLock { $0 } }

    /// Replaces the model (``DirectoryService`` publishing a write; nothing else may).
    func publish(_ model: DirectoryModel) { current.withLock { $0 = model } }
}
