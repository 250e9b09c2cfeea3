import Directory
import LDAPProtocol

// MARK: - StartTLS (RFC 4511 §4.14, RFC 4513 §3) and the plaintext bind policy (DESIGN §7)

extension LDAPSession {
    /// How the connection is protected.
    public enum Security: Sendable, Hashable {
        /// Plain TCP.
        case plain
        /// StartTLS was accepted and the TLS handshake has not completed: nothing the client sends
        /// now is read as LDAP.
        case upgrading
        /// TLS is on (an LDAPS connection, or StartTLS completed).
        case tls
    }

    /// Answers a StartTLS request (RFC 4511 §4.14.1). It is accepted only when StartTLS is offered,
    /// TLS is not on yet and no other operation is waiting or running; then the response goes out
    /// in the clear and the handshake starts. A refusal leaves the connection as it was.
    mutating func startTLS(_ id: Int32, _ request: ExtendedRequest) -> Action {
        func answer(_ code: ResultCode, _ message: String = "") -> [LDAPMessage] {
            [LDAPMessage(
                messageID: id,
                .extendedResponse(ExtendedResponse(LDAPResult(code, diagnosticMessage: message), name: ExtendedRequest.startTLS)))]
        }
        guard security == .plain else {
            return .send(answer(.operationsError, "StartTLS: TLS is already established on this connection"))
        }
        guard startTLSAvailable else {
            return .send(answer(.unavailable, "StartTLS is not configured on this server (it has no certificate)"))
        }
        guard request.value == nil else {
            return .send(answer(.protocolError, "StartTLS: the request takes no requestValue (RFC 4511 §4.14.1)"))
        }
        guard outstanding == 0 else {
            return .send(
                answer(
                    .operationsError,
                    "StartTLS: refused while \(outstanding) other operation\(outstanding == 1 ? " is" : "s are") outstanding (RFC 4511 §4.14.1)"))
        }
        security = .upgrading
        frontend.logger.debug("StartTLS accepted", metadata: ["peer": "\(peer)"])
        return .sendAndStartTLS(answer(.success))
    }

    /// The TLS handshake that StartTLS began has completed: requests are read again, now over TLS.
    public mutating func tlsEstablished() {
        if security == .upgrading { security = .tls }
    }

    /// A PDU, or part of one, that the client sent in the clear after its StartTLS request: it is
    /// never processed (RFC 4513 §3.1.1 — the client must wait for the response and the
    /// handshake), and the connection is closed.
    public mutating func plaintextAfterStartTLS() -> Action {
        frontend.logger.debug("closing: plaintext bytes after StartTLS", metadata: ["peer": "\(peer)"])
        channelClosed()
        return .close
    }

    /// The refusal of a simple bind with a password on a connection without TLS from a client that
    /// may not send one in the clear (RFC 4513 §5.1.3, §6.3.1), or nil when the bind may go on.
    func plaintextBindRefusal(_ request: BindRequest) -> BindResponse? {
        guard security != .tls, !plaintextBindAllowed, case .simple(let password) = request.authentication, !password.isEmpty
        else { return nil }
        frontend.logger.info("plaintext bind refused", metadata: ["peer": "\(peer)", "name": "\(request.name.prefix(256))"])
        frontend.authenticator.recordRefused(
            name: request.name, origin: Authenticator.Origin(address: address, source: "ldap \(peer)"), reason: "password in the clear")
        return BindResponse(
            LDAPResult(
                .confidentialityRequired,
                diagnosticMessage:
                    "confidentiality required: a simple bind with a password from a non-loopback address must use StartTLS (ldapsearch -ZZ) or LDAPS (ldaps://)"
            ))
    }

    /// A request carrying a password (Password Modify, or an add or modify with `userPassword`) on
    /// a connection without TLS from a peer that may not send passwords in the clear: refused
    /// like such a bind, with `confidentialityRequired`, before anything is read from it.
    func plaintextPasswordRefusal(_ op: LDAPMessage.ProtocolOp) -> LDAPResult? {
        guard security != .tls, !plaintextBindAllowed else { return nil }
        let carries: Bool
        switch op {
        case .extendedRequest(let r): carries = r.name == ExtendedRequest.passwordModify
        case .addRequest(let r): carries = r.attributes.contains { AttributeRegistry.type(named: $0.type)?.key == "userpassword" }
        case .modifyRequest(let r):
            carries = r.changes.contains { AttributeRegistry.type(named: $0.modification.type)?.key == "userpassword" }
        default: carries = false
        }
        guard carries else { return nil }
        frontend.logger.info("plaintext password refused", metadata: ["peer": "\(peer)"])
        return LDAPResult(
            .confidentialityRequired,
            diagnosticMessage:
                "confidentiality required: a password from a non-loopback address must be sent over StartTLS (ldappasswd -ZZ) or LDAPS (ldaps://)")
    }
}
