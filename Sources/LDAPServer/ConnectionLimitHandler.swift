import LDAPFrontend
import NIOCore

/// On the listening channel, before the accept handler: at the server's limit of connections a
/// new client is accepted but parked — not set up, nothing read — until another connection
/// closes, so it waits instead of being accepted and closed at once. A parked client is a client
/// that waits: only then is the oldest connection not bound closed to make room (the limit used
/// to close one whenever the listener asked to accept at the limit, before anyone waited).
final class ConnectionLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never

    private let limit: Int
    private let limitLog: LimitLog
    private let unbound: UnboundConnections?
    private var open = 0
    /// Accepted beyond the limit, waiting for room (oldest first).
    private var parked: [NIOAny] = []
    private var readHeldBack = false

    init(limit: Int, limitLog: LimitLog, unbound: UnboundConnections? = nil) {
        self.limit = max(1, limit)
        self.limitLog = limitLog
        self.unbound = unbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard open >= limit else { return admit(data, context) }
        parked.append(data)
        limitLog.hit(.maxConnections, "\(open) connections open; new clients wait")
        // A client waits: the oldest connection not bound is closed for it (when it has, the
        // client is admitted).
        unbound?.evictOldest()
    }

    private func admit(_ data: NIOAny, _ context: ChannelHandlerContext) {
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
        // At the limit one more client is accepted (to learn that one waits), no further.
        if parked.isEmpty {
            context.read()
        } else {
            readHeldBack = true
        }
    }

    private func closed(_ context: ChannelHandlerContext) {
        open -= 1
        if open < limit, !parked.isEmpty {
            admit(parked.removeFirst(), context)
            context.fireChannelReadComplete()
            if !parked.isEmpty { unbound?.evictOldest() }
        }
        if readHeldBack, parked.isEmpty {
            readHeldBack = false
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The listener is closing: the clients still parked are never served.
        for data in parked { unwrapInboundIn(data).close(promise: nil) }
        parked = []
        context.fireChannelInactive()
    }
}
