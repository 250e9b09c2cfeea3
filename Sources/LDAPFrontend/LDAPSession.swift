public import LDAPProtocol
import Directory
import Logging

/// One connection's protocol state, as a value-type state machine: each event returns the action
/// the channel must carry out. No I/O, no `await`, and no costly work: what costs CPU or disk
/// (password hashing, durable writes, searches over many entries) is returned as a ``Job`` for
/// the handler to run off the event loop, and its ``Completion`` comes back as an event.
///
/// Operations of one connection are carried out one at a time, in the order they arrive (a bind
/// therefore never overlaps another operation, RFC 4511 §4.2.1). Requests that arrive while one
/// runs wait in a queue; once ``maxOutstanding`` are waiting or running, ``wantsToRead`` turns
/// false and the handler stops reading from the socket. Abandon (RFC 4511 §4.11) removes a
/// waiting request or stops a running search between two batches; unbind ends everything.
///
/// The connection's ``Limits`` are one layer around dispatch: a request beyond one is answered
/// adminLimitExceeded before any operation sees it, a PDU beyond one gets the Notice of
/// Disconnection that names it, and every hit is logged through the frontend's ``LimitLog``.
public struct LDAPSession: Sendable {
    /// What the connection must do next.
    public enum Action: Sendable, Equatable {
        /// Nothing (abandon, or a request with no response).
        case none
        /// Send these messages, in order.
        case send([LDAPMessage])
        /// Send these messages, then close the connection.
        case sendAndClose([LDAPMessage])
        /// Close the connection without a word (unbind).
        case close
        /// Send these messages, then run the job off the event loop and report its completion
        /// with ``LDAPSession/completed(_:)``.
        case sendAndPerform([LDAPMessage], Job)
        /// Send these messages (search entries), then tell ``LDAPSession/channelWritable(_:)``
        /// whether the channel can take more: the search goes on only while it can.
        case sendAndAskWritability([LDAPMessage])
        /// Send these messages (the StartTLS response) in the clear, then start the TLS handshake
        /// (RFC 4511 §4.14.2) and report its completion with ``LDAPSession/tlsEstablished()``.
        case sendAndStartTLS([LDAPMessage])

        /// The messages the action sends.
        public var messages: [LDAPMessage] {
            switch self {
            case .none, .close: []
            case .send(let m), .sendAndClose(let m), .sendAndPerform(let m, _), .sendAndAskWritability(let m),
                .sendAndStartTLS(let m):
                m
            }
        }
    }

    /// Work to run off the event loop (on a thread pool): pure with respect to the connection, it
    /// reads the shared directory and may write through the domain's commands.
    public struct Job: Sendable, Equatable {
        /// Which pool it belongs on: password checks, searches and durable writes each have
        /// their own, so a slow disk never delays a bind and costly searches from many
        /// connections never queue ahead of one.
        public enum Kind: Sendable, Hashable { case verify, compute, write }

        public let kind: Kind
        let messageID: Int32
        /// Seconds to wait before running it (a throttled bind); 0: at once.
        public let delay: Double
        let work: @Sendable () -> Completion

        init(kind: Kind, messageID: Int32, delay: Double = 0, work: @escaping @Sendable () -> Completion) {
            self.kind = kind
            self.messageID = messageID
            self.delay = delay
            self.work = work
        }

        /// Runs the job (on whatever thread the caller chose).
        public func run() -> Completion { work() }

        public static func == (a: Job, b: Job) -> Bool { a.messageID == b.messageID && a.kind == b.kind }
    }

    /// What a job produced, handed back to the session on the event loop.
    public struct Completion: Sendable {
        enum Outcome: Sendable {
            /// The operation's response; for a bind, the new identity (nil: anonymous).
            case response([LDAPMessage], bound: BoundIdentity??)
            /// A batch of a search, and the walk that goes on (finished when it has sent its done).
            case searchBatch([LDAPMessage], SearchWalk)
            /// A page of a paged search, and the cursor to keep under `cookie`.
            case page([LDAPMessage], keep: PagingState.Cursor?, cookie: [UInt8])
        }

        let messageID: Int32
        let outcome: Outcome
        /// Deliver it no sooner than this (a refused bind's answer waits for the refusal time).
        public let notBefore: ContinuousClock.Instant?

        init(messageID: Int32, outcome: Outcome, notBefore: ContinuousClock.Instant? = nil) {
            self.messageID = messageID
            self.outcome = outcome
            self.notBefore = notBefore
        }
    }

