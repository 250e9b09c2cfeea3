import LDAPFrontend
import LDAPProtocol
import Logging
import NIOCore

/// The thin channel handler of one connection: it hands each decoded PDU to the connection's
/// ``LDAPSession`` state machine and carries out the action it returns, on the channel's event
/// loop — no task hops, one flush per batch of responses.
final class LDAPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = LDAPInbound
    typealias OutboundOut = LDAPMessage

    private var session: LDAPSession
    private let logger: Logger
    private var closing = false
    private var pendingFlush = false

    init(session: LDAPSession, logger: Logger) {
        self.session = session
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .message(let message):
            switch session.receive(message) {
            case .none:
                break
            case .send(let messages):
                for m in messages { context.write(wrapOutboundOut(m), promise: nil) }
                pendingFlush = true
            case .sendAndClose(let messages):
                closing = true
                for m in messages { context.write(wrapOutboundOut(m), promise: nil) }
                context.flush()
                context.close(promise: nil)
            case .close:
                closing = true
                context.close(promise: nil)
            }
        case .malformed(let error):
            closing = true
            if case .sendAndClose(let messages) = session.malformed(error) {
                for m in messages { context.write(wrapOutboundOut(m), promise: nil) }
            }
            // Lingering close: the notice goes out, then the output is shut; what the client
            // still sends is discarded until it closes, or for two seconds at most, so the close
            // does not reset the connection and lose the notice.
            let channel = context.channel
            context.flush()
            context.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Tells the client the server is shutting down (RFC 4511 §4.4.1), then closes.
    func shutDown(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.writeAndFlush(wrapOutboundOut(.noticeOfDisconnection(.unavailable, "the server is shutting down")), promise: nil)
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerShuttingDown {
            shutDown(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// The event a graceful shutdown sends down every open connection.
struct ServerShuttingDown: Sendable {}
