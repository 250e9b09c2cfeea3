import LDAPProtocol

/// What evaluating a filter on one entry costs, roughly, so that a search can bound the time of
/// a batch by the work it does and not only by the entries it examines: a filter of thousands of
/// in-chain clauses or a 4 MB assertion is expensive on every entry.
struct FilterCost: Sendable, Hashable {
    /// Filter items (and/or/not count too).
    var items = 0
    /// Bytes of assertion values.
    var bytes = 0
    /// Extensible-match items (in-chain memberOf resolves DNs for each).
    var extensible = 0

    init(_ filter: Filter) { add(filter) }

    private mutating func add(_ f: Filter) {
        items += 1
        switch f {
        case .and(let list), .or(let list): list.forEach { add($0) }
        case .not(let inner): add(inner)
        case .equalityMatch(let a), .greaterOrEqual(let a), .lessOrEqual(let a), .approxMatch(let a): bytes += a.value.count
        case .substrings(let s): bytes += (s.initial?.count ?? 0) + s.any.reduce(0) { $0 + $1.count } + (s.final?.count ?? 0)
        case .present: break
        case .extensibleMatch(let m):
            extensible += 1
            bytes += m.value.count
        }
    }

    /// The cost of one evaluation in units of a simple item: an item is 1, 256 bytes of
    /// assertion 1, an extensible match 16.
    var weight: Int { max(1, items + bytes / 256 + extensible * 16) }
}