    private enum Running: Sendable {
        /// A job is out (its completion will come back).
        case job(Int32)
        /// A search batch is out; `abandoned` once the client abandoned it.
        case search(Int32, abandoned: Bool)
        /// A search waits for the channel to become writable.
        case searchWaiting(SearchWalk)
    }

    /// The identity the connection is bound as.
    public private(set) var identity: BoundIdentity = .anonymous
    private var closed = false
    private var paging = PagingState()
    private var queue: [LDAPMessage] = []
    private var running: Running?
    /// Whether the channel can take more output: no new operation starts while it cannot, so a
    /// client that never reads is never answered more than a batch ahead.
    private var writable = true
    let frontend: Frontend

    /// The client's address and port, for the audit log.
    let peer: String
    /// The client's IP address (what the bind throttle counts by).
    let address: String

    /// The limits the connection is held to.
    public let limits: Limits
    /// Whether the outstanding-operations limit was logged for this connection (once is enough).
    private var loggedOutstanding = false

    /// Most operations a connection may have waiting or running before it stops reading.
    public var maxOutstanding: Int { max(1, limits.maxOutstandingOperations) }

    /// Whether TLS protects the connection (see `LDAPSession+Security.swift`).
    public internal(set) var security: Security
    /// Whether StartTLS is offered on this connection (the server has a certificate).
    public let startTLSAvailable: Bool
    /// Whether this client may send a password without TLS (from loopback, or when the server
    /// allows plaintext binds); otherwise such a bind gets `confidentialityRequired`.
    public let plaintextBindAllowed: Bool

    /// - Parameters:
    ///   - frontend: the shared frontend.
    ///   - peer: the client's address, recorded with every write and every limit hit.
    ///   - address: the client's IP address (default: `peer`): what the bind throttle counts by.
    ///   - limits: the limits the connection is held to.
    ///   - security: `.tls` for an LDAPS connection, otherwise `.plain`.
    ///   - startTLSAvailable: whether StartTLS is offered (the server has a certificate).
    ///   - plaintextBindAllowed: whether a simple bind with a password is accepted without TLS.
    public init(
        frontend: Frontend, peer: String = "?", address: String? = nil, limits: Limits = Limits(), security: Security = .plain,
        startTLSAvailable: Bool = false, plaintextBindAllowed: Bool = true
    ) {
        self.frontend = frontend
        self.peer = peer
        self.address = address ?? peer
        self.limits = limits
        self.security = security
        self.startTLSAvailable = startTLSAvailable
        self.plaintextBindAllowed = plaintextBindAllowed
    }

    init(frontend: Frontend, identity: BoundIdentity) {
        self.frontend = frontend
        self.peer = "benchmark"
        self.address = "benchmark"
        self.identity = identity
        self.limits = Limits()
        self.security = .plain
        self.startTLSAvailable = false
        self.plaintextBindAllowed = true
    }

    /// Whether the connection should read more requests now.
    public var wantsToRead: Bool { !closed && queue.count + (running == nil ? 0 : 1) < maxOutstanding }

    /// Operations waiting or running.
    public var outstanding: Int { queue.count + (running == nil ? 0 : 1) }

    /// The largest PDU the connection accepts now: smaller until a bind with a name and password.
    public var maxPDUSize: Int { limits.maxPDUSize(for: identity) }

    /// The idle timeout in force now, in seconds (0: never): shorter until a bind with a name
    /// and password.
    public var idleTimeoutSeconds: Int { limits.idleTimeoutSeconds(for: identity) }

    // MARK: - Events

    /// Handles one request as it is read.
    public mutating func receive(_ message: LDAPMessage) -> Action {
        guard !closed else { return .none }
        // Bytes that followed StartTLS in the clear are never read as LDAP (RFC 4513 §3.1.1).
        if security == .upgrading { return plaintextAfterStartTLS() }
        frontend.logger.trace("request", metadata: ["id": "\(message.messageID)", "op": "\(Self.name(of: message.protocolOp))"])
        if message.messageID == 0, !Self.isUnbind(message.protocolOp) {
            return disconnect(.protocolError, "message ID 0 is reserved for unsolicited notifications")
        }
        switch message.protocolOp {
        case .unbindRequest:
            closed = true
            queue = []
            if case .search(let id, _) = running { running = .search(id, abandoned: true) }
            return .close
        case .abandonRequest(let target):
            // RFC 4511 §4.11: no response either way.
            queue.removeAll { $0.messageID == target }
            switch running {
            case .search(let id, _) where id == target: running = .search(id, abandoned: true)
            case .searchWaiting(let walk) where walk.messageID == target:
                running = nil
                return drain()
            default: break
            }
            return .none
        case .bindResponse, .searchResultEntry, .searchResultDone, .searchResultReference, .modifyResponse,
            .addResponse, .deleteResponse, .modifyDNResponse, .compareResponse, .extendedResponse,
            .intermediateResponse:
            return disconnect(.protocolError, "a client sent a response PDU")
        case .extendedRequest(let request) where request.name == ExtendedRequest.startTLS:
            return startTLS(message.messageID, request)
        default:
            queue.append(message)
            return running == nil ? drain() : .none
        }
    }

