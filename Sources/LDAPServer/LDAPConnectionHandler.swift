import LDAPFrontend
import LDAPProtocol
import Logging
import NIOCore
import NIOPosix
import NIOTLS

/// The thread pools a server runs costly work on, so that an event loop only moves bytes.
struct WorkPools: Sendable {
    /// Password checks of binds.
    let verify: NIOThreadPool
    /// Password hashing of writes, searches over many entries.
    let compute: NIOThreadPool
    /// Durable writes (they wait on the disk and on the store's lock).
    let write: NIOThreadPool

    func pool(for kind: LDAPSession.Job.Kind) -> NIOThreadPool {
        switch kind {
        case .verify: verify
        case .compute: compute
        case .write: write
        }
    }
}

/// The thin channel handler of one connection: it hands each decoded PDU to the connection's
/// ``LDAPSession`` state machine and carries out the action it returns, on the channel's event
/// loop. It does no work of its own: jobs go to the thread pools and come back as completions;
/// reads are held back while the session has its limit of operations outstanding; search
/// entries are written as they are produced, and production waits while the channel is not
/// writable.
final class LDAPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = LDAPInbound
    typealias OutboundIn = LDAPMessage
    typealias OutboundOut = LDAPMessage

    private var session: LDAPSession
    private let pools: WorkPools
    private let logger: Logger
    /// What StartTLS starts (nil: the session never accepts StartTLS).
    private let tls: ServerTLS?
    /// Where the connection is listed while it is not bound (closed oldest first for room).
    private let unbound: UnboundConnections?
    private var wasBound = false
    private let lingerSeconds: Int64
    private var context: ChannelHandlerContext?
    private var closing = false
    /// Inside a burst of channelRead calls: flushing waits for channelReadComplete.
    private var reading = false
    private var pendingFlush = false
    /// A read the channel asked for and the handler held back.
    private var readHeldBack = false

    private let pduTimeout: TimeAmount
    private var pduTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    /// When the idle clock runs out (the scheduled task may be due earlier; it then looks again).
    private var idleDeadline = NIODeadline.distantFuture
    /// The idle timeout the idle clock was last started with (it changes with a bind).
    private var idleTimeoutArmed = 0
    /// The PDU size the decoder accepts, kept to what the session's state allows.
    private let pduSize: PDUSizeBound

    init(
        session: LDAPSession, pools: WorkPools, configuration: ServerConfiguration, pduSize: PDUSizeBound,
        tls: ServerTLS? = nil, unbound: UnboundConnections? = nil, logger: Logger
    ) {
        self.unbound = unbound
        self.session = session
        self.pools = pools
        self.tls = tls
        self.lingerSeconds = configuration.lingerSeconds
        self.pduTimeout = .seconds(Int64(max(1, session.limits.pduTimeoutSeconds)))
        self.pduSize = pduSize
        self.logger = logger
    }

    // MARK: - Timers

    /// The connection's two clocks: a PDU begun must be finished in time, and a connection with
    /// nothing to do is closed after the idle timeout.
    private enum Clock { case pdu, idle }

    /// A PDU begun must be finished in time; the clock runs only while the server reads.
    private func armPDUTimer(_ context: ChannelHandlerContext) { arm(.pdu, context) }

    /// Restarts the idle clock; it closes a connection with nothing to do for too long.
    private func armIdleTimer(_ context: ChannelHandlerContext) { arm(.idle, context) }

    /// (Re)starts a clock that closes the connection when it runs out — unless the server itself
    /// is what holds the client up (reads held back, operations outstanding); then it starts again.
    ///
    /// The idle clock is armed on every request, so it is not rescheduled each time: the handler
    /// notes when it now runs out, and the scheduled task, when it fires early, schedules itself
    /// again for what is left (a cancel and a new task per request before).
    private func arm(_ clock: Clock, _ context: ChannelHandlerContext) {
        let delay: TimeAmount
        switch clock {
        case .pdu:
            pduTimer?.cancel()
            delay = pduTimeout
        case .idle:
            let seconds = session.idleTimeoutSeconds
            let changed = seconds != idleTimeoutArmed
            idleTimeoutArmed = seconds
            guard seconds > 0 else {
                idleTimer?.cancel()
                idleTimer = nil
                return
            }
            let now = NIODeadline.now()
            idleDeadline = now + .seconds(Int64(seconds))
            // A task already scheduled fires at or before the new deadline unless the timeout changed.
            if idleTimer != nil, !changed { return }
            idleTimer?.cancel()
            delay = idleDeadline - now
        }
        schedule(clock, in: delay, context)
    }

    private func schedule(_ clock: Clock, in delay: TimeAmount, _ context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let task = context.eventLoop.scheduleTask(in: delay) {
            let this = handler.value
            guard !this.closing else { return }
            if clock == .idle {
                this.idleTimer = nil
                let left = this.idleDeadline - NIODeadline.now()
                if left > .zero {
                    // Activity since the task was scheduled: the clock runs on from it.
                    this.schedule(.idle, in: left, bound.value)
                    return
                }
            }
            let serverBusy = this.session.outstanding > 0 || (clock == .pdu && this.readHeldBack)
            if serverBusy {
                this.arm(clock, bound.value)
            } else {
                this.execute(this.session.timedOut(clock == .pdu ? .pdu : .idle), bound.value)
            }
        }
        switch clock {
        case .pdu: pduTimer = task
        case .idle: idleTimer = task
        }
    }

    /// Keeps the connection's place among the unbound ones in step with its identity.
    private func noteBinding(_ context: ChannelHandlerContext) {
        let bound = session.identity.viewer != .anonymous
        guard bound != wasBound, !closing else { return }
        wasBound = bound
        unbound?.set(context.channel, unbound: !bound)
    }

    /// Closes without a word (a StartTLS that could not start).
    private func closeQuietly(_ context: ChannelHandlerContext) {
        closing = true
        session.channelClosed()
        pduTimer?.cancel()
        idleTimer?.cancel()
        context.close(promise: nil)
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { armIdleTimer(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: - Events from the channel

    func read(context: ChannelHandlerContext) {
        if session.wantsToRead {
            context.read()
        } else {
            session.readsHeldBack()
            readHeldBack = true
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        reading = true
        armIdleTimer(context)
        switch unwrapInboundIn(data) {
        case .message(let message):
            execute(session.receive(message), context)
        case .malformed(let error):
            closing = true
            for m in session.malformed(error).messages { context.write(wrapOutboundOut(m), promise: nil) }
            // Lingering close: the notice goes out, then the output is shut; what the client
            // still sends is discarded until it closes, or for a few seconds at most, so the
            // close does not reset the connection and lose the notice.
            let channel = context.channel
            context.flush()
            context.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(lingerSeconds)) { channel.close(promise: nil) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        flushIfPending(context)
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !closing { execute(session.channelWritable(context.channel.isWritable), context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pduTimer?.cancel()
        idleTimer?.cancel()
        closing = true
        session.channelClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        closing = true
        session.channelClosed()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerShuttingDown {
            shutDown(context: context)
        } else if event is ClosedForRoom {
            guard !closing else { return }
            logger.info("closing an unbound connection to make room for a new client")
            closing = true
            session.channelClosed()
            context.writeAndFlush(
                wrapOutboundOut(
                    .noticeOfDisconnection(
                        .adminLimitExceeded,
                        "the server has its limit of connections open; connections not bound are closed, oldest first, for new clients (max-connections)"
                    )), promise: nil)
            context.close(promise: nil)
        } else if case .handshakeCompleted? = event as? TLSUserEvent {
            session.tlsEstablished()
            context.fireUserInboundEventTriggered(event)
        } else if let partial = event as? LDAPPartialPDU {
            switch partial {
            case .started where session.security == .upgrading:
                // Part of a PDU sent in the clear behind StartTLS: never read as LDAP.
                execute(session.plaintextAfterStartTLS(), context)
            case .started: armPDUTimer(context)
            case .finished:
                pduTimer?.cancel()
                pduTimer = nil
            }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Tells the client the server is shutting down (RFC 4511 §4.4.1), then closes.
    func shutDown(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        session.channelClosed()
        context.writeAndFlush(wrapOutboundOut(.noticeOfDisconnection(.unavailable, "the server is shutting down")), promise: nil)
        context.close(promise: nil)
    }

    // MARK: - Carrying out actions

    private func execute(_ action: LDAPSession.Action, _ context: ChannelHandlerContext) {
        defer { noteBinding(context) }
        var action = action
        while true {
            for m in action.messages { context.write(wrapOutboundOut(m), promise: nil) }
            if !action.messages.isEmpty { pendingFlush = true }
            switch action {
            case .none, .send:
                break
            case .sendAndClose:
                closing = true
                context.flush()
                context.close(promise: nil)
                return
            case .close:
                closing = true
                context.flush()
                context.close(promise: nil)
                return
            case .sendAndPerform(_, let job):
                perform(job, context)
            case .sendAndStartTLS:
                // The response goes out in the clear; TLS then sits in front of everything.
                context.flush()
                pendingFlush = false
                do {
                    guard let tls else { throw TLSSetupError("no certificate") }
                    try tls.start(on: context.pipeline.syncOperations, peer: context.channel.remoteAddress?.description ?? "?", logger: logger)
                } catch {
                    logger.info("StartTLS failed; closing", metadata: ["error": "\(error)"])
                    closeQuietly(context)
                    return
                }
            case .sendAndAskWritability:
                // Flushed first: what is buffered decides whether the channel can take more.
                flushIfPending(context)
                action = session.channelWritable(context.channel.isWritable)
                continue
            }
            break
        }
        if !reading { flushIfPending(context) }
        // A bind changes the PDU size and the idle timeout in force.
        pduSize.maxPDUSize = session.maxPDUSize
        if session.idleTimeoutSeconds != idleTimeoutArmed { armIdleTimer(context) }
        if readHeldBack, session.wantsToRead {
            readHeldBack = false
            context.read()
        }
    }

    private func perform(_ job: LDAPSession.Job, _ context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        if job.delay > 0 {
            // A throttled bind waits on the loop's clock, holding no thread.
            loop.scheduleTask(in: .milliseconds(Int64(job.delay * 1000))) {
                let this = handler.value
                guard let context = this.context, !this.closing else { return }
                this.run(job, context)
            }
            return
        }
        run(job, context)
    }

    private func run(_ job: LDAPSession.Job, _ context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        pools.pool(for: job.kind).runIfActive(eventLoop: loop) { job.run() }.whenComplete { result in
            let this = handler.value
            guard let context = this.context, !this.closing else { return }
            switch result {
            case .success(let completion):
                this.armIdleTimer(context)  // time spent working for the client is not idle time
                if let notBefore = completion.notBefore {
                    let wait = notBefore - ContinuousClock.now
                    if wait > .zero {
                        // A refused bind is answered after the one refusal time, holding no thread.
                        let c = wait.components
                        let nanos = c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
                        loop.scheduleTask(in: .nanoseconds(nanos)) {
                            let this = handler.value
                            guard let context = this.context, !this.closing else { return }
                            this.execute(this.session.completed(completion), context)
                        }
                        return
                    }
                }
                this.execute(this.session.completed(completion), context)
            case .failure(let error):
                // The pool is gone: the server is stopping.
                this.logger.debug("job not run", metadata: ["error": "\(error)"])
                this.closing = true
                context.close(promise: nil)
            }
        }
    }

    private func flushIfPending(_ context: ChannelHandlerContext) {
        guard pendingFlush else { return }
        pendingFlush = false
        context.flush()
    }
}

/// The event a graceful shutdown sends down every open connection.
struct ServerShuttingDown: Sendable {}
