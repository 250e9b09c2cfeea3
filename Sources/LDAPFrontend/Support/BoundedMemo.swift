import Synchronization

/// Values computed once per key and remembered, for all connections, up to a bound (past it the
/// memory starts over): for derived strings that every search would otherwise recompute.
final class BoundedMemo<Value: Sendable>: Sendable {
    private let cache = Mutex<[String: Value]>([:])
    let limit: Int

    init(limit: Int = 100_000) { self.limit = limit }

    func value(for key: String, _ compute: () -> Value) -> Value {
        if let known = cache.withLock({ $0[key] }) { return known }
        let value = compute()
        cache.withLock { c in
            if c.count >= limit { c.removeAll(keepingCapacity: true) }
            c[key] = value
        }
        return value
    }
}
