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
/// ``ProtocolLimits/maxPDUSize`` — or over the smaller ``PDUSizeBound`` the connection sets, such
/// as before a bind — fails as soon as its length octets arrive. A failure is passed up
/// as ``LDAPInbound/malformed(_:)`` — the connection answers it with a Notice of Disconnection —
/// and the decoder then discards the rest of the input, so the connection can drain and close
/// cleanly (a close with unread input would reset it and lose the notice).
public struct LDAPMessageDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LDAPInbound

    /// The limits in force.
    public let limits: ProtocolLimits
    /// The PDU size in force now, when the connection changes it (a smaller PDU before a bind).
    private let pduSize: PDUSizeBound?
    private var failed = false
    /// Whether part of a PDU is buffered (announced with ``LDAPPartialPDU``).
    private var partial = false

    /// - Parameters:
    ///   - limits: PDU size and nesting bounds.
    ///   - pduSize: the PDU size in force, set by the connection as its state changes (at most
    ///     `limits.maxPDUSize`); nil: always `limits.maxPDUSize`.
    public init(limits: ProtocolLimits = ProtocolLimits(), pduSize: PDUSizeBound? = nil) {
        self.limits = limits
        self.pduSize = pduSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        do {
            var limits = self.limits
            if let pduSize { limits.maxPDUSize = min(limits.maxPDUSize, pduSize.maxPDUSize) }
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
            guard error.code == .tooLarge else { throw LDAPFramingError(error) }
            // Say how large the PDU is: its header is complete, or the limit would not be known broken.
            let size = buffer.withUnsafeReadableBytes { raw in
                guard case .header(let h)? = try? BERHeader.peek(raw, maxLength: Int.max) else { return "more bytes" }
                return "\(h.totalLength) bytes"
            }
            throw LDAPFramingError(
                BERError(.tooLarge, "a PDU of \(size); at most \(limits.maxPDUSize) are allowed"), limit: .pduSize)
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
            switch error.code {
            case .tooDeep:
                let inFilter = error.reason.hasPrefix(Filter.tooDeepReason)
                throw LDAPFramingError(error, limit: inFilter ? .filterDepth : .berDepth)
            case .tooLarge: throw LDAPFramingError(error, limit: .pduSize)
            default: throw LDAPFramingError(error)
            }
        }
    }
}

/// A PDU that cannot be accepted; the connection that sent it is closed after a Notice of Disconnection.
public struct LDAPFramingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The codec failure behind it.
    public var underlying: BERError
    /// The limit the PDU broke, when it broke one (nil: it is malformed).
    public var limit: ProtocolLimits.Bound?

    /// - Parameters:
    ///   - underlying: the codec failure.
    ///   - limit: the limit the PDU broke, if any.
    public init(_ underlying: BERError, limit: ProtocolLimits.Bound? = nil) {
        self.underlying = underlying
        self.limit = limit
    }

    public var description: String { "malformed PDU: \(underlying.reason)" }
}

/// The largest PDU a connection's decoder accepts now: the connection changes it as its state
/// changes (a smaller PDU before a successful bind). Confined to the channel's event loop, like
/// the decoder and the handler that share it.
public final class PDUSizeBound {
    /// Largest PDU accepted, header included.
    public var maxPDUSize: Int

    /// - Parameter maxPDUSize: the size in force at first.
    public init(maxPDUSize: Int) { self.maxPDUSize = maxPDUSize }
}

/// Writes LDAPMessages (a `MessageToByteEncoder`).
public struct LDAPMessageEncoder: MessageToByteEncoder {
    public typealias OutboundIn = LDAPMessage

    public init() {}

    public func encode(data: LDAPMessage, out: inout ByteBuffer) throws {
        if Self.writeEntry(data, into: &out) { return }
        var s = BERSerializer(capacity: 128)
        data.encode(into: &s)
        out.writeBytes(s.bytes)
    }

    /// Writes a search entry whose attributes are already encoded straight into the buffer, its
    /// lengths computed from its parts (the general path writes it into a byte array, moves each
    /// long body to make room for its length, then copies the array: most of what a search
    /// writes). The same bytes as ``LDAPMessage/encode(into:)``; false for any other message.
    static func writeEntry(_ message: LDAPMessage, into out: inout ByteBuffer) -> Bool {
        guard message.controls.isEmpty, case .searchResultEntry(let entry) = message.protocolOp,
            let attributes = entry.encodedAttributes
        else { return false }
        var name = entry.objectName
        return name.withUTF8 { dn in
            var id = BERSerializer(capacity: 8)
            id.append(integer: message.messageID)
            var dnHeader = BERSerializer(capacity: 8)
            dnHeader.appendIdentifier(.octetString)
            dnHeader.appendLength(dn.count)
            let entryLength = dnHeader.bytes.count + dn.count + attributes.count
            var entryHeader = BERSerializer(capacity: 8)
            entryHeader.appendIdentifier(SearchResultEntry.tag.with(constructed: true))
            entryHeader.appendLength(entryLength)
            let messageLength = id.bytes.count + entryHeader.bytes.count + entryLength
            var header = BERSerializer(capacity: 8)
            header.appendIdentifier(BERIdentifier.sequence.with(constructed: true))
            header.appendLength(messageLength)
            out.reserveCapacity(minimumWritableBytes: header.bytes.count + messageLength)
            out.writeBytes(header.bytes)
            out.writeBytes(id.bytes)
            out.writeBytes(entryHeader.bytes)
            out.writeBytes(dnHeader.bytes)
            out.writeBytes(dn)
            out.writeBytes(attributes)
            return true
        }
    }
}
