/// The stable numeric id of a department. The root department (the organisation) is ``root``.
public struct DepartmentID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// The root department: the organisation itself.
    public static let root = DepartmentID(1)

    public static func < (a: DepartmentID, b: DepartmentID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// A member's account (账号): 1–64 characters, letters, digits and `_ - . @`, starting with a letter
/// or digit. Unique ignoring case; the spelling given at creation is kept.
public struct Account: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The account as written when it was created.
    public let value: String
    /// The lower-cased form that identifies it.
    public let key: String

    /// Checks the account rule.
    /// - Throws: ``DirectoryError`` with code `invalidValue` naming the rule broken.
    public init(parsing value: String) throws(DirectoryError) {
        guard !value.isEmpty else { throw DirectoryError(.invalidValue, field: .account, "account is required") }
        guard value.utf8.count <= 64 else {
            throw DirectoryError(.invalidValue, field: .account, "\(value) is longer than 64 characters")
        }
        for b in value.utf8 {
            let alnum = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            guard alnum || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "@")
            else {
                throw DirectoryError(
                    .invalidValue, field: .account, "\(value) may contain only letters, digits and _ - . @")
            }
        }
        let first = value.utf8.first!
        guard (first >= 0x30 && first <= 0x39) || (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) else {
            throw DirectoryError(.invalidValue, field: .account, "\(value) must start with a letter or digit")
        }
        self.value = value
        self.key = value.lowercased()
    }

    public static func == (a: Account, b: Account) -> Bool { a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key) }
    public static func < (a: Account, b: Account) -> Bool { a.key < b.key }
    public var description: String { value }
}
