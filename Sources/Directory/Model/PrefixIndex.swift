import HashTreeCollections

/// A persistent index from string keys to account keys answering exact and prefix lookups.
///
/// Keys are bucketed by their first character in a hash tree; each bucket is a sorted sequence
/// kept as pages of chunks of entries (a two-level B-tree of nested arrays, each level at most
/// ``maxWidth`` wide). A lookup is a binary search over a bucket's pages, then a page's chunks,
/// then a chunk; a write copies one chunk, one page and the bucket's list of pages (readers
/// holding an older snapshot keep theirs) — each a few dozen references, whatever the size of
/// the bucket (found by profiling an import of 100 000 rows: a bucket of one list of 512-entry
/// chunks copied hundreds of references and a 16 KB chunk on every insert).
public struct PrefixIndex: Sendable {
    struct Entry: Sendable, Comparable {
        var key: String
        var account: String
        static func < (a: Entry, b: Entry) -> Bool { a.key != b.key ? a.key < b.key : a.account < b.account }
    }

    typealias Chunk = [Entry]
    typealias Page = [Chunk]

    /// A chunk (or a page) splits in two when it grows beyond this many entries (chunks).
    static let maxWidth = 96

    /// Each bucket's pages: non-empty, each a non-empty list of non-empty sorted chunks, in order.
    private var buckets: TreeDictionary<Character, [Page]> = [:]

    public init() {}

    /// The last index whose first entry is not after `entry` (0 when all are after it).
    private static func position<T>(_ items: [T], of entry: Entry, first: (T) -> Entry) -> Int {
        max(0, items.partitioningIndex { entry < first($0) } - 1)
    }

    /// Adds `account` under `key`.
    public mutating func insert(_ key: String, account: String) {
        guard let initial = key.first else { return }
        let entry = Entry(key: key, account: account)
        guard var pages = buckets.removeValue(forKey: initial), !pages.isEmpty else {
            buckets[initial] = [[[entry]]]
            return
        }
        let p = Self.position(pages, of: entry) { $0[0][0] }
        var page = pages[p]
        pages[p] = []
        let c = Self.position(page, of: entry) { $0[0] }
        var chunk = page[c]
        page[c] = []
        let i = chunk.partitioningIndex { !($0 < entry) }
        if i < chunk.count && chunk[i] == entry {
            page[c] = chunk
            pages[p] = page
            buckets[initial] = pages
            return
        }
        chunk.insert(entry, at: i)
        if chunk.count > Self.maxWidth {
            let half = chunk.count / 2
            page.replaceSubrange(c...c, with: [Array(chunk[..<half]), Array(chunk[half...])])
        } else {
            page[c] = chunk
        }
        if page.count > Self.maxWidth {
            let half = page.count / 2
            pages.replaceSubrange(p...p, with: [Array(page[..<half]), Array(page[half...])])
        } else {
            pages[p] = page
        }
        buckets[initial] = pages
    }

    /// Removes `account` from under `key`.
    public mutating func remove(_ key: String, account: String) {
        guard let initial = key.first, var pages = buckets[initial], !pages.isEmpty else { return }
        let entry = Entry(key: key, account: account)
        let p = Self.position(pages, of: entry) { $0[0][0] }
        let c = Self.position(pages[p], of: entry) { $0[0] }
        let i = pages[p][c].partitioningIndex { !($0 < entry) }
        guard i < pages[p][c].count && pages[p][c][i] == entry else { return }
        buckets[initial] = nil
        var page = pages[p]
        pages[p] = []
        var chunk = page[c]
        page[c] = []
        chunk.remove(at: i)
        if chunk.isEmpty { page.remove(at: c) } else { page[c] = chunk }
        if page.isEmpty { pages.remove(at: p) } else { pages[p] = page }
        if !pages.isEmpty { buckets[initial] = pages }
    }

    /// Builds the index from unsorted pairs at once (loading a store).
    public mutating func build(_ pairs: [(String, String)]) {
        var grouped: [Character: [Entry]] = [:]
        for (key, account) in pairs {
            guard let first = key.first else { continue }
            grouped[first, default: []].append(Entry(key: key, account: account))
        }
        var tree = TreeDictionary<Character, [Page]>()
        let width = Self.maxWidth / 2
        for (c, entries) in grouped {
            let sorted = entries.sorted()
            // Duplicates (the same key for the same account) are kept once, as insert does.
            var unique: [Entry] = []
            unique.reserveCapacity(sorted.count)
            for e in sorted where unique.last != e { unique.append(e) }
            let chunks = stride(from: 0, to: unique.count, by: width).map { Array(unique[$0..<min($0 + width, unique.count)]) }
            tree[c] = stride(from: 0, to: chunks.count, by: width).map { Array(chunks[$0..<min($0 + width, chunks.count)]) }
        }
        buckets = tree
    }

    /// Calls `body` with each entry from the first whose key is at least `key`, in order, until
    /// it returns false.
    private func scan(from key: String, _ body: (Entry) -> Bool) {
        guard let first = key.first, let pages = buckets[first] else { return }
        var p = pages.partitioningIndex { ($0.last?.last?.key ?? "") >= key }
        guard p < pages.count else { return }
        var c = pages[p].partitioningIndex { ($0.last?.key ?? "") >= key }
        var i = c < pages[p].count ? pages[p][c].partitioningIndex { $0.key >= key } : 0
        while p < pages.count {
            let page = pages[p]
            while c < page.count {
                let chunk = page[c]
                while i < chunk.count {
                    if !body(chunk[i]) { return }
                    i += 1
                }
                c += 1
                i = 0
            }
            p += 1
            c = 0
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
        guard !prefix.isEmpty else { return buckets.values.flatMap { $0.flatMap { $0.flatMap { $0.map(\.account) } } } }
        var out: [String] = []
        let bytes = Array(prefix.utf8)
        scan(from: prefix) { e in
            // The bytes first (cheap; for the index's normalised keys the same answer), then
            // String's own test: never fewer entries than either.
            guard e.key.utf8.starts(with: bytes) || e.key.hasPrefix(prefix) else { return false }
            out.append(e.account)
            return true
        }
        return out
    }

    /// How many entries the index holds.
    public var count: Int { buckets.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } } }

    /// Every entry in order, bucket by bucket (for tests).
    var entries: [(key: String, account: String)] {
        buckets.keys.sorted().flatMap { buckets[$0]!.flatMap { $0.flatMap { $0.map { ($0.key, $0.account) } } } }
    }
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
