import NIOCore
import Synchronization

/// The connections not bound with a name and password, oldest first. When the server has its
/// limit of connections open, the oldest of them is closed for each new client (which then takes
/// its place), so connections left idle before a bind — from however many addresses — cannot
/// keep everyone else out until their idle timeout; bound connections are never closed for room.
final class UnboundConnections: Sendable {
    private struct State {
        var order: [ObjectIdentifier] = []
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Mutex(State())

    /// Whether `channel` is unbound (true: it may be closed for room).
    func set(_ channel: any Channel, unbound: Bool) {
        let id = ObjectIdentifier(channel)
        state.withLock { s in
            if unbound {
                guard s.channels[id] == nil else { return }
                s.channels[id] = channel
                s.order.append(id)
            } else if s.channels.removeValue(forKey: id) != nil {
                s.order.removeAll { $0 == id }
            }
        }
    }

    /// The connection has closed.
    func remove(_ channel: any Channel) { set(channel, unbound: false) }

    /// Asks the oldest unbound connection to close; returns whether there was one.
    @discardableResult
    func evictOldest() -> Bool {
        let victim = state.withLock { s -> (any Channel)? in
            guard !s.order.isEmpty else { return nil }
            let id = s.order.removeFirst()
            return s.channels.removeValue(forKey: id)
        }
        guard let victim else { return false }
        victim.pipeline.fireUserInboundEventTriggered(ClosedForRoom())
        return true
    }

    var count: Int { state.withLock { $0.order.count } }
}

/// The event that closes an unbound connection to make room for a new client.
struct ClosedForRoom: Sendable {}
