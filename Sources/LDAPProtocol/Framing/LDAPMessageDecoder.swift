public import BER
public import NIOCore

/// Assembles LDAPMessages from any split of the byte stream (a `ByteToMessageDecoder`).
///
/// The PDU's length is read from its header before anything is buffered beyond it, so a PDU over
/// ``ProtocolLimits/maxPDUSize`` fails as soon as its length octets arrive. A failure is thrown as
/// an ``LDAPFramingError``; the connection handler answers it with a Notice of Disconnection.
public struct LDAPMessageDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LDAPMessage

    /// The limits in force.
    public let limits: ProtocolLimits

    /// - Parameter limits: PDU size and nesting bounds.
    public init(limits: ProtocolLimits = ProtocolLimits()) { self.limits = limits }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try Self.decodeOne(from: &buffer, limits: limits) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A PDU cut off by the peer closing the connection is dropped with the connection.
        return .needMoreData
    }

    /// Takes one whole PDU from the front of `buffer` and decodes it.
    /// - Returns: the message, or nil when more bytes are needed (nothing is consumed then).
    /// - Throws: ``LDAPFramingError`` when the bytes cannot be an acceptable LDAPMessage.
    public static func decodeOne(from buffer: inout ByteBuffer, limits: ProtocolLimits) throws(LDAPFramingError) -> LDAPMessage? {
        let peeked: BERHeader.Peek
        do {
            peeked = try buffer.withUnsafeReadableBytes { raw throws(BERError) in
                try BERHeader.peek(raw, maxLength: limits.maxPDUSize)
            }
        } catch {
            throw LDAPFramingError(error)
        }
        guard case .header(let header) = peeked else { return nil }
        guard header.identifier == .sequence else {
            throw LDAPFramingError(BERError(.unexpectedTag, "a PDU must start with a SEQUENCE, found \(header.identifier)"))
        }
        guard buffer.readableBytes >= header.totalLength else { return nil }
        let bytes = buffer.readBytes(length: header.totalLength)!
        do {
            return try LDAPMessage(berEncoded: bytes[...], limits: limits)
        } catch {
            throw LDAPFramingError(error)
        }
    }
}

/// A PDU that cannot be accepted; the connection that sent it is closed after a Notice of Disconnection.
public struct LDAPFramingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The codec failure behind it.
    public var underlying: BERError

    /// - Parameter underlying: the codec failure.
    public init(_ underlying: BERError) { self.underlying = underlying }

    public var description: String { "malformed PDU: \(underlying.reason)" }
}

/// Writes LDAPMessages (a `MessageToByteEncoder`).
public struct LDAPMessageEncoder: MessageToByteEncoder {
    public typealias OutboundIn = LDAPMessage

    public init() {}

    public func encode(data: LDAPMessage, out: inout ByteBuffer) throws {
        var s = BERSerializer(capacity: 128)
        data.encode(into: &s)
        out.writeBytes(s.bytes)
    }
}
