public import BER

/// Bounds on what a peer may send, checked while framing and decoding.
public struct ProtocolLimits: Sendable, Hashable {
    /// Largest PDU accepted, header included, checked before the PDU is buffered. Default 4 MiB.
    public var maxPDUSize: Int
    /// Deepest nesting of BER constructed values inside one PDU. Default 48.
    public var maxBERDepth: Int
    /// Deepest nesting of and/or/not in a search filter. Default 24 (each level costs up to two
    /// BER levels, so this must stay below half of ``maxBERDepth``).
    public var maxFilterDepth: Int

    /// - Parameters:
    ///   - maxPDUSize: largest PDU in bytes.
    ///   - maxBERDepth: deepest BER nesting.
    ///   - maxFilterDepth: deepest filter nesting.
    public init(maxPDUSize: Int = 4 << 20, maxBERDepth: Int = 48, maxFilterDepth: Int = 24) {
        self.maxPDUSize = maxPDUSize
        self.maxBERDepth = maxBERDepth
        self.maxFilterDepth = maxFilterDepth
    }

    /// The BER limits these protocol limits imply.
    public var ber: BER.Limits { BER.Limits(maxDepth: maxBERDepth, maxLength: maxPDUSize) }
}
