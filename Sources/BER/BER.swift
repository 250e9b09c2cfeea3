/// Namespace for the restricted Basic Encoding Rules that LDAP uses (RFC 4511 §5.1, ITU-T X.690).
///
/// Decoding works on slices of the input: a primitive value's bytes are an `ArraySlice` of the
/// buffer that was parsed, never a copy. Every decode is bounded by a ``BER/Limits`` value.
public enum BER {}

extension BER {
    /// The class of a tag (X.690 §8.1.2.2).
    public enum TagClass: UInt8, Sendable, Hashable {
        case universal = 0
        case application = 1
        case contextSpecific = 2
        case `private` = 3
    }

    /// Bounds applied while decoding, so that hostile input cannot exhaust memory or the stack.
    public struct Limits: Sendable, Hashable {
        /// Largest nesting of constructed values accepted. Default 32: the deepest LDAP PDU
        /// Roster reads (a filter) is bounded separately and far below this with the defaults.
        public var maxDepth: Int
        /// Largest encoded value accepted, header included. Default 16 MiB.
        public var maxLength: Int

        /// - Parameters:
        ///   - maxDepth: largest nesting of constructed values.
        ///   - maxLength: largest encoded value in bytes.
        public init(maxDepth: Int = 32, maxLength: Int = 16 << 20) {
            self.maxDepth = maxDepth
            self.maxLength = maxLength
        }
    }
}
