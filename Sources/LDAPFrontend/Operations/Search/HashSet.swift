import Directory

/// A set of account hashes (``DirectoryModel/accountHash(_:)``): open addressing with linear
/// probing over a power-of-two table, the values used as their own hash (they are hashes
/// already). `Set<Int>` hashed each again with SipHash: with tens of thousands of index entries
/// behind a common pinyin prefix, that was a sixth of an address-book search.
struct AccountHashSet: Sendable {
    /// 0 marks an empty slot; the value 0 is stored as 1 (a collision only adds a candidate).
    private var slots: [Int]
    private(set) var count = 0
    private var mask: Int

    init(minimumCapacity: Int = 0) {
        var size = 16
        while size < minimumCapacity * 2 { size <<= 1 }
        slots = [Int](repeating: 0, count: size)
        mask = size - 1
    }

    init<S: Sequence>(_ values: S) where S.Element == Int {
        self.init(minimumCapacity: values.underestimatedCount)
        for v in values { insert(v) }
    }

    @inline(__always)
    private static func stored(_ value: Int) -> Int { value == 0 ? 1 : value }

    @inline(__always)
    private static func start(_ value: Int, _ mask: Int) -> Int {
        // Fold the high bits in: the low bits of a hash are as good as its high ones, but cheap
        // insurance against a weak one.
        (value ^ (value >> 29)) & mask
    }

    /// Adds a value; whether it was new.
    @discardableResult
    mutating func insert(_ value: Int) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        let v = Self.stored(value)
        var i = Self.start(v, mask)
        return slots.withUnsafeMutableBufferPointer { s in
            while true {
                let here = s[i]
                if here == v { return false }
                if here == 0 {
                    s[i] = v
                    count += 1
                    return true
                }
                i = (i + 1) & mask
            }
        }
    }

    func contains(_ value: Int) -> Bool {
        let v = Self.stored(value)
        var i = Self.start(v, mask)
        return slots.withUnsafeBufferPointer { s in
            while true {
                let here = s[i]
                if here == v { return true }
                if here == 0 { return false }
                i = (i + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [Int](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for v in old where v != 0 { insert(v) }
    }

    /// The values, in no particular order.
    var values: [Int] { slots.filter { $0 != 0 } }

    mutating func formUnion(_ other: AccountHashSet) {
        for v in other.slots where v != 0 { insert(v) }
    }

    mutating func formIntersection(_ other: AccountHashSet) {
        var kept = AccountHashSet(minimumCapacity: min(count, other.count))
        for v in slots where v != 0 && other.contains(v) { kept.insert(v) }
        self = kept
    }
}
