import Directory
import LDAPProtocol
import Logging
import PasswordHashing
import Testing

@testable import LDAPFrontend

/// StartTLS (RFC 4511 §4.14) and the plaintext bind policy (DESIGN §7) as session steps, without
/// sockets; the live tests with real clients are in LDAPServerTests/TLSTests.
@Suite struct StartTLSSessionTests {
    static let startTLS = LDAPMessage.ProtocolOp.extendedRequest(ExtendedRequest(name: "1.3.6.1.4.1.1466.20037"))
    static let admin = BindRequest(name: "cn=admin,dc=example,dc=com", authentication: .simple(Array("secret".utf8)))

    func session(
        security: LDAPSession.Security = .plain, startTLS: Bool = true, plaintextBindAllowed: Bool = true,
        allowPlaintextBinds: Bool = false
    ) throws -> LDAPSession {
        let frontend = Frontend(
            configuration: FrontendConfiguration(
                baseDN: try DistinguishedName(parsing: "dc=example,dc=com"), anonymousRead: true, startTLS: startTLS,
                allowPlaintextBinds: allowPlaintextBinds),
            directory: LiveDirectory(demoModel), hasher: StandardPasswordHasher(rounds: 1000), logger: Logger(label: "test"))
        return LDAPSession(
            frontend: frontend, security: security, startTLSAvailable: startTLS && security == .plain,
            plaintextBindAllowed: plaintextBindAllowed)
    }

    /// The StartTLS response in an action: its result code, diagnostic and response name.
    func startTLSResponse(_ messages: [LDAPMessage], id: Int32) -> (ResultCode, String, String?)? {
        guard messages.count == 1, messages[0].messageID == id, case .extendedResponse(let r) = messages[0].protocolOp else { return nil }
        return (r.result.resultCode, r.result.diagnosticMessage, r.name)
    }

    func rootDSE(_ s: inout LDAPSession) throws -> SearchResultEntry? {
        try s.search("", .baseObject, attributes: ["+"]).entries.first
    }

    // MARK: - StartTLS

    @Test func startTLSIsAcceptedWhenNothingIsOutstandingAndTheResponseGoesOutBeforeTheHandshake() throws {
        var s = try session()
        let action = s.receive(LDAPMessage(messageID: 7, Self.startTLS))
        guard case .sendAndStartTLS(let messages) = action else {
            Issue.record("expected sendAndStartTLS, got \(action)")
            return
        }
        let r = try #require(startTLSResponse(messages, id: 7))
        #expect(r.0 == .success)
        #expect(r.2 == "1.3.6.1.4.1.1466.20037", "RFC 4511 §4.14.2: the response carries the StartTLS OID")
        #expect(s.security == .upgrading)
        s.tlsEstablished()
        #expect(s.security == .tls)
        // Requests are served again, over TLS.
        #expect(s.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
    }

    @Test func startTLSIsUnavailableWithoutACertificateAndIsNotAdvertised() throws {
        var s = try session(startTLS: false)
        let r = try #require(startTLSResponse(s.respond(to: LDAPMessage(messageID: 3, Self.startTLS)), id: 3))
        #expect(r.0 == .unavailable)
        #expect(r.1.contains("not configured"))
        #expect(s.security == .plain)
        #expect(try rootDSE(&s)?.strings("supportedExtension")?.contains("1.3.6.1.4.1.1466.20037") == false)
        // The connection goes on in the clear.
        #expect(try s.search("dc=example,dc=com", .baseObject).result.resultCode == .success)
    }

    @Test func theRootDSEAdvertisesStartTLSWhenItIsOffered() throws {
        var s = try session()
        #expect(try rootDSE(&s)?.strings("supportedExtension")?.contains("1.3.6.1.4.1.1466.20037") == true)
    }

    @Test func startTLSIsRefusedWithOperationsErrorWhileAnotherOperationIsOutstanding() throws {
        var s = try session()
        // A bind whose PBKDF2 check runs as a job: it is outstanding until its completion comes back.
        let bind = s.receive(LDAPMessage(messageID: 1, .bindRequest(Self.admin)))
        guard case .sendAndPerform(_, let job) = bind else {
            Issue.record("expected the bind to be a job, got \(bind)")
            return
        }
        #expect(s.outstanding == 1)
        guard case .send(let messages) = s.receive(LDAPMessage(messageID: 2, Self.startTLS)) else {
            Issue.record("expected an immediate answer")
            return
        }
        let r = try #require(startTLSResponse(messages, id: 2))
        #expect(r.0 == .operationsError)
        #expect(r.1.contains("1 other operation is outstanding"), "\(r.1)")
        #expect(s.security == .plain, "a refusal leaves the connection as it was")
        // The bind still completes, in the clear.
        guard case .send(let done) = s.completed(job.run()), case .bindResponse(let b) = done.first?.protocolOp else {
            Issue.record("the bind did not complete")
            return
        }
        #expect(b.result.resultCode == .success)
    }

    @Test(arguments: [false, true])
    func startTLSIsRefusedWithOperationsErrorWhenTLSIsAlreadyOn(ldaps: Bool) throws {
        var s = try session(security: ldaps ? .tls : .plain)
        if !ldaps {
            _ = s.receive(LDAPMessage(messageID: 1, Self.startTLS))
            s.tlsEstablished()
        }
        let r = try #require(startTLSResponse(s.respond(to: LDAPMessage(messageID: 2, Self.startTLS)), id: 2))
        #expect(r.0 == .operationsError, "TLS is on: \(r.1)")
        #expect(r.1.contains("already established"))
        #expect(s.security == .tls)
        #expect(try s.search("dc=example,dc=com", .baseObject).result.resultCode == .success, "the connection goes on")
    }

