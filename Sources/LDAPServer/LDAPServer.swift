public import LDAPFrontend
import LDAPProtocol
public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The LDAP listener: a SwiftNIO server whose connections each run an ``LDAPSession``.
///
/// A `Service`: run it in a `ServiceGroup`; on graceful shutdown it stops accepting and closes
/// the connections it serves. An error in one connection never ends the accept loop.
public final class LDAPServer: Service, Sendable {
    public let configuration: ServerConfiguration
    let frontend: Frontend
    let logger: Logger
    let group: any EventLoopGroup
    private let boundPort = Mutex<Int?>(nil)
    private let openConnections = Atomic<Int>(0)
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
        let limits = configuration.limits
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LDAPMessageDecoder(limits: limits)))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(LDAPMessageEncoder()))
                    return try NIOAsyncChannel<LDAPInbound, LDAPMessage>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? configuration.port
        boundPort.withLock { $0 = port }
        ready.continuation.yield(port)
        ready.continuation.finish()
        logger.info("listening", metadata: ["address": "\(configuration.host):\(port)"])

        // The accept loop runs on the server channel's event loop, like every connection on its
        // own: serving never waits for the cooperative pool.
        try await withTaskExecutorPreference(EventLoopTaskExecutor(server.channel.eventLoop)) {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        let count = self.openConnections.add(1, ordering: .relaxed).newValue
                        if count > configuration.maxConnections {
                            self.openConnections.subtract(1, ordering: .relaxed)
                            logger.warning("connection limit reached, closing a new connection")
                            try? await connection.channel.close()
                            continue
                        }
                        let executor = EventLoopTaskExecutor(connection.channel.eventLoop)
                        tasks.addTask(executorPreference: executor) {
                            await self.serve(connection)
                            self.openConnections.subtract(1, ordering: .relaxed)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down")
            server.channel.close(promise: nil)
        }
        }
    }

    /// Runs one connection to its end; never throws, so one client cannot stop the server.
    func serve(_ connection: NIOAsyncChannel<LDAPInbound, LDAPMessage>) async {
        let peer = connection.channel.remoteAddress?.description ?? "?"
        var log = logger
        log[metadataKey: "peer"] = "\(peer)"
        var session = LDAPSession(frontend: frontend, peer: peer)
        do {
            try await connection.executeThenClose { inbound, outbound in
                // The stream ends on graceful shutdown as well as when the client closes; an
                // operation in progress always completes first.
                for try await inbound in inbound.cancelOnGracefulShutdown() {
                    switch inbound {
                    case .message(let message):
                        switch session.receive(message) {
                        case .none: continue
                        case .send(let messages): try await outbound.write(contentsOf: messages)
                        case .sendAndClose(let messages):
                            try await outbound.write(contentsOf: messages)
                            return
                        case .close: return
                        }
                    case .malformed(let error):
                        let channel = connection.channel
                        if case .sendAndClose(let messages) = session.malformed(error) {
                            // Written straight to the channel: the future completes once the bytes
                            // are in the socket, before the output is shut.
                            for m in messages { try? await channel.writeAndFlush(m) }
                        }
                        // Lingering close: stop sending, let the client read the notice and close;
                        // what it still sends is discarded. Give up after a short while.
                        try? await channel.close(mode: .output)
                        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
                    }
                }
                if Task.isShuttingDownGracefully {
                    try? await outbound.write(LDAPMessage.noticeOfDisconnection(.unavailable, "the server is shutting down"))
                }
            }
        } catch {
            log.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }
}
