public import BER

/// Bounds on what a peer may send, checked while framing and decoding.
public struct ProtocolLimits: Sendable, Hashable {
    /// Largest PDU accepted, header included, checked before the PDU is buffered. Default 4 MiB.
    public var maxPDUSize: Int
    /// Deepest nesting of BER constructed values inside one PDU. Default 80: a search filter at
    /// ``maxFilterDepth`` needs that depth plus six (LDAPMessage, SearchRequest, and the leaf
    /// item's own SEQUENCEs), and controls need three.
    public var maxBERDepth: Int
    /// Deepest nesting of and/or/not in a search filter. Default 64: `(!(!(…(cn=a)…)))` with 64
    /// operators, or any mix of `&`, `|` and `!` 64 levels deep, is accepted before and after
    /// bind. Each level costs one BER level, so this must stay at least six below
    /// ``maxBERDepth``. A deeper filter is a malformed PDU: the connection gets a Notice of
    /// Disconnection (protocolError) that states the limit.
    public var maxFilterDepth: Int

    /// - Parameters:
    ///   - maxPDUSize: largest PDU in bytes.
    ///   - maxBERDepth: deepest BER nesting.
    ///   - maxFilterDepth: deepest filter nesting.
    public init(maxPDUSize: Int = 4 << 20, maxBERDepth: Int = 80, maxFilterDepth: Int = 64) {
        self.maxPDUSize = maxPDUSize
        self.maxBERDepth = maxBERDepth
        self.maxFilterDepth = maxFilterDepth
    }

    /// Which of the bounds a PDU broke.
    public enum Bound: Sendable, Hashable {
        case pduSize, berDepth, filterDepth
    }

    /// The BER limits these protocol limits imply.
    public var ber: BER.Limits { BER.Limits(maxDepth: maxBERDepth, maxLength: maxPDUSize) }
}