    /// Handles the completion of a job the session asked for.
    public mutating func completed(_ completion: Completion) -> Action {
        guard !closed else { return .none }
        switch completion.outcome {
        case .response(let messages, let bound):
            running = nil
            if let bound { identity = bound ?? .anonymous }
            return drain(sending: messages)
        case .page(let messages, let keep, let cookie):
            running = nil
            if let keep { paging.store(keep, as: cookie) }
            return drain(sending: messages)
        case .searchBatch(let messages, let walk):
            if case .search(_, abandoned: true) = running {
                running = nil
                return drain()
            }
            if walk.finished {
                running = nil
                if let keep = walk.keptCursor, let cookie = walk.pagingCookie { paging.store(keep, as: cookie) }
                return drain(sending: messages)
            }
            running = .searchWaiting(walk)
            return .sendAndAskWritability(messages)
        }
    }

    /// Tells the session whether the channel can take more output; a waiting search goes on
    /// when it can.
    public mutating func channelWritable(_ writable: Bool) -> Action {
        self.writable = writable
        guard !closed, writable else { return .none }
        switch running {
        case .searchWaiting(let walk):
            running = .search(walk.messageID, abandoned: false)
            return .sendAndPerform([], Self.batchJob(walk))
        case nil:
            return drain()
        default:
            return .none
        }
    }

    /// Handles a PDU that could not be framed or decoded: Notice of Disconnection, then close.
    /// A PDU beyond a limit gets a notice that names the limit.
    public mutating func malformed(_ error: LDAPFramingError) -> Action {
        let reason = error.underlying.reason
        guard let bound = error.limit else {
            frontend.logger.debug("malformed PDU", metadata: ["reason": "\(reason)", "peer": "\(peer)"])
            return disconnect(.protocolError, "malformed PDU: \(reason)")
        }
        let limit: Limits.Name
        switch bound {
        case .pduSize: limit = identity.isAuthenticated ? .maxPDUSize : .maxPDUSizeBeforeBind
        case .berDepth: limit = .maxBERDepth
        case .filterDepth: limit = .maxFilterDepth
        }
        let when = limit == .maxPDUSizeBeforeBind ? " before a bind with a name and password" : ""
        frontend.limitLog.hit(limit, "\(reason)\(when); the connection is closed", peer: peer)
        return disconnect(.protocolError, "malformed PDU: \(reason)\(when) (\(limit.rawValue))")
    }

    /// The connection's clocks: a PDU begun and not finished in time, a connection idle too long.
    public enum Timeout: Sendable, Hashable {
        /// The rest of a PDU did not arrive within ``Limits/pduTimeoutSeconds``.
        case pdu
        /// Nothing was asked or outstanding for the idle timeout in force.
        case idle
    }

    /// A clock ran out: Notice of Disconnection (adminLimitExceeded) naming the limit, then close.
    public mutating func timedOut(_ timeout: Timeout) -> Action {
        guard !closed else { return .none }
        let limit: Limits.Name
        let message: String
        switch timeout {
        case .pdu:
            limit = .pduTimeout
            message = "a PDU was not finished within \(limits.pduTimeoutSeconds) s"
        case .idle:
            limit = identity.isAuthenticated ? .idleTimeout : .idleTimeoutBeforeBind
            let when = identity.isAuthenticated ? "" : " before a bind with a name and password"
            message = "idle for \(idleTimeoutSeconds) s\(when)"
        }
        frontend.limitLog.hit(limit, "\(message); the connection is closed", peer: peer)
        return disconnect(.adminLimitExceeded, "\(message) (\(limit.rawValue))")
    }

    /// The handler holds back reading because ``maxOutstanding`` operations are waiting or
    /// running: logged once per connection.
    public mutating func readsHeldBack() {
        guard !loggedOutstanding, !closed else { return }
        loggedOutstanding = true
        let message = "\(outstanding) operations outstanding; reading paused until one completes"
        frontend.limitLog.hit(.maxOutstandingOperations, message, peer: peer)
    }

    /// The connection is gone: nothing more is sent, a running search stops at its next batch.
    public mutating func channelClosed() {
        closed = true
        queue = []
        if case .searchWaiting = running { running = nil }
    }

