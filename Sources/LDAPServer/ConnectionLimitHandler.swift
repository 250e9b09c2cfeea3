import LDAPFrontend
import NIOCore

/// On the listening channel: holds back accepting while the server has its limit of connections
/// open, so a client beyond the limit waits in the backlog and is served when another leaves —
/// instead of being accepted and closed at once.
final class ConnectionLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never

    private let limit: Int
    private let limitLog: LimitLog
    private let unbound: UnboundConnections?
    private var open = 0
    private var readHeldBack = false

    init(limit: Int, limitLog: LimitLog, unbound: UnboundConnections? = nil) {
        self.limit = max(1, limit)
        self.limitLog = limitLog
        self.unbound = unbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let bound = NIOLoopBound(context, eventLoop: loop)
        child.closeFuture.whenComplete { _ in
            loop.execute { handler.value.closed(bound.value) }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if open < limit {
            context.read()
        } else {
            if !readHeldBack {
                limitLog.hit(.maxConnections, "\(open) connections open; new clients wait in the backlog")
                // Room for the next client: the oldest connection not bound is closed (when it
                // has, the next client is accepted and this runs again).
                unbound?.evictOldest()
            }
            readHeldBack = true
        }
    }

    private func closed(_ context: ChannelHandlerContext) {
        open -= 1
        if readHeldBack, open < limit {
            readHeldBack = false
            context.read()
        }
    }
}
