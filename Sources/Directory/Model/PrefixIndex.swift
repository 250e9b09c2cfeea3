import HashTreeCollections

/// A persistent index from string keys to account keys answering exact and prefix lookups.
///
/// Keys are bucketed by their first character in a hash tree, each bucket a sorted array, so a
/// lookup is a binary search in one bucket, and a write copies one bucket (readers holding an
/// older snapshot keep theirs) — never the whole index.
public struct PrefixIndex: Sendable {
    struct Entry: Sendable, Comparable {
        var key: String
        var account: String
        static func < (a: Entry, b: Entry) -> Bool { a.key != b.key ? a.key < b.key : a.account < b.account }
    }

    private var buckets: TreeDictionary<Character, [Entry]> = [:]

    public init() {}

    /// Adds `account` under `key`.
    public mutating func insert(_ key: String, account: String) {
        guard let first = key.first else { return }
        let entry = Entry(key: key, account: account)
        var bucket = buckets[first] ?? []
        let i = bucket.partitioningIndex { !($0 < entry) }
        if i < bucket.count && bucket[i] == entry { return }
        bucket.insert(entry, at: i)
        buckets[first] = bucket
    }

    /// Removes `account` from under `key`.
    public mutating func remove(_ key: String, account: String) {
        guard let first = key.first, var bucket = buckets[first] else { return }
        let entry = Entry(key: key, account: account)
        let i = bucket.partitioningIndex { !($0 < entry) }
        guard i < bucket.count && bucket[i] == entry else { return }
        bucket.remove(at: i)
        buckets[first] = bucket.isEmpty ? nil : bucket
    }

    /// Builds the index from unsorted pairs at once (loading a store).
    public mutating func build(_ pairs: [(String, String)]) {
        var grouped: [Character: [Entry]] = [:]
        for (key, account) in pairs {
            guard let first = key.first else { continue }
            grouped[first, default: []].append(Entry(key: key, account: account))
        }
        var tree = TreeDictionary<Character, [Entry]>()
        for (c, entries) in grouped { tree[c] = entries.sorted() }
        buckets = tree
    }

    /// Accounts whose key equals `key`.
    public func exact(_ key: String) -> [String] {
        guard let first = key.first, let bucket = buckets[first] else { return [] }
        var i = bucket.partitioningIndex { $0.key >= key }
        var out: [String] = []
        while i < bucket.count && bucket[i].key == key {
            out.append(bucket[i].account)
            i += 1
        }
        return out
    }

    /// Accounts whose key starts with `prefix` (all accounts for an empty prefix).
    public func prefix(_ prefix: String) -> [String] {
        guard let first = prefix.first else { return buckets.values.flatMap { $0.map(\.account) } }
        guard let bucket = buckets[first] else { return [] }
        var i = bucket.partitioningIndex { $0.key >= prefix }
        var out: [String] = []
        while i < bucket.count && bucket[i].key.hasPrefix(prefix) {
            out.append(bucket[i].account)
            i += 1
        }
        return out
    }

    /// How many entries the index holds.
    public var count: Int { buckets.values.reduce(0) { $0 + $1.count } }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate false then true.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
