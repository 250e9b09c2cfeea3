import HashTreeCollections

/// A persistent index from string keys to account keys answering exact and prefix lookups.
///
/// Keys are bucketed by their first character in a hash tree; each bucket is a sorted run of
/// chunks of at most ``chunkLimit`` entries. A lookup is a binary search over a bucket's chunks,
/// then within one; a write copies one chunk and the bucket's list of chunks (readers holding an
/// older snapshot keep theirs) — never a whole bucket, so the cost of a write does not grow with
/// the directory (a bucket of 100 000 keys is a list of a few hundred chunks).
public struct PrefixIndex: Sendable {
    struct Entry: Sendable, Comparable {
        var key: String
        var account: String
        static func < (a: Entry, b: Entry) -> Bool { a.key != b.key ? a.key < b.key : a.account < b.account }
    }

    /// A chunk splits in two when it grows beyond this many entries.
    static let chunkLimit = 512

    /// Each bucket's chunks: non-empty, each sorted, in order.
    private var buckets: TreeDictionary<Character, [[Entry]]> = [:]

    public init() {}

    /// The chunk an entry belongs in: the last one whose first entry is not after it.
    private static func chunkIndex(_ chunks: [[Entry]], _ entry: Entry) -> Int {
        max(0, chunks.partitioningIndex { entry < $0[0] } - 1)
    }

    /// Adds `account` under `key`.
    public mutating func insert(_ key: String, account: String) {
        guard let first = key.first else { return }
        let entry = Entry(key: key, account: account)
        var chunks = buckets[first] ?? []
        guard !chunks.isEmpty else {
            buckets[first] = [[entry]]
            return
        }
        let c = Self.chunkIndex(chunks, entry)
        var chunk = chunks[c]
        let i = chunk.partitioningIndex { !($0 < entry) }
        if i < chunk.count && chunk[i] == entry { return }
        chunk.insert(entry, at: i)
        if chunk.count > Self.chunkLimit {
            let half = chunk.count / 2
            chunks.replaceSubrange(c...c, with: [Array(chunk[..<half]), Array(chunk[half...])])
        } else {
            chunks[c] = chunk
        }
        buckets[first] = chunks
    }

    /// Removes `account` from under `key`.
    public mutating func remove(_ key: String, account: String) {
        guard let first = key.first, var chunks = buckets[first], !chunks.isEmpty else { return }
        let entry = Entry(key: key, account: account)
        let c = Self.chunkIndex(chunks, entry)
        var chunk = chunks[c]
        let i = chunk.partitioningIndex { !($0 < entry) }
        guard i < chunk.count && chunk[i] == entry else { return }
        chunk.remove(at: i)
        if chunk.isEmpty { chunks.remove(at: c) } else { chunks[c] = chunk }
        buckets[first] = chunks.isEmpty ? nil : chunks
    }

    /// Builds the index from unsorted pairs at once (loading a store).
    public mutating func build(_ pairs: [(String, String)]) {
        var grouped: [Character: [Entry]] = [:]
        for (key, account) in pairs {
            guard let first = key.first else { continue }
            grouped[first, default: []].append(Entry(key: key, account: account))
        }
        var tree = TreeDictionary<Character, [[Entry]]>()
        let size = Self.chunkLimit / 2
        for (c, entries) in grouped {
            var sorted = entries.sorted()
            // Duplicates (the same key for the same account) are kept once, as insert does.
            var unique: [Entry] = []
            unique.reserveCapacity(sorted.count)
            for e in sorted where unique.last != e { unique.append(e) }
            sorted = unique
            tree[c] = stride(from: 0, to: sorted.count, by: size).map { Array(sorted[$0..<min($0 + size, sorted.count)]) }
        }
        buckets = tree
    }

    /// Calls `body` with each entry from the first whose key is at least `key`, in order, until
    /// it returns false.
    private func scan(from key: String, _ body: (Entry) -> Bool) {
        guard let first = key.first, let chunks = buckets[first] else { return }
        var c = chunks.partitioningIndex { ($0.last?.key ?? "") >= key }
        guard c < chunks.count else { return }
        var i = chunks[c].partitioningIndex { $0.key >= key }
        while c < chunks.count {
            let chunk = chunks[c]
            while i < chunk.count {
                if !body(chunk[i]) { return }
                i += 1
            }
            c += 1
            i = 0
        }
    }

    /// Accounts whose key equals `key`.
    public func exact(_ key: String) -> [String] {
        var out: [String] = []
        scan(from: key) { e in
            guard e.key == key else { return false }
            out.append(e.account)
            return true
        }
        return out
    }

    /// Accounts whose key starts with `prefix` (all accounts for an empty prefix).
    public func prefix(_ prefix: String) -> [String] {
        guard !prefix.isEmpty else { return buckets.values.flatMap { $0.flatMap { $0.map(\.account) } } }
        var out: [String] = []
        scan(from: prefix) { e in
            guard e.key.hasPrefix(prefix) else { return false }
            out.append(e.account)
            return true
        }
        return out
    }

    /// How many entries the index holds.
    public var count: Int { buckets.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }
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
