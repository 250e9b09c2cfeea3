public import LDAPProtocol
import Logging

/// One connection's protocol state, as a value-type state machine: each event returns the action
/// the channel must carry out. No I/O, no `await`.
public struct LDAPSession: Sendable {
    /// What the connection must do next.
    public enum Action: Sendable, Hashable {
        /// Nothing (abandon, or a request with no response).
        case none
        /// Send these messages, in order.
        case send([LDAPMessage])
        /// Send these messages, then close the connection.
        case sendAndClose([LDAPMessage])
        /// Close the connection without a word (unbind).
        case close
    }

    /// The identity the connection is bound as.
    public private(set) var identity: BoundIdentity = .anonymous
    private var closed = false
    private var paging = PagingState()
    let frontend: Frontend

    /// The client's address, for the audit log.
    let peer: String

    /// - Parameters:
    ///   - frontend: the shared frontend.
    ///   - peer: the client's address, recorded with every write.
    public init(frontend: Frontend, peer: String = "?") {
        self.frontend = frontend
        self.peer = peer
    }

    init(frontend: Frontend, identity: BoundIdentity) {
        self.frontend = frontend
        self.peer = "benchmark"
        self.identity = identity
    }

    private var write: WriteSupport { WriteSupport(frontend: frontend, identity: identity, peer: peer) }

    /// Handles one request.
    public mutating func receive(_ message: LDAPMessage) -> Action {
        guard !closed else { return .none }
        frontend.logger.trace("request", metadata: ["id": "\(message.messageID)", "op": "\(Self.name(of: message.protocolOp))"])
        let id = message.messageID
        if id == 0, !Self.isUnbind(message.protocolOp) {
            return disconnect(.protocolError, "message ID 0 is reserved for unsolicited notifications")
        }
        if let control = message.controls.first(where: { $0.criticality && !Frontend.supportedControls.contains($0.oid) }),
            let responseTag = Self.responseKind(of: message.protocolOp)
        {
            let result = LDAPResult(
                .unavailableCriticalExtension, diagnosticMessage: "critical control \(control.oid) is not supported")
            return .send([LDAPMessage(messageID: id, responseTag(result))])
        }
        switch message.protocolOp {
        case .bindRequest(let request):
            let (response, newIdentity) = BindOperation(frontend: frontend).bind(request)
            identity = newIdentity ?? .anonymous
            return .send([LDAPMessage(messageID: id, .bindResponse(response))])
        case .unbindRequest:
            closed = true
            return .close
        case .searchRequest(let request):
            let messages = SearchOperation(frontend: frontend, identity: identity).search(
                request, controls: message.controls, messageID: id, paging: &paging)
            return .send(messages)
        case .compareRequest(let request):
            let result = CompareOperation(frontend: frontend, identity: identity).compare(request)
            return .send([LDAPMessage(messageID: id, .compareResponse(result))])
        case .abandonRequest:
            // Operations complete synchronously before the next request is read, so there is
            // never anything left to abandon; RFC 4511 §4.11: no response either way.
            return .none
        case .extendedRequest(let request):
            return .send([LDAPMessage(messageID: id, .extendedResponse(extended(request)))])
        case .addRequest(let request):
            return .send([LDAPMessage(messageID: id, .addResponse(AddOperation(write: write).add(request)))])
        case .modifyRequest(let request):
            return .send([LDAPMessage(messageID: id, .modifyResponse(ModifyOperation(write: write).modify(request)))])
        case .deleteRequest(let dn):
            return .send([LDAPMessage(messageID: id, .deleteResponse(DeleteOperation(write: write).delete(dn)))])
        case .modifyDNRequest(let request):
            return .send([LDAPMessage(messageID: id, .modifyDNResponse(ModifyDNOperation(write: write).modifyDN(request)))])
        case .bindResponse, .searchResultEntry, .searchResultDone, .searchResultReference, .modifyResponse,
            .addResponse, .deleteResponse, .modifyDNResponse, .compareResponse, .extendedResponse,
            .intermediateResponse:
            return disconnect(.protocolError, "a client sent a response PDU")
        }
    }

    /// Handles a PDU that could not be framed or decoded: Notice of Disconnection, then close.
    public mutating func malformed(_ error: LDAPFramingError) -> Action {
        frontend.logger.debug("malformed PDU", metadata: ["reason": "\(error.underlying.reason)"])
        return disconnect(.protocolError, "malformed PDU: \(error.underlying.reason)")
    }

    private mutating func disconnect(_ code: ResultCode, _ message: String) -> Action {
        closed = true
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
        case ExtendedRequest.passwordModify:
            return PasswordModifyOperation(write: write).modify(request.value)
        case ExtendedRequest.startTLS:
            return ExtendedResponse(
                LDAPResult(.unavailable, diagnosticMessage: "StartTLS is not configured on this server"),
                name: ExtendedRequest.startTLS)
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
