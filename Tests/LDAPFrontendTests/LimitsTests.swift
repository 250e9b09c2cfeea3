import BER
import Directory
import Foundation
import LDAPProtocol
import Logging
import Synchronization
import Testing

@testable import LDAPFrontend

/// Log lines a test can read back.
final class CapturedLog: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }

    func lines(about limit: Limits.Name) -> [Line] { all.filter { $0.metadata["limit"] == limit.rawValue } }

    var logger: Logger {
        Logger(label: "captured") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            for (k, v) in event.metadata ?? [:] { all[k] = v }
            let line = Line(level: event.level, message: event.message.description, metadata: all.mapValues { "\($0)" })
            log.lines.withLock { $0.append(line) }
        }
    }
}

private let adminDN = "cn=admin,dc=example,dc=com"

private func request(_ id: Int32, _ op: LDAPMessage.ProtocolOp, controls: [Control] = []) -> LDAPMessage {
    LDAPMessage(messageID: id, op, controls: controls)
}

private func bind(_ dn: String, _ password: String) -> LDAPMessage.ProtocolOp {
    .bindRequest(BindRequest(name: dn, authentication: .simple(Array(password.utf8))))
}

/// The result of the last response in `messages`.
private func lastResult(_ messages: [LDAPMessage]) -> LDAPResult? {
    switch messages.last?.protocolOp {
    case .searchResultDone(let r)?, .addResponse(let r)?, .modifyResponse(let r)?: r
    case .bindResponse(let r)?: r.result
    case .extendedResponse(let r)?: r.result
    default: nil
    }
}

/// The Notice of Disconnection an action sends and closes with, if it is one.
private func notice(_ action: LDAPSession.Action) -> LDAPResult? {
    guard case .sendAndClose(let messages) = action, messages.count == 1, messages[0].messageID == 0,
        case .extendedResponse(let r) = messages[0].protocolOp, r.name == ExtendedResponse.noticeOfDisconnection
    else { return nil }
    return r.result
}

/// Issue 9 item 5: each limit of ``Limits``, hit through the session state machine, gets its
/// documented answer and a log line, and the connection goes on where the answer says so.
@Suite struct LimitsTests {
    // MARK: - Request breadth: adminLimitExceeded, the connection goes on

    @Test func attributeListsBeyondTheLimitAreRefusedAndTheConnectionGoesOn() throws {
        let log = CapturedLog()
        var s = try makeSession(limits: Limits(maxAttributes: 3), logger: log.logger)
        #expect(s.bind(adminDN, "secret").resultCode == .success)
        let four = SearchRequest(
            baseObject: base, scope: .wholeSubtree, filter: try Filter(parsing: "(uid=t2001)"),
            attributes: ["cn", "sn", "mail", "uid"])
        let refused = lastResult(s.respond(to: request(2, .searchRequest(four))))
        #expect(refused?.resultCode == .adminLimitExceeded)
        #expect(refused?.diagnosticMessage == "attributes: 4 names asked for; at most 3 are allowed (max-attributes)")
        // Three names are within it.
        let (entries, result) = try s.search(base, .wholeSubtree, "(uid=t2001)", attributes: ["cn", "sn", "mail"])
        #expect(result.resultCode == .success)
        #expect(entries.count == 1)
        // An add of four attributes and a modify of four changes are refused the same way, before
        // any write is tried (this frontend has no writer: it would answer unwillingToPerform).
        let add = AddRequest(
            entry: "uid=x1,ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com",
            attributes: ["objectClass", "cn", "sn", "mail"].map { PartialAttribute($0, [Array("x".utf8)]) })
        let addResult = lastResult(s.respond(to: request(3, .addRequest(add))))
        #expect(addResult?.resultCode == .adminLimitExceeded)
        #expect(addResult?.diagnosticMessage == "attributes: 4 in one add; at most 3 are allowed (max-attributes)")
        let changes = ["title", "mobile", "mail", "description"].map {
            ModifyRequest.Change(.replace, PartialAttribute($0, [Array("x".utf8)]))
        }
        let modify = lastResult(
            s.respond(to: request(4, .modifyRequest(ModifyRequest(object: zhangsan, changes: changes)))))
        #expect(modify?.resultCode == .adminLimitExceeded)
        #expect(modify?.diagnosticMessage == "changes: 4 in one modify; at most 3 are allowed (max-attributes)")
        let lines = log.lines(about: .maxAttributes)
        #expect(lines.count == 1, "three hits within the interval make one line: \(lines.map(\.message))")
        #expect(lines.first?.level == .warning)
        #expect(lines.first?.message.contains("at most 3") == true)
    }

