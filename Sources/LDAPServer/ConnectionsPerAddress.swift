import LDAPFrontend
import LDAPProtocol
import NIOCore
import Synchronization

/// The connections open from each IP address, so that one address cannot take every connection
/// the server serves (``Limits/maxConnectionsPerAddress``). Shared by every event loop.
final class ConnectionsPerAddress: Sendable {
    /// Most connections per address; 0: no limit.
    let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    /// - Parameter limit: most connections per address (0: no limit).
    init(limit: Int) { self.limit = max(0, limit) }

    /// Counts a new connection from `address`; false (and not counted) when that address already
    /// has its limit open.
    func admit(_ address: String) -> Bool {
        guard limit > 0 else { return true }
        return counts.withLock { counts in
            let open = counts[address, default: 0]
            guard open < limit else { return false }
            counts[address] = open + 1
            return true
        }
    }

    /// A connection `admit` counted has closed.
    func release(_ address: String) {
        guard limit > 0 else { return }
        counts.withLock { counts in
            guard let open = counts[address] else { return }
            counts[address] = open > 1 ? open - 1 : nil
        }
    }

    /// Connections open from `address` (tests).
    func open(from address: String) -> Int { counts.withLock { $0[address, default: 0] } }
}

/// The whole pipeline of a connection beyond the per-address limit: it tells the client why in a
/// Notice of Disconnection (RFC 4511 §4.4.1, adminLimitExceeded) and closes; anything the client
/// sends is discarded.
final class RefusedConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let notice: LDAPMessage
    private var done = false

    /// - Parameter reason: the notice's diagnosticMessage.
    init(reason: String) { notice = .noticeOfDisconnection(.adminLimitExceeded, reason) }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: notice.berEncoded)), promise: nil)
        context.close(promise: nil)
    }
}
