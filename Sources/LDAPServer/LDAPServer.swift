public import LDAPFrontend
import LDAPProtocol
public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The LDAP listener: a SwiftNIO server whose connections each run an ``LDAPSession`` in a thin
/// channel handler on their event loop.
///
/// A `Service`: run it in a `ServiceGroup`; on graceful shutdown it stops accepting and closes
/// the connections it serves. An error in one connection never ends the accept loop.
public final class LDAPServer: Service, Sendable {
    public let configuration: ServerConfiguration
    let frontend: Frontend
    let logger: Logger
    let group: any EventLoopGroup
    private let boundPort = Mutex<Int?>(nil)
    private let boundLDAPSPort = Mutex<Int?>(nil)
    private let ready = AsyncStream<Int>.makeStream()

    /// - Parameters:
    ///   - configuration: where to listen and the limits.
    ///   - frontend: the shared protocol frontend.
    ///   - group: the event loops to run on.
    ///   - logger: connection-level logging.
    public init(
        configuration: ServerConfiguration, frontend: Frontend,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.configuration = configuration
        self.frontend = frontend
        self.group = group
        self.logger = logger
    }

    /// The port the server listens on, once it listens.
    public var port: Int? { boundPort.withLock { $0 } }

    /// The port the LDAPS listener listens on, once the server listens (nil: no LDAPS listener).
    public var ldapsPort: Int? { boundLDAPSPort.withLock { $0 } }

    /// Waits until the server listens and returns its port.
    public func waitUntilListening() async -> Int? {
        if let p = port { return p }
        for await p in ready.stream { return p }
        return port
    }

    public func run() async throws {
        let configuration = self.configuration
        // One count of connections per address for both listeners.
        let perAddress = ConnectionsPerAddress(limit: configuration.limits.maxConnectionsPerAddress)
        // Unbound connections, oldest first: closed for room at the connection limit.
        let unbound = UnboundConnections()
        let frontend = self.frontend
        let logger = self.logger
        let pools = WorkPools(
            verify: NIOThreadPool(numberOfThreads: max(1, configuration.verifyThreads)),
            compute: NIOThreadPool(numberOfThreads: max(1, configuration.computeThreads)),
            write: NIOThreadPool(numberOfThreads: max(1, configuration.writeThreads)))
        pools.verify.start()
        pools.compute.start()
        pools.write.start()
        defer {
            pools.verify.shutdownGracefully { _ in }
            pools.compute.shutdownGracefully { _ in }
            pools.write.shutdownGracefully { _ in }
        }
        let tls = try configuration.tls.map { settings throws(TLSSetupError) in try ServerTLS(settings) }
        guard frontend.configuration.startTLS == (tls != nil) else {
            throw TLSSetupError("the frontend's startTLS setting must say whether the server has TLS settings")
        }
        let open = OpenConnections()
        let server = try await listen(
            host: configuration.host, port: configuration.port, tls: tls, ldaps: false, pools: pools, perAddress: perAddress,
            unbound: unbound, open: open)
        let port = server.localAddress?.port ?? configuration.port
        let secure: (any Channel)?
        if let tls, let ldapsHost = tls.settings.ldapsHost {
            let listener: any Channel
            do {
                listener = try await listen(
                    host: ldapsHost, port: tls.settings.ldapsPort, tls: tls, ldaps: true, pools: pools, perAddress: perAddress,
                    unbound: unbound, open: open)
            } catch {
                server.close(promise: nil)
                throw error
            }
            let ldapsPort = listener.localAddress?.port ?? tls.settings.ldapsPort
            boundLDAPSPort.withLock { $0 = ldapsPort }
            logger.info("listening (LDAPS)", metadata: ["ldaps": "\(ldapsHost):\(ldapsPort)"])
            secure = listener
        } else {
            secure = nil
        }
        boundPort.withLock { $0 = port }
        ready.continuation.yield(port)
        ready.continuation.finish()
        logger.info("listening", metadata: ["address": "\(configuration.host):\(port)"])

        try await withGracefulShutdownHandler {
            // Connections are set up on their event loop as they are accepted (no hand-off to a task);
            // the listeners run until they are closed.
            try await withTaskCancellationHandler {
                for listener in [server, secure].compactMap({ $0 }) { try? await listener.closeFuture.get() }
            } onCancel: {
                server.close(promise: nil)
                secure?.close(promise: nil)
            }
            // Wait for the connections still open to finish (they are told to on shutdown).
            for future in open.closeFutures() { try? await future.get() }
        } onGracefulShutdown: {
            logger.info("shutting down")
            server.close(promise: nil)
            secure?.close(promise: nil)
            open.shutDownAll()
        }
    }