    @Test func moreControlsThanTheLimitAreRefused() throws {
        let log = CapturedLog()
        var s = try makeSession(logger: log.logger)
        let search = SearchRequest(baseObject: "", scope: .baseObject, filter: .present("objectClass"))
        // 64 unknown non-critical controls are ignored (RFC 4511 §4.1.11) ...
        let within = (0..<64).map { Control(oid: "1.2.3.\($0)") }
        #expect(lastResult(s.respond(to: request(1, .searchRequest(search), controls: within)))?.resultCode == .success)
        // ... 65 are beyond the default limit, whatever they are.
        let beyond = (0..<65).map { Control(oid: "1.2.3.\($0)") }
        let refused = lastResult(s.respond(to: request(2, .searchRequest(search), controls: beyond)))
        #expect(refused?.resultCode == .adminLimitExceeded)
        #expect(refused?.diagnosticMessage == "controls: 65 on one request; at most 64 are allowed (max-controls)")
        #expect(
            lastResult(s.respond(to: request(3, .searchRequest(search))))?.resultCode == .success,
            "the connection goes on")
        #expect(log.lines(about: .maxControls).count == 1)
    }

    @Test func aFilterWiderThanAConfiguredLimitIsRefused() throws {
        var s = try makeSession(limits: Limits(maxFilterItems: 3))
        let (entries, ok) = try s.search(base, .wholeSubtree, "(|(uid=t2001)(uid=w0001))")
        #expect(ok.resultCode == .success)
        #expect(entries.count == 2)
        let (_, refused) = try s.search(base, .wholeSubtree, "(|(uid=t2001)(uid=w0001)(uid=w0002))")
        #expect(refused.resultCode == .adminLimitExceeded)
        #expect(refused.diagnosticMessage == "filter: 4 items; at most 3 are allowed (max-filter-items)")
    }

    // MARK: - Limits of the PDU: a notice that names the limit

    @Test func thePDUSizeAndIdleTimeoutInForceFollowTheBind() throws {
        var s = try makeSession()
        #expect(s.maxPDUSize == 64 << 10)
        #expect(s.idleTimeoutSeconds == 60)
        #expect(s.bind("", "").resultCode == .success)
        #expect(s.maxPDUSize == 64 << 10, "an anonymous bind is no bind with a name and password")
        #expect(s.bind(adminDN, "secret").resultCode == .success)
        #expect(s.maxPDUSize == 4 << 20)
        #expect(s.idleTimeoutSeconds == 900)
        #expect(s.bind(adminDN, "wrong").resultCode == .invalidCredentials)
        #expect(s.maxPDUSize == 64 << 10, "a failed bind leaves the connection anonymous (RFC 4511 §4.2.1)")
        #expect(s.idleTimeoutSeconds == 60)
    }

    @Test(arguments: [
        (ProtocolLimits.Bound.pduSize, false, "max-pdu-size-before-bind"), (.pduSize, true, "max-pdu-size"),
        (.berDepth, false, "max-ber-depth"), (.filterDepth, true, "max-filter-depth"),
    ])
    func aPDUBeyondALimitGetsANoticeThatNamesIt(bound: ProtocolLimits.Bound, asAdmin: Bool, name: String) throws {
        let log = CapturedLog()
        var s = try makeSession(logger: log.logger)
        if asAdmin { #expect(s.bind(adminDN, "secret").resultCode == .success) }
        let error = LDAPFramingError(
            BERError(.tooLarge, "a PDU of 70000 bytes; at most 65536 are allowed"), limit: bound)
        let result = notice(s.malformed(error))
        #expect(result?.resultCode == .protocolError)
        #expect(
            result?.diagnosticMessage.hasPrefix("malformed PDU: a PDU of 70000 bytes; at most 65536 are allowed")
                == true)
        #expect(result?.diagnosticMessage.hasSuffix("(\(name))") == true, "\(result?.diagnosticMessage ?? "")")
        #expect(log.all.contains { $0.metadata["limit"] == name && $0.level == .warning })
        #expect(
            s.respond(to: request(9, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI)))).isEmpty, "closed"
        )
    }

    @Test func malformedPDUsThatBreakNoLimitKeepTheirPlainNotice() throws {
        var s = try makeSession()
        let result = notice(s.malformed(LDAPFramingError(BERError(.unexpectedTag, "a PDU must start with a SEQUENCE"))))
        #expect(result?.diagnosticMessage == "malformed PDU: a PDU must start with a SEQUENCE")
    }

    // MARK: - Clocks

    @Test func idleAndPDUTimeoutsGetANoticeThatNamesTheirLimit() throws {
        let log = CapturedLog()
        var before = try makeSession(logger: log.logger)
        let idleBefore = notice(before.timedOut(.idle))
        #expect(idleBefore?.resultCode == .adminLimitExceeded)
        #expect(
            idleBefore?.diagnosticMessage
                == "idle for 60 s before a bind with a name and password (idle-timeout-before-bind)")
        #expect(before.timedOut(.idle) == .none, "a closed connection times out only once")

        var after = try makeSession(logger: log.logger)
        #expect(after.bind(adminDN, "secret").resultCode == .success)
        #expect(notice(after.timedOut(.idle))?.diagnosticMessage == "idle for 900 s (idle-timeout)")

        var partial = try makeSession(limits: Limits(pduTimeoutSeconds: 5))
        #expect(notice(partial.timedOut(.pdu))?.diagnosticMessage == "a PDU was not finished within 5 s (pdu-timeout)")
        #expect(log.lines(about: .idleTimeoutBeforeBind).first?.level == .info)
        #expect(log.lines(about: .idleTimeout).count == 1)
    }

    // MARK: - Outstanding operations

    @Test func holdingBackReadsAtTheOutstandingLimitIsLoggedOncePerConnection() throws {
        let log = CapturedLog()
        var s = try makeSession(limits: Limits(maxOutstandingOperations: 2), logger: log.logger)
        guard case .sendAndPerform = s.receive(request(1, bind(adminDN, "secret"))) else {
            Issue.record("a PBKDF2 bind is a job")
            return
        }
        _ = s.receive(request(2, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI))))
        #expect(!s.wantsToRead, "two outstanding: reads pause")
        s.readsHeldBack()
        s.readsHeldBack()
        let lines = log.lines(about: .maxOutstandingOperations)
        #expect(lines.count == 1)
        #expect(lines.first?.message.contains("2 operations outstanding") == true)
    }

    // MARK: - Search size and time

    @Test func theServerSizeLimitIsLoggedAndAClientsOwnIsNot() throws {
        let log = CapturedLog()
        var s = try makeSession(sizeLimit: 2, logger: log.logger)
        let (own, ownResult) = try s.search(base, .wholeSubtree, "(objectClass=inetOrgPerson)", sizeLimit: 1)
        #expect(own.count == 1)
        #expect(ownResult.resultCode == .sizeLimitExceeded)
        #expect(log.lines(about: .sizeLimit).isEmpty, "the client asked for one entry")
        let (entries, result) = try s.search(base, .wholeSubtree, "(objectClass=inetOrgPerson)")
        #expect(entries.count == 2)
        #expect(result.resultCode == .sizeLimitExceeded)
        #expect(result.diagnosticMessage == "size limit of 2 exceeded")
        #expect(log.lines(about: .sizeLimit).count == 1)
    }

    /// A search that runs longer than the server's time limit ends with timeLimitExceeded (the
    /// deadline is set when the search starts; the batch runs after it).
    @Test func aSearchBeyondTheTimeLimitEndsWithTimeLimitExceeded() throws {
        let log = CapturedLog()
        var s = try makeSession(limits: Limits(timeLimitSeconds: 1), logger: log.logger)
        // 70 items: a costly filter, which checks the clock on every node.
        let clauses = (0..<69).map { Filter.equalityMatch(AttributeValueAssertion("cn", Array("nobody\($0)".utf8))) }
        let filter = Filter.or(clauses + [.present("objectClass")])
        let search = SearchRequest(baseObject: base, scope: .wholeSubtree, filter: filter, attributes: ["1.1"])
        guard case .sendAndPerform(_, let job) = s.receive(request(2, .searchRequest(search))) else {
            Issue.record("a costly whole-tree search runs off the loop")
            return
        }
        Thread.sleep(forTimeInterval: 1.2)
        var action = s.completed(job.run())
        var messages = action.messages
        while case .sendAndAskWritability = action {
            action = s.channelWritable(true)
            if case .sendAndPerform(_, let next) = action { action = s.completed(next.run()) }
            messages += action.messages
        }
        let result = lastResult(messages)
        #expect(result?.resultCode == .timeLimitExceeded)
        #expect(result?.diagnosticMessage == "time limit of 1s exceeded")
        #expect(log.lines(about: .timeLimit).count == 1)
    }

    // MARK: - The log and the configuration

    @Test func theLimitLogWritesALinePerIntervalAndCountsTheRest() throws {
        let log = CapturedLog()
        let limitLog = LimitLog(logger: log.logger, interval: .milliseconds(200))
        for _ in 0..<100 { limitLog.hit(.maxConnectionsPerAddress, "one more refused", peer: "127.0.0.1:5000") }
        limitLog.hit(.maxControls, "another limit has its own line")
        #expect(log.lines(about: .maxConnectionsPerAddress).count == 1)
        #expect(log.lines(about: .maxControls).count == 1)
        Thread.sleep(forTimeInterval: 0.3)
        limitLog.hit(.maxConnectionsPerAddress, "one more refused", peer: "127.0.0.1:5001")
        let lines = log.lines(about: .maxConnectionsPerAddress)
        #expect(lines.count == 2)
        #expect(lines.last?.metadata["unlogged"] == "99")
        #expect(lines.last?.metadata["peer"] == "127.0.0.1:5001")
        #expect(lines.last?.message == "limit hit: one more refused")
    }

    @Test func theDefaultsAreTheDocumentedOnesAndWorkTogether() {
        let l = Limits()
        #expect(l.problems.isEmpty)
        let request: [Int] = [
            l.maxPDUSize, l.maxPDUSizeBeforeBind, l.maxBERDepth, l.maxFilterDepth, l.maxFilterItems, l.maxAttributes,
            l.maxControls,
        ]
        #expect(request == [4_194_304, 65_536, 80, 64, 1024, 1024, 64])
        let held: [Int] = [
            l.maxConnections, l.maxConnectionsPerAddress, l.maxOutstandingOperations, l.pduTimeoutSeconds,
            l.idleTimeoutSeconds,
            l.idleTimeoutBeforeBindSeconds, l.timeLimitSeconds, l.sizeLimit,
        ]
        #expect(held == [4096, 512, 16, 30, 900, 60, 60, 1000])
        #expect(l.protocolLimits == ProtocolLimits(maxPDUSize: 4_194_304, maxBERDepth: 80, maxFilterDepth: 64))
    }

    @Test func limitsThatCannotWorkTogetherAreNamed() {
        #expect(
            Limits(maxFilterDepth: 100).problems == [
                "--max-filter-depth: 100 needs --max-ber-depth of at least 106 (it is 80)"
            ])
        #expect(
            Limits(maxPDUSize: 8192, maxPDUSizeBeforeBind: 16384).problems
                == ["--max-pdu-size-before-bind: 16384 is more than --max-pdu-size (8192)"])
        #expect(
            Limits(maxConnections: 0, pduTimeoutSeconds: 0).problems == [
                "--max-connections: 0; at least 1", "--pdu-timeout: 0; at least 1",
            ])
        #expect(
            Limits(maxConnectionsPerAddress: 0, idleTimeoutSeconds: 0, timeLimitSeconds: 0, sizeLimit: 0).problems
                .isEmpty, "0: none")
    }
}