    @Test func startTLSWithARequestValueIsAProtocolError() throws {
        var s = try session()
        let out = s.respond(to: LDAPMessage(messageID: 4, .extendedRequest(ExtendedRequest(name: "1.3.6.1.4.1.1466.20037", value: [1]))))
        let r = try #require(startTLSResponse(out, id: 4))
        #expect(r.0 == .protocolError)
        #expect(s.security == .plain)
    }

    @Test func aRequestSentInTheClearAfterStartTLSIsNeverProcessedAndClosesTheConnection() throws {
        var s = try session()
        _ = s.receive(LDAPMessage(messageID: 1, Self.startTLS))
        let pipelined = s.receive(LDAPMessage(messageID: 2, .bindRequest(Self.admin)))
        #expect(pipelined == .close)
        #expect(s.identity == .anonymous)
        #expect(!s.wantsToRead)
        s.tlsEstablished()
        #expect(s.receive(LDAPMessage(messageID: 3, .bindRequest(Self.admin))) == .none, "the connection is closed for good")
    }

    // MARK: - Plaintext binds

    @Test func aPasswordBindWithoutTLSFromAPeerThatMayNotIsConfidentialityRequired() throws {
        var s = try session(plaintextBindAllowed: false)
        let refused = s.bind("cn=admin,dc=example,dc=com", "secret")
        #expect(refused.resultCode == .confidentialityRequired)
        #expect(refused.diagnosticMessage.contains("StartTLS"))
        #expect(refused.diagnosticMessage.contains("LDAPS"))
        #expect(s.identity == .anonymous)
        // A wrong password gets the same answer: the password is never looked at.
        #expect(s.bind("cn=admin,dc=example,dc=com", "wrong").resultCode == .confidentialityRequired)
        // Anonymous binds and binds without a password are not about confidentiality.
        #expect(s.bind("", "").resultCode == .success)
        #expect(s.bind("cn=admin,dc=example,dc=com", "").resultCode == .unwillingToPerform)
        // After StartTLS the same bind succeeds.
        _ = s.receive(LDAPMessage(messageID: 5, Self.startTLS))
        s.tlsEstablished()
        #expect(s.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
        #expect(s.identity.dn == "cn=admin,dc=example,dc=com")
    }

    /// A password in a Password Modify request, or in an add or a modify of `userPassword`, is no
    /// safer in the clear than in a bind (found by the TLS work's own review): refused the same way.
    @Test func aPasswordChangeWithoutTLSFromAPeerThatMayNotIsConfidentialityRequired() throws {
        var s = try session(plaintextBindAllowed: false)
        let member = "uid=t2001,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com"
        let requests: [LDAPMessage.ProtocolOp] = [
            .extendedRequest(ExtendedRequest(name: ExtendedRequest.passwordModify)),
            .modifyRequest(ModifyRequest(object: member, changes: [.init(.replace, PartialAttribute("userPassword", [Array("New-pass-1".utf8)]))])),
            .addRequest(AddRequest(entry: "uid=new1,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", attributes: [
                PartialAttribute("objectClass", [Array("inetOrgPerson".utf8)]),
                PartialAttribute("userPassword", [Array("New-pass-1".utf8)]),
            ])),
        ]
        for (i, op) in requests.enumerated() {
            let out = s.respond(to: LDAPMessage(messageID: Int32(10 + i), op))
            let result: LDAPResult? = switch out.first?.protocolOp {
            case .extendedResponse(let r)?: r.result
            case .modifyResponse(let r)?: r
            case .addResponse(let r)?: r
            default: nil
            }
            #expect(result?.resultCode == .confidentialityRequired, "\(op)")
            #expect(result?.diagnosticMessage.contains("StartTLS") == true)
        }
        // A modify of other attributes is not about confidentiality.
        let other = s.respond(to: LDAPMessage(messageID: 20, .modifyRequest(ModifyRequest(object: member, changes: [
            .init(.replace, PartialAttribute("title", [Array("x".utf8)]))]))))
        if case .modifyResponse(let r)? = other.first?.protocolOp { #expect(r.resultCode != .confidentialityRequired) }
        var loopback = try session(plaintextBindAllowed: true)
        let served = loopback.respond(to: LDAPMessage(messageID: 1, .extendedRequest(ExtendedRequest(name: ExtendedRequest.passwordModify))))
        if case .extendedResponse(let r)? = served.first?.protocolOp { #expect(r.result.resultCode != .confidentialityRequired) }
    }

    @Test func aPasswordBindOverLDAPSOrFromAPeerThatMayIsServed() throws {
        var ldaps = try session(security: .tls, plaintextBindAllowed: false)
        #expect(ldaps.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
        var loopback = try session(plaintextBindAllowed: true)
        #expect(loopback.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
    }

    @Test(arguments: [false, true])
    func theRootDSEStatesThePlaintextBindPolicy(allowed: Bool) throws {
        var s = try session(allowPlaintextBinds: allowed)
        #expect(try rootDSE(&s)?.strings("rosterPlaintextBinds") == [allowed ? "allowed" : "loopback-only"])
        // An operational attribute: not returned for `*`.
        let user = try s.search("", .baseObject, attributes: ["*"]).entries.first
        #expect(user?.strings("rosterPlaintextBinds") == nil)
    }
}
