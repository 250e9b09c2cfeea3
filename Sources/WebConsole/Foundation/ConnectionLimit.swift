import NIOCore
import Synchronization

/// The web connections open from each IP address, so that one client cannot take every file
/// descriptor of the process (the LDAP listener shares them) or every connection the console
/// serves. Shared by every event loop.
final class WebConnectionsPerAddress: Sendable {
    /// Most connections per address; 0: no limit.
    let limit: Int
    private let counts = Mutex<[String: Int]>([:])

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

/// Counts its connection against ``WebConnectionsPerAddress`` when it joins the pipeline and
/// closes the connection at once when the address is over its limit; lets everything else
/// through.
final class WebConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    // It reads nothing itself: whatever the HTTP decoder passes on goes through untouched.
    typealias InboundIn = NIOAny

    private let counter: WebConnectionsPerAddress
    private var address: String?

    init(counter: WebConnectionsPerAddress) { self.counter = counter }

    func handlerAdded(context: ChannelHandlerContext) {
        let remote = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if counter.admit(remote) {
            address = remote
        } else {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let address { counter.release(address) }
        address = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let address { counter.release(address) }
        address = nil
        context.fireChannelInactive()
    }
}
