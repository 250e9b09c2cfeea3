/// One decoded element: its identifier and its content bytes, a slice of the parsed input.
public struct BERNode: Sendable, Hashable {
    /// The element's identifier.
    public var identifier: BERIdentifier
    /// The content octets (for a constructed element, the encodings of its children).
    public var content: ArraySlice<UInt8>
    /// Nesting depth of this element (the outermost is 1).
    public var depth: Int
    /// The limits in force when the element was read; its children inherit them.
    public var limits: BER.Limits

    /// - Parameters:
    ///   - identifier: the identifier.
    ///   - content: the content octets.
    ///   - depth: nesting depth (1 for a top-level element).
    ///   - limits: the limits its children are read under.
    @inlinable
    public init(identifier: BERIdentifier, content: ArraySlice<UInt8>, depth: Int = 1, limits: BER.Limits = BER.Limits()) {
        self.identifier = identifier
        self.content = content
        self.depth = depth
        self.limits = limits
    }

    /// A reader over the children of a constructed element.
    /// - Throws: ``BERError/Code/unexpectedTag`` if the element is primitive, or
    ///   ``BERError/Code/tooDeep`` if its children would exceed the depth limit.
    @inlinable
    public func children() throws(BERError) -> BERReader {
        guard identifier.constructed else {
            throw BERError(.unexpectedTag, "\(identifier) is primitive, a constructed value was expected")
        }
        return BERReader(content, depth: depth, limits: limits)
    }

    /// The content of a primitive element.
    /// - Throws: ``BERError/Code/constructedPrimitive`` if the element is constructed.
    @inlinable
    public func primitiveContent() throws(BERError) -> ArraySlice<UInt8> {
        guard !identifier.constructed else {
            throw BERError(.constructedPrimitive, "\(identifier) must use the primitive form (RFC 4511 §5.1)")
        }
        return content
    }
}
