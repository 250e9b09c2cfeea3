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
        /// The account's ``DirectoryModel/accountHash(_:)``, kept so that a search's candidate
        /// set is a set of integers (hashing thousands of account strings per search was a
        /// sixth of an address-book search at 100 000 members).
        var hash: Int
        init(key: String, account: String) {
            self.key = key
            self.account = account
            self.hash = DirectoryModel.accountHash(account)
        }
        static func < (a: Entry, b: Entry) -> Bool { a.key != b.key ? a.key < b.key : a.account < b.account }
        static func == (a: Entry, b: Entry) -> Bool { a.key == b.key && a.account == b.account }
    }

    typealias Chunk = [Entry]
    typealias Page = [Chunk]

    /// A chunk (or a page) splits in two when it grows beyond this many entries (chunks).
    static let maxWidth = 96

    /// Each bucket's pages: non-empty, each a non-empty list of non-empty sorted chunks, in order.
    private var buckets: TreeDictionary<Character, [Page]> = [:]

    /// Changes on every write to a number no other index of the process has had (an empty index
    /// is 0): a reader may keep what it derived from the index under it.
    public private(set) var version: UInt64 = 0

    public init() {}

    /// The last index whose first entry is not after `entry` (0 when all are after it).
    private static func position<T>(_ items: [T], of entry: Entry, first: (T) -> Entry) -> Int {
        max(0, items.partitioningIndex { entry < first($0) } - 1)
    }

    /// Adds `account` under `key`.
    public mutating func insert(_ key: String, account: String) {
        guard let initial = key.first else { return }
        version = DirectoryModel.nextVersion()
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
        version = DirectoryModel.nextVersion()
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
        version = DirectoryModel.nextVersion()
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
        visit(prefix: prefix) { _, account in out.append(account()) }
        return out
    }

    /// Calls `body` with the account's hash of each entry whose key starts with `prefix` (not
    /// empty), and the account when it asks, in the index's order; an account may come more
    /// than once. (The account is read only when asked: copying every entry retained two
    /// strings each.)
    public func visit(prefix: String, _ body: (_ hash: Int, _ account: () -> String) -> Void) {
        forEachChunk(prefix: prefix) { chunk in
            chunk.withUnsafeBufferPointer { entries in
                for j in entries.indices { body(entries[j].hash, { entries[j].account }) }
            }
        }
    }

    /// How many entries have a key that starts with `prefix` (an account may count more than
    /// once), without visiting them.
    public func count(prefix: String) -> Int {
        var n = 0
        forEachChunk(prefix: prefix) { n += $0.count }
        return n
    }

    /// The entries whose key starts with `prefix`, as slices of chunks in order. The entries
    /// are sorted by key, so they lie between the first key not before `prefix` and the first
    /// key after it that lacks it: both found by binary search, nothing compared in between.
    private func forEachChunk(prefix: String, _ body: (ArraySlice<Entry>) -> Void) {
        guard let first = prefix.first, let pages = buckets[first], !pages.isEmpty else { return }
        var wanted = prefix
        wanted.withUTF8 { bytes in
            // Past the range: a key not before the prefix that does not start with it.
            func past(_ e: Entry) -> Bool { !(e.key < prefix) && !(Self.startsWith(e.key, bytes) || e.key.hasPrefix(prefix)) }
            func before(_ e: Entry) -> Bool { e.key < prefix }
            // Start: the first entry not before the prefix.
            let p0 = pages.partitioningIndex { !before($0[$0.count - 1][$0[$0.count - 1].count - 1]) }
            guard p0 < pages.count else { return }
            let c0 = pages[p0].partitioningIndex { !before($0[$0.count - 1]) }
            let i0 = pages[p0][c0].partitioningIndex { !before($0) }
            // End (exclusive): the first entry past the range.
            let p1 = pages.partitioningIndex { past($0[$0.count - 1][$0[$0.count - 1].count - 1]) }
            var c1 = 0, i1 = 0
            if p1 < pages.count {
                c1 = pages[p1].partitioningIndex { past($0[$0.count - 1]) }
                i1 = pages[p1][c1].partitioningIndex { past($0) }
            }
            var p = p0, c = c0, i = i0
            while p < pages.count {
                let page = pages[p]
                while c < page.count {
                    let chunk = page[c]
                    let last = p == p1 && c == c1
                    let upper = last ? i1 : chunk.count
                    if i < upper { body(chunk[i..<upper]) }
                    if last { return }
                    c += 1
                    i = 0
                }
                p += 1
                c = 0
                if p > p1 { return }
            }
        }
    }

    /// Whether a string's UTF-8 starts with `bytes` (compared in place).
    @inline(__always)
    private static func startsWith(_ key: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let found = key.utf8.withContiguousStorageIfAvailable { k -> Bool in
            guard k.count >= bytes.count else { return false }
            for i in 0..<bytes.count where k[i] != bytes[i] { return false }
            return true
        }
        return found ?? key.utf8.starts(with: bytes)
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
