import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL
import NIOTLS

/// The TLS a running server uses: the loaded certificate and key, and how it starts TLS on a
/// connection (from the first byte on the LDAPS listener, or after StartTLS).
struct ServerTLS: Sendable {
    let settings: TLSSettings
    let context: NIOSSLContext
    let handshakeTimeout: TimeAmount

    /// Loads the certificate chain and the key.
    /// - Throws: ``TLSSetupError`` naming the file and what is wrong with it.
    init(_ settings: TLSSettings) throws(TLSSetupError) {
        self.settings = settings
        self.handshakeTimeout = .seconds(max(1, settings.handshakeTimeoutSeconds))
        for (what, path) in [("certificate", settings.certificatePath), ("private key", settings.privateKeyPath)] where access(path, R_OK) != 0 {
            throw TLSSetupError("\(what) \(path): \(String(cString: strerror(errno)).lowercased())")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(settings.certificatePath)
        } catch {
            throw TLSSetupError("certificate \(settings.certificatePath): \(Self.reason(error, "a PEM certificate"))")
        }
        guard !chain.isEmpty else {
            throw TLSSetupError("certificate \(settings.certificatePath): no PEM certificate in it")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: settings.privateKeyPath, format: .pem)
        } catch {
            throw TLSSetupError("private key \(settings.privateKeyPath): \(Self.reason(error, "a PEM private key"))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // A client that neither answers close_notify nor closes is not waited for long.
        configuration.shutdownTimeout = .seconds(2)
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(
                "certificate \(settings.certificatePath) and private key \(settings.privateKeyPath) do not go together (\(error))")
        }
    }

    private static func reason(_ error: any Error, _ expected: String) -> String {
        switch error as? NIOSSLError {
        case .noSuchFilesystemObject?: "no such file"
        case .failedToLoadCertificate?, .failedToLoadPrivateKey?: "not \(expected)"
        default: "cannot be read as \(expected) (\(error))"
        }
    }

    /// Puts TLS in front of everything else in a connection's pipeline: the handshake starts at
    /// once, and ``TLSHandshakeWatch`` bounds its time and logs how it ends.
    func start(on pipeline: ChannelPipeline.SynchronousOperations, peer: String, logger: Logger) throws {
        try pipeline.addHandler(TLSHandshakeWatch(timeout: handshakeTimeout, peer: peer, logger: logger), position: .first)
        try pipeline.addHandler(NIOSSLServerHandler(context: context), position: .first)
    }
}

/// TLS cannot be set up: a certificate or key file is missing, unreadable or not PEM, or the two
/// do not go together.
public struct TLSSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Bounds the time of one connection's TLS handshake and logs how it ends: a handshake that has
/// not completed in time (a client that stops half-way, or never sends a ClientHello) closes the
/// connection; one that fails (garbage instead of a ClientHello, no common protocol) is logged
/// with the client's address. Never logs key material. Leaves the pipeline once the handshake
/// has completed.
final class TLSHandshakeWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let peer: String
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var failed = false

    init(timeout: TimeAmount, peer: String, logger: Logger) {
        self.timeout = timeout
        self.peer = peer
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            handler.value.logger.info(
                "TLS handshake timed out; closing", metadata: ["peer": "\(handler.value.peer)", "seconds": "\(handler.value.timeout.nanoseconds / 1_000_000_000)"])
            bound.value.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent {
            timer?.cancel()
            timer = nil
            let version = (try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).tlsVersion).flatMap { $0 }
            logger.debug("TLS established", metadata: ["peer": "\(peer)", "version": "\(version.map { "\($0)" } ?? "?")"])
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !failed {
            failed = true
            timer?.cancel()
            logger.info("TLS handshake failed", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
        context.fireErrorCaught(error)
    }
}