    // MARK: - Dispatch

    /// Starts queued operations until one needs a job or the queue is empty.
    private mutating func drain(sending first: [LDAPMessage] = []) -> Action {
        var out = first
        while running == nil, writable, !closed, !queue.isEmpty {
            let message = queue.removeFirst()
            switch dispatch(message) {
            case .immediate(let messages):
                out.append(contentsOf: messages)
            case .job(let job):
                running = .job(job.messageID)
                return .sendAndPerform(out, job)
            case .search(let walk):
                running = .search(walk.messageID, abandoned: false)
                return .sendAndPerform(out, Self.batchJob(walk))
            case .close(let messages):
                closed = true
                queue = []
                return .sendAndClose(out + messages)
            }
        }
        return out.isEmpty ? .none : .send(out)
    }

    private enum Dispatch {
        case immediate([LDAPMessage])
        case job(Job)
        case search(SearchWalk)
        case close([LDAPMessage])
    }

    private static func batchJob(_ walk: SearchWalk) -> Job {
        Job(kind: .compute, messageID: walk.messageID) {
            var w = walk
            let messages = w.next()
            return Completion(messageID: w.messageID, outcome: .searchBatch(messages, w))
        }
    }

    private mutating func dispatch(_ message: LDAPMessage) -> Dispatch {
        let id = message.messageID
        if let refusal = limits.refusal(of: message), let responseTag = Self.responseKind(of: message.protocolOp) {
            let operation = Self.name(of: message.protocolOp)
            frontend.limitLog.hit(refusal.limit, "\(operation) refused: \(refusal.diagnosticMessage)", peer: peer)
            let result = LDAPResult(.adminLimitExceeded, diagnosticMessage: refusal.diagnosticMessage)
            return .immediate([LDAPMessage(messageID: id, responseTag(result))])
        }
        if let control = message.controls.first(where: { $0.criticality && !Frontend.supportedControls.contains($0.oid) }),
            let responseTag = Self.responseKind(of: message.protocolOp)
        {
            let result = LDAPResult(
                .unavailableCriticalExtension, diagnosticMessage: "critical control \(control.oid) is not supported")
            return .immediate([LDAPMessage(messageID: id, responseTag(result))])
        }
        if let refusal = plaintextPasswordRefusal(message.protocolOp), let responseTag = Self.responseKind(of: message.protocolOp) {
            return .immediate([LDAPMessage(messageID: id, responseTag(refusal))])
        }
        let frontend = self.frontend
        let current = self.identity
        let write = WriteSupport.Context(frontend: frontend, identity: current, peer: peer)
        func job(_ kind: Job.Kind, _ body: @escaping @Sendable () -> LDAPMessage.ProtocolOp) -> Dispatch {
            .job(Job(kind: kind, messageID: id) { Completion(messageID: id, outcome: .response([LDAPMessage(messageID: id, body())], bound: nil)) })
        }
        switch message.protocolOp {
        case .bindRequest(let request):
            if let refusal = plaintextBindRefusal(request) {
                identity = .anonymous
                return .immediate([LDAPMessage(messageID: id, .bindResponse(refusal))])
            }
            let origin = Authenticator.Origin(address: address, source: "ldap \(peer)")
            switch BindOperation(frontend: frontend).decide(request, origin: origin) {
            case .answered(let response, let newIdentity):
                identity = newIdentity ?? .anonymous
                return .immediate([LDAPMessage(messageID: id, .bindResponse(response))])
            case .verify(let verification):
                // RFC 4511 §4.2.1: a bind in progress leaves the connection anonymous.
                identity = .anonymous
                if verification.isCheap, let (response, newIdentity) = verification.runCheap() {
                    identity = newIdentity ?? .anonymous
                    return .immediate([LDAPMessage(messageID: id, .bindResponse(response))])
                }
                return .job(
                    Job(kind: .verify, messageID: id, delay: verification.wait) {
                        let (response, newIdentity, notBefore) = verification.run()
                        return Completion(
                            messageID: id, outcome: .response([LDAPMessage(messageID: id, .bindResponse(response))], bound: .some(newIdentity)),
                            notBefore: notBefore)
                    })
            }
        case .searchRequest(let request):
            switch SearchOperation(frontend: frontend, identity: current, limits: limits).start(
                request, controls: message.controls, messageID: id, paging: &paging)
            {
            case .done(let messages): return .immediate(messages)
            case .page(let page):
                if page.isSmall {
                    let (messages, keep) = page.produce()
                    if let keep { paging.store(keep, as: page.cookie) }
                    return .immediate(messages)
                }
                return .job(
                    Job(kind: .compute, messageID: id) {
                        let (messages, keep) = page.produce()
                        return Completion(messageID: id, outcome: .page(messages, keep: keep, cookie: page.cookie))
                    })
            case .walk(var walk):
                guard walk.isSmall else { return .search(walk) }
                let messages = walk.all()
                if let keep = walk.keptCursor, let cookie = walk.pagingCookie { paging.store(keep, as: cookie) }
                return .immediate(messages)
            }
        case .compareRequest(let request):
            let result = CompareOperation(frontend: frontend, identity: current).compare(request)
            return .immediate([LDAPMessage(messageID: id, .compareResponse(result))])
        case .extendedRequest(let request):
            switch request.name {
            case ExtendedRequest.passwordModify:
                return job(.write) { .extendedResponse(PasswordModifyOperation(write: write.support()).modify(request.value)) }
            default:
                return .immediate([LDAPMessage(messageID: id, .extendedResponse(extended(request)))])
            }
        case .addRequest(let request):
            return job(.write) { .addResponse(AddOperation(write: write.support()).add(request)) }
        case .modifyRequest(let request):
            return job(.write) { .modifyResponse(ModifyOperation(write: write).modify(request)) }
        case .deleteRequest(let dn):
            return job(.write) { .deleteResponse(DeleteOperation(write: write.support()).delete(dn)) }
        case .modifyDNRequest(let request):
            return job(.write) {
                .modifyDNResponse(write.support().execute(planning: { ModifyDNOperation(write: $0).modifyDN(request) }))
            }
        default:
            // Unbind, abandon and response PDUs never reach the queue.
            return .immediate([])
        }
    }

