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

    /// Waits until the server listens and returns its port.
    public func waitUntilListening() async -> Int? {
        if let p = port { return p }
        for await p in ready.stream { return p }
        return port
    }

    public func run() async throws {
        let configuration = self.configuration
        let limits = configuration.limits
        let perAddress = ConnectionsPerAddress(limit: limits.maxConnectionsPerAddress)
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
        let high = max(4096, configuration.writeBufferHighWaterMark)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimitHandler(limit: limits.maxConnections, limitLog: frontend.limitLog))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: high / 4, high: high))
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let peer = channel.remoteAddress?.description ?? "?"
                    if let address = channel.remoteAddress?.ipAddress {
                        guard perAddress.admit(address) else {
                            let reason =
                                "\(perAddress.limit) connections are open from \(address); at most \(perAddress.limit) "
                                + "are allowed (\(Limits.Name.maxConnectionsPerAddress.rawValue))"
                            frontend.limitLog.hit(.maxConnectionsPerAddress, "\(reason); one more refused", peer: peer)
                            try channel.pipeline.syncOperations.addHandler(RefusedConnectionHandler(reason: reason))
                            return channel
                        }
                        channel.closeFuture.whenComplete { _ in perAddress.release(address) }
                    }
                    var log = logger
                    log[metadataKey: "peer"] = "\(peer)"
                    let pduSize = PDUSizeBound(maxPDUSize: limits.maxPDUSize(for: .anonymous))
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LDAPMessageDecoder(limits: limits.protocolLimits, pduSize: pduSize)))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(LDAPMessageEncoder()))
                    let session = LDAPSession(frontend: frontend, peer: peer, limits: limits)
                    try channel.pipeline.syncOperations.addHandler(
                        LDAPConnectionHandler(
                            session: session, pools: pools, configuration: configuration, pduSize: pduSize,
                            logger: log))
                    return channel
                }
            }
        let port = server.channel.localAddress?.port ?? configuration.port
        boundPort.withLock { $0 = port }
        ready.continuation.yield(port)
        ready.continuation.finish()
        logger.info("listening", metadata: ["address": "\(configuration.host):\(port)"])

        let open = OpenConnections()
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { inbound in
                // The listener stops accepting at the connection limit (ConnectionLimitHandler);
                // this loop only keeps the open connections for a graceful shutdown.
                for try await channel in inbound { open.add(channel) }
            }
            // Wait for the connections still open to finish (they are told to on shutdown).
            for future in open.closeFutures() { try? await future.get() }
        } onGracefulShutdown: {
            logger.info("shutting down")
            server.channel.close(promise: nil)
            open.shutDownAll()
        }
    }

}

/// The connections a server has open, so that a graceful shutdown can tell each of them.
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Registers a new connection; unregisters it when it closes.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in _ = self.channels.withLock { $0.removeValue(forKey: id) } }
    }

    /// Sends every open connection the shutdown notice.
    func shutDownAll() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ServerShuttingDown())
        }
    }

    func closeFutures() -> [EventLoopFuture<Void>] { channels.withLock { $0.values.map(\.closeFuture) } }
}
