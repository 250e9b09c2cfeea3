/// A department's active members (primary or not) in the department's order: their account keys,
/// and beside each its ``DirectoryModel/accountHash(_:)``.
///
/// A search the indexes narrowed to many candidates walks the tree in order and tests each
/// member against the candidates' hashes: with the hashes kept here, a member that is not a
/// candidate costs an integer probe, not a hash of its account (found by profiling the
/// address-book search at 100 000 members, where hashing the accounts of the members walked
/// past was a tenth of the search).
public struct DepartmentMembers: Sendable {
    /// The account keys, in the department's order.
    public private(set) var keys: [String] = []
    /// `hashes[i]` is the account hash of `keys[i]`.
    public private(set) var hashes: [Int] = []

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    mutating func insert(_ key: String, at index: Int) {
        keys.insert(key, at: index)
        hashes.insert(DirectoryModel.accountHash(key), at: index)
    }

    mutating func append(_ key: String) { insert(key, at: keys.count) }

    /// Removes every occurrence of `key`.
    mutating func remove(_ key: String) {
        guard keys.contains(key) else { return }
        var i = keys.count - 1
        while i >= 0 {
            if keys[i] == key {
                keys.remove(at: i)
                hashes.remove(at: i)
            }
            i -= 1
        }
    }

    /// Puts the keys in a new order (the hashes follow).
    mutating func sort(by precedes: (String, String) -> Bool) {
        keys.sort(by: precedes)
        hashes = keys.map(DirectoryModel.accountHash)
    }
}
