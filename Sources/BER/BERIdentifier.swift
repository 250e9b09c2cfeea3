/// The identifier octets of a BER element: class, primitive/constructed and tag number (X.690 §8.1.2).
public struct BERIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The tag class.
    public var tagClass: BER.TagClass
    /// Whether the content is a sequence of elements.
    public var constructed: Bool
    /// The tag number.
    public var number: UInt32

    /// - Parameters:
    ///   - tagClass: the class.
    ///   - constructed: true for SEQUENCE, SET and other constructed encodings.
    ///   - number: the tag number.
    @inlinable
    public init(_ tagClass: BER.TagClass, constructed: Bool, _ number: UInt32) {
        self.tagClass = tagClass
        self.constructed = constructed
        self.number = number
    }

    /// UNIVERSAL 1, BOOLEAN.
    public static let boolean = BERIdentifier(.universal, constructed: false, 1)
    /// UNIVERSAL 2, INTEGER.
    public static let integer = BERIdentifier(.universal, constructed: false, 2)
    /// UNIVERSAL 4, OCTET STRING.
    public static let octetString = BERIdentifier(.universal, constructed: false, 4)
    /// UNIVERSAL 5, NULL.
    public static let null = BERIdentifier(.universal, constructed: false, 5)
    /// UNIVERSAL 10, ENUMERATED.
    public static let enumerated = BERIdentifier(.universal, constructed: false, 10)
    /// UNIVERSAL 16, SEQUENCE and SEQUENCE OF (always constructed).
    public static let sequence = BERIdentifier(.universal, constructed: true, 16)
    /// UNIVERSAL 17, SET and SET OF (always constructed).
    public static let set = BERIdentifier(.universal, constructed: true, 17)

    /// `[APPLICATION n]`, primitive or constructed.
    @inlinable
    public static func application(_ n: UInt32, constructed: Bool) -> BERIdentifier {
        BERIdentifier(.application, constructed: constructed, n)
    }

    /// `[n]`, context-specific, primitive or constructed.
    @inlinable
    public static func context(_ n: UInt32, constructed: Bool) -> BERIdentifier {
        BERIdentifier(.contextSpecific, constructed: constructed, n)
    }

    /// The same tag with the constructed bit set as given.
    @inlinable
    public func with(constructed: Bool) -> BERIdentifier {
        BERIdentifier(tagClass, constructed: constructed, number)
    }

    public var description: String {
        let cls: String
        switch tagClass {
        case .universal: cls = "UNIVERSAL "
        case .application: cls = "APPLICATION "
        case .contextSpecific: cls = ""
        case .private: cls = "PRIVATE "
        }
        return "[\(cls)\(number)\(constructed ? " constructed" : "")]"
    }
}