    /// Binds one listener. Each connection gets the LDAP pipeline; on the LDAPS listener TLS sits in
    /// front of it from the first byte, on the plain one StartTLS puts it there (when `tls` is set).
    private func listen(
        host: String, port: Int, tls: ServerTLS?, ldaps: Bool, pools: WorkPools, perAddress: ConnectionsPerAddress,
        unbound: UnboundConnections, open: OpenConnections
    ) async throws -> any Channel {
        let configuration = self.configuration
        let limits = configuration.limits
        let frontend = self.frontend
        let logger = self.logger
        let high = max(4096, configuration.writeBufferHighWaterMark)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimitHandler(limit: limits.maxConnections, limitLog: frontend.limitLog, unbound: unbound))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: high / 4, high: high))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    open.add(channel)
                    let peer = channel.remoteAddress?.description ?? "?"
                    if let address = channel.remoteAddress?.ipAddress {
                        guard perAddress.admit(address) else {
                            let reason =
                                "\(perAddress.limit) connections are open from \(address); at most \(perAddress.limit) "
                                + "are allowed (\(Limits.Name.maxConnectionsPerAddress.rawValue))"
                            frontend.limitLog.hit(.maxConnectionsPerAddress, "\(reason); one more refused", peer: peer)
                            try channel.pipeline.syncOperations.addHandler(RefusedConnectionHandler(reason: reason))
                            return
                        }
                        channel.closeFuture.whenComplete { _ in perAddress.release(address) }
                    }
                    var log = logger
                    log[metadataKey: "peer"] = "\(peer)"
                    let pipeline = channel.pipeline.syncOperations
                    if ldaps, let tls { try tls.start(on: pipeline, peer: peer, logger: log) }
                    let pduSize = PDUSizeBound(maxPDUSize: limits.maxPDUSize(for: .anonymous))
                    try pipeline.addHandler(ByteToMessageHandler(LDAPMessageDecoder(limits: limits.protocolLimits, pduSize: pduSize)))
                    try pipeline.addHandler(MessageToByteHandler(LDAPMessageEncoder()))
                    let session = LDAPSession(
                        frontend: frontend, peer: channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?",
                        address: channel.remoteAddress?.ipAddress ?? "?", limits: limits,
                        security: ldaps ? .tls : .plain, startTLSAvailable: !ldaps && tls != nil,
                        plaintextBindAllowed: frontend.configuration.allowPlaintextBinds || Self.isLoopback(channel.remoteAddress))
                    try pipeline.addHandler(
                        LDAPConnectionHandler(
                            session: session, pools: pools, configuration: configuration, pduSize: pduSize, tls: tls,
                            unbound: unbound, logger: log))
                    unbound.set(channel, unbound: true)
                    channel.closeFuture.whenComplete { _ in unbound.remove(channel) }
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Whether an address is the machine's own (127.0.0.0/8, ::1, an IPv4-mapped loopback
    /// address, or a UNIX socket).
    static func isLoopback(_ address: SocketAddress?) -> Bool {
        switch address {
        case .unixDomainSocket?: return true
        case .v4(let a)?: return UInt32(bigEndian: a.address.sin_addr.s_addr) >> 24 == 127
        case .v6?:
            guard let ip = address?.ipAddress?.lowercased() else { return false }
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case nil: return false
        }
    }

}

/// The connections a server has open, so that a graceful shutdown can tell each of them.
final class OpenConnections: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }
    private let state = Mutex(State())

    /// Registers a new connection; unregisters it when it closes. A connection accepted while
    /// the shutdown is under way (set up after the others were told) is told as soon as its
    /// pipeline is in place, so that it cannot keep the server waiting.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let late = state.withLock { s in
            s.channels[id] = channel
            return s.shuttingDown
        }
        channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.channels.removeValue(forKey: id) } }
        // Called from the child initializer: the event goes out once the initializer has run.
        if late { channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ServerShuttingDown()) } }
    }

    /// Sends every open connection the shutdown notice.
    func shutDownAll() {
        let channels = state.withLock { s in
            s.shuttingDown = true
            return Array(s.channels.values)
        }
        for channel in channels { channel.pipeline.fireUserInboundEventTriggered(ServerShuttingDown()) }
    }

    func closeFutures() -> [EventLoopFuture<Void>] { state.withLock { $0.channels.values.map(\.closeFuture) } }
}
