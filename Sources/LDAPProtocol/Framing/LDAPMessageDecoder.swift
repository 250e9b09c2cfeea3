public import BER
public import NIOCore

/// What the decoder passes up the pipeline: a message, or the one malformed PDU that ends the
/// connection (after it, every further byte is discarded).
public enum LDAPInbound: Sendable, Hashable {
    case message(LDAPMessage)
    case malformed(LDAPFramingError)
}

/// The user event ``LDAPMessageDecoder`` sends when part of a PDU is buffered, and when it is not
/// any more.
public enum LDAPPartialPDU: Sendable, Hashable {
    case started, finished
}

/// Assembles LDAPMessages from any split of the byte stream (a `ByteToMessageDecoder`).
///
/// The PDU's length is read from its header before anything is buffered beyond it, so a PDU over
/// ``ProtocolLimits/maxPDUSize`` fails as soon as its length octets arrive. A failure is passed up
/// as ``LDAPInbound/malformed(_:)`` — the connection answers it with a Notice of Disconnection —
/// and the decoder then discards the rest of the input, so the connection can drain and close
/// cleanly (a close with unread input would reset it and lose the notice).
public struct LDAPMessageDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LDAPInbound

    /// The limits in force.
    public let limits: ProtocolLimits
    private var failed = false
    /// Whether part of a PDU is buffered (announced with ``LDAPPartialPDU``).
    private var partial = false

    /// - Parameter limits: PDU size and nesting bounds.
    public init(limits: ProtocolLimits = ProtocolLimits()) { self.limits = limits }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        do {
            guard let message = try Self.decodeOne(from: &buffer, limits: limits) else {
                announce(buffer.readableBytes > 0, context)
                return .needMoreData
            }
            context.fireChannelRead(Self.wrapInboundOut(.message(message)))
            if buffer.readableBytes == 0 { announce(false, context) }
            return .continue
        } catch {
            failed = true
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            context.fireChannelRead(Self.wrapInboundOut(.malformed(error)))
            return .needMoreData
        }
    }

    /// Tells the pipeline when a PDU starts arriving and when none is pending any more, so the
    /// connection can bound the time a client takes to send one (a client that sends half a PDU
    /// and stops would otherwise hold its connection forever).
    private mutating func announce(_ pending: Bool, _ context: ChannelHandlerContext) {
        guard pending != partial else { return }
        partial = pending
        context.fireUserInboundEventTriggered(pending ? LDAPPartialPDU.started : LDAPPartialPDU.finished)
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A PDU cut off by the peer closing the connection is dropped with the connection.
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
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
        guard buffer.readableBytes >= header.totalLength,
            let bytes = buffer.readBytes(length: header.totalLength)
        else { return nil }
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