    private mutating func disconnect(_ code: ResultCode, _ message: String) -> Action {
        closed = true
        queue = []
        return .sendAndClose([LDAPMessage.noticeOfDisconnection(code, message)])
    }

    private func extended(_ request: ExtendedRequest) -> ExtendedResponse {
        switch request.name {
        case ExtendedRequest.whoAmI:
            guard request.value == nil else {
                return ExtendedResponse(LDAPResult(.protocolError, diagnosticMessage: "WhoAmI takes no request value"))
            }
            let authzID = identity.dn.isEmpty ? "" : "dn:\(identity.dn)"
            return ExtendedResponse(LDAPResult(.success), value: Array(authzID.utf8))
        default:
            return ExtendedResponse(
                LDAPResult(.protocolError, diagnosticMessage: "unsupported extended operation \(request.name)"))
        }
    }

    private static func isUnbind(_ op: LDAPMessage.ProtocolOp) -> Bool {
        if case .unbindRequest = op { return true }
        return false
    }

    /// The response constructor for a request that gets one (nil for unbind and abandon).
    private static func responseKind(of op: LDAPMessage.ProtocolOp) -> ((LDAPResult) -> LDAPMessage.ProtocolOp)? {
        switch op {
        case .bindRequest: return { .bindResponse(BindResponse($0)) }
        case .searchRequest: return { .searchResultDone($0) }
        case .modifyRequest: return { .modifyResponse($0) }
        case .addRequest: return { .addResponse($0) }
        case .deleteRequest: return { .deleteResponse($0) }
        case .modifyDNRequest: return { .modifyDNResponse($0) }
        case .compareRequest: return { .compareResponse($0) }
        case .extendedRequest: return { .extendedResponse(ExtendedResponse($0)) }
        default: return nil
        }
    }

    static func name(of op: LDAPMessage.ProtocolOp) -> String {
        switch op {
        case .bindRequest: "bind"
        case .unbindRequest: "unbind"
        case .searchRequest: "search"
        case .modifyRequest: "modify"
        case .addRequest: "add"
        case .deleteRequest: "delete"
        case .modifyDNRequest: "modifyDN"
        case .compareRequest: "compare"
        case .abandonRequest: "abandon"
        case .extendedRequest: "extended"
        default: "response"
        }
    }
}

extension LDAPSession {
    /// Handles one request and runs every job it leads to on the calling thread, ignoring
    /// writability: the whole response at once (tests and in-process benchmarks).
    public mutating func respond(to message: LDAPMessage) -> [LDAPMessage] {
        var out: [LDAPMessage] = []
        var action = receive(message)
        while true {
            out.append(contentsOf: action.messages)
            switch action {
            case .sendAndPerform(_, let job): action = completed(job.run())
            case .sendAndAskWritability: action = channelWritable(true)
            default: return out
            }
        }
    }
}
