/// A decoding failure, with a code a caller can switch on and a human-readable reason.
public struct BERError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: Sendable, Hashable {
            case truncated, indefiniteLength, lengthTooLong, tagNumberOverflow, tooDeep, tooLarge
            case trailingBytes, unexpectedTag, invalidPrimitive, constructedPrimitive, integerOutOfRange
        }
        fileprivate var base: Base

        /// The input ended before the value did.
        public static let truncated = Code(base: .truncated)
        /// The indefinite length form (0x80), forbidden by RFC 4511 §5.1.
        public static let indefiniteLength = Code(base: .indefiniteLength)
        /// A length of more than four octets, or one beyond the platform's range.
        public static let lengthTooLong = Code(base: .lengthTooLong)
        /// A high tag number that does not fit in 32 bits.
        public static let tagNumberOverflow = Code(base: .tagNumberOverflow)
        /// Constructed values nested deeper than ``BER/Limits/maxDepth``.
        public static let tooDeep = Code(base: .tooDeep)
        /// A value longer than ``BER/Limits/maxLength``.
        public static let tooLarge = Code(base: .tooLarge)
        /// Bytes left over after the last element of a constructed value or of the input.
        public static let trailingBytes = Code(base: .trailingBytes)
        /// An element with a tag other than the one the grammar requires.
        public static let unexpectedTag = Code(base: .unexpectedTag)
        /// A primitive value whose content is not valid for its type (a BOOLEAN of length 2).
        public static let invalidPrimitive = Code(base: .invalidPrimitive)
        /// A constructed encoding where LDAP requires a primitive one (OCTET STRING, RFC 4511 §5.1).
        public static let constructedPrimitive = Code(base: .constructedPrimitive)
        /// An INTEGER or ENUMERATED outside the range the grammar allows.
        public static let integerOutOfRange = Code(base: .integerOutOfRange)

        public var description: String { "\(base)" }
    }

    /// What went wrong.
    public var code: Code
    /// Details for logs and diagnostic messages.
    public var reason: String

    /// - Parameters:
    ///   - code: the failure class.
    ///   - reason: details for humans.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "BER \(code): \(reason)" }
}
