import Directory
import Foundation
import LDAPProtocol
import Logging
import PasswordHashing
import Testing

@testable import LDAPFrontend

/// The demo directory with `extra` more members in the organisation itself, so that a whole-tree
/// search takes several batches.
func largeModel(extra: Int) -> DirectoryModel {
    var model = demoModel
    var members: [Member] = []
    for i in 0..<extra {
        let account = try! Account(parsing: "bulk\(i)")
        members.append(Member(account: account, name: "批量\(i)", mobile: "1770000\(String(format: "%04d", i))", email: "bulk\(i)@example.com"))
    }
    model.bulkLoad(members: members)
    return model
}

private let adminDN = "cn=admin,dc=example,dc=com"

private func message(_ id: Int32, _ op: LDAPMessage.ProtocolOp) -> LDAPMessage { LDAPMessage(messageID: id, op) }

private func bindRequest(_ dn: String, _ password: String) -> LDAPMessage.ProtocolOp {
    .bindRequest(BindRequest(name: dn, authentication: .simple(Array(password.utf8))))
}

private func wholeTree(_ filter: String = "(objectClass=*)") throws -> LDAPMessage.ProtocolOp {
    .searchRequest(SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: try Filter(parsing: filter), attributes: ["*", "+"]))
}

/// The session decides and returns actions; costly work comes back as jobs, run here by hand.
@Suite struct SessionExecutionTests {
    @Test func passwordBindIsAJobOffTheEventLoop() throws {
        var s = try makeSession()
        guard case .sendAndPerform(let first, let job) = s.receive(message(1, bindRequest(adminDN, "secret"))) else {
            Issue.record("a password bind must be handed off as a job")
            return
        }
        #expect(first.isEmpty)
        #expect(job.kind == .verify, "binds have their own pool: costly searches never queue ahead of them")
        #expect(s.identity == .anonymous, "the identity changes only when the verification is done")
        let action = s.completed(job.run())
        guard case .send(let out) = action, case .bindResponse(let r) = out.first?.protocolOp else {
            Issue.record("no bind response: \(action)")
            return
        }
        #expect(r.result.resultCode == .success)
        #expect(s.identity.dn == adminDN)
    }

    @Test func anonymousBindIsAnsweredAtOnce() throws {
        var s = try makeSession()
        guard case .send(let out) = s.receive(message(1, .bindRequest(BindRequest(name: "", authentication: .simple([]))))),
            case .bindResponse(let r) = out.first?.protocolOp
        else {
            Issue.record("an anonymous bind needs no job")
            return
        }
        #expect(r.result.resultCode == .success)
    }

    @Test func writesAreWriteJobs() throws {
        var s = try makeSession()
        guard case .sendAndPerform(_, let job) = s.receive(message(2, .deleteRequest(zhangsan))) else {
            Issue.record("a write must be a job")
            return
        }
        #expect(job.kind == .write)
    }

    @Test func requestsQueueBehindARunningJobAndReadsPauseAtTheLimit() throws {
        let model = demoModel
        var s = LDAPSession(frontend: try makeSession(model: model).frontend, limits: Limits(maxOutstandingOperations: 3))
        guard case .sendAndPerform(_, let bind) = s.receive(message(1, bindRequest(adminDN, "secret"))) else {
            Issue.record("bind must be a job")
            return
        }
        #expect(s.wantsToRead)
        let uid = LDAPMessage.ProtocolOp.searchRequest(
            SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: try Filter(parsing: "(uid=t2001)")))
        #expect(s.receive(message(2, uid)) == .none, "queued behind the bind")
        #expect(s.outstanding == 2)
        #expect(s.wantsToRead)
        #expect(s.receive(message(3, uid)) == .none)
        #expect(!s.wantsToRead, "three outstanding: stop reading")
        // The bind completes: its response, then the queued searches run (as the new identity).
        let action = s.completed(bind.run())
        let ids = action.messages.map(\.messageID)
        #expect(ids.first == 1)
        #expect(ids.filter { $0 == 2 }.count == 2, "search 2: one entry and its done")
        #expect(ids.filter { $0 == 3 }.count == 2)
        #expect(s.wantsToRead)
        #expect(s.outstanding == 0)
    }

    @Test func abandonRemovesAQueuedRequest() throws {
        var s = try makeSession()
        guard case .sendAndPerform(_, let bind) = s.receive(message(1, bindRequest(adminDN, "secret"))) else {
            Issue.record("bind must be a job")
            return
        }
        _ = s.receive(message(2, try wholeTree("(uid=t2001)")))
        #expect(s.receive(message(3, .abandonRequest(2))) == .none)
        let action = s.completed(bind.run())
        #expect(action.messages.map(\.messageID) == [1], "the abandoned search never runs")
    }

    @Test func aLargeSearchStreamsInBatchesAndWaitsForWritability() throws {
        var s = try makeSession(model: largeModel(extra: 700))
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        guard case .sendAndPerform(let none, var job) = s.receive(message(2, try wholeTree())) else {
            Issue.record("a whole-tree search must run off the loop")
            return
        }
        #expect(none.isEmpty)
        #expect(job.kind == .compute)
        var entries = 0
        var batches = 0
        var done: LDAPResult?
        while done == nil {
            let action = s.completed(job.run())
            batches += 1
            for m in action.messages {
                if case .searchResultEntry = m.protocolOp { entries += 1 }
                if case .searchResultDone(let r) = m.protocolOp { done = r }
            }
            if done != nil { break }
            guard case .sendAndAskWritability(let batch) = action else {
                Issue.record("a batch must ask whether the channel can take more: \(action)")
                return
            }
            #expect(batch.count <= SearchWalk.batchEntries)
            // Not writable: nothing more is produced until it is.
            #expect(s.channelWritable(false) == .none)
            #expect(s.channelWritable(false) == .none)
            guard case .sendAndPerform(let nothing, let next) = s.channelWritable(true) else {
                Issue.record("writable again: the search goes on")
                return
            }
            #expect(nothing.isEmpty)
            job = next
        }
        #expect(done?.resultCode == .success)
        #expect(batches >= 3)
        #expect(entries > 700)
    }

    @Test func abandonStopsARunningSearchBetweenBatches() throws {
        var s = try makeSession(model: largeModel(extra: 700))
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        guard case .sendAndPerform(_, let job) = s.receive(message(2, try wholeTree())) else {
            Issue.record("search must be a job")
            return
        }
        // Abandoned while the first batch is out: that batch and everything after it are dropped.
        #expect(s.receive(message(3, .abandonRequest(2))) == .none)
        let action = s.completed(job.run())
        #expect(action == .none)
        #expect(s.outstanding == 0)
        // The connection goes on.
        let out = s.respond(to: message(4, try wholeTree("(uid=t2001)")))
        #expect(out.last.map { if case .searchResultDone = $0.protocolOp { true } else { false } } == true)
    }

    @Test func abandonOfASearchWaitingForWritabilityFreesTheConnection() throws {
        var s = try makeSession(model: largeModel(extra: 700))
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        guard case .sendAndPerform(_, let job) = s.receive(message(2, try wholeTree())) else {
            Issue.record("search must be a job")
            return
        }
        guard case .sendAndAskWritability = s.completed(job.run()) else {
            Issue.record("first batch")
            return
        }
        #expect(s.channelWritable(false) == .none)
        #expect(s.outstanding == 1)
        _ = s.receive(message(3, .abandonRequest(2)))
        #expect(s.outstanding == 0)
        #expect(s.channelWritable(true) == .none, "nothing left to produce")
    }

    @Test func aClosedConnectionProducesNothingMore() throws {
        var s = try makeSession(model: largeModel(extra: 700))
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        guard case .sendAndPerform(_, let job) = s.receive(message(2, try wholeTree())) else {
            Issue.record("search must be a job")
            return
        }
        s.channelClosed()
        #expect(s.completed(job.run()) == .none)
        #expect(!s.wantsToRead)
    }

    @Test func indexedSearchesAreAnsweredOnTheLoop() throws {
        var s = try makeSession(model: largeModel(extra: 700))
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        guard case .send(let out) = s.receive(message(2, try wholeTree("(uid=bulk5)"))) else {
            Issue.record("a uid search narrowed by the index needs no job")
            return
        }
        #expect(out.count == 2)
    }

    @Test func aBaseSearchForADepartmentsCountsIsAJobButAMemberIsNot() throws {
        var s = try makeSession(model: largeModel(extra: 700))
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        let counts = LDAPMessage.ProtocolOp.searchRequest(
            SearchRequest(baseObject: "dc=example,dc=com", scope: .baseObject, filter: try Filter(parsing: "(objectClass=*)"), attributes: ["+"]))
        guard case .sendAndPerform = s.receive(message(2, counts)) else {
            Issue.record("the root's subtree counts cost the whole directory: off the loop")
            return
        }
        var t = try makeSession(model: largeModel(extra: 700))
        _ = t.respond(to: message(1, bindRequest(adminDN, "secret")))
        let member = LDAPMessage.ProtocolOp.searchRequest(
            SearchRequest(baseObject: zhangsan, scope: .baseObject, filter: try Filter(parsing: "(objectClass=*)"), attributes: ["*", "+"]))
        guard case .send(let out) = t.receive(message(2, member)) else {
            Issue.record("one member's entry is answered on the loop")
            return
        }
        #expect(out.count == 2)
    }

    /// An `{SSHA}` imported from OpenLDAP costs one digest: a right password is checked on the
    /// loop. Wrong passwords, unknown names (their decoy check is PBKDF2) and PBKDF2 accounts go
    /// off it.
    @Test func aSingleDigestBindIsCheckedOnTheLoopAndOthersAreNot() throws {
        var model = demoModel
        var m = try #require(model.member("t2001"))
        m.passwordHash = "{SSHA}iuxjEKkordMN9jPVPh61ykRwnP8nrvyt"  // slappasswd -h {SSHA} -s Pw-ssha-1
        model.put(m)
        var s = try makeSession(model: model)
        guard case .send(let out) = s.receive(message(1, bindRequest("t2001", "Pw-ssha-1"))),
            case .bindResponse(let r) = out.first?.protocolOp
        else {
            Issue.record("an {SSHA} bind needs no job")
            return
        }
        #expect(r.result.resultCode == .success)
        // A wrong password is refused like an unknown name: off the loop, after the decoy's
        // work, and no sooner than the refusal floor (no account-existence or scheme oracle).
        let asked = ContinuousClock.now
        guard case .sendAndPerform(_, let wrongJob) = s.receive(message(2, bindRequest("t2001", "wrong-password"))) else {
            Issue.record("a wrong password against {SSHA} is refused off the loop, like an unknown name")
            return
        }
        let refused = wrongJob.run()
        let floor = s.frontend.authenticator.failureFloor
        #expect(floor >= 0.02)
        let notBefore = try #require(refused.notBefore, "a refusal carries the time it may be answered")
        #expect(notBefore - asked >= .milliseconds(Int64(floor * 1000) - 1), "the answer waits for the floor from the request")
        guard case .send(let wrong) = s.completed(refused), case .bindResponse(let w) = wrong.first?.protocolOp else {
            Issue.record("the refusal is sent when its job completes")
            return
        }
        #expect(w.result.resultCode == .invalidCredentials)
        guard case .sendAndPerform = s.receive(message(3, bindRequest("nobody-here", "whatever1"))) else {
            Issue.record("an unknown name costs a PBKDF2 decoy check: off the loop")
            return
        }
        var t = try makeSession(model: model)
        let long = String(repeating: "x", count: 4096)
        guard case .sendAndPerform = t.receive(message(1, bindRequest("t2001", long))) else {
            Issue.record("a long password is hashed off the loop, whatever the scheme")
            return
        }
    }

    /// While the channel cannot take more output no new operation starts — even searches that
    /// finish in one batch — so a client that never reads is never answered far ahead.
    @Test func nothingStartsWhileTheChannelIsNotWritable() throws {
        var s = try makeSession()
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        #expect(s.channelWritable(false) == .none)
        let uid = LDAPMessage.ProtocolOp.searchRequest(
            SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: try Filter(parsing: "(uid=t2001)")))
        #expect(s.receive(message(2, uid)) == .none, "queued, not answered")
        #expect(s.receive(message(3, try wholeTree())) == .none)
        #expect(s.outstanding == 2)
        // Writable again: the queue runs, the cheap search at once, the whole-tree one as a job.
        guard case .sendAndPerform(let out, _) = s.channelWritable(true) else {
            Issue.record("writable again: the queued operations start")
            return
        }
        #expect(out.map(\.messageID) == [2, 2])
    }

    /// Later pages of a paged search show the directory as it is then: a member who departed
    /// after the first page is not returned by the second (found by review).
    @Test func laterPagesShowTheDirectoryAsItIsNow() throws {
        let service = try DirectoryService(store: InMemoryStore(demoModel))
        let frontend = Frontend(
            configuration: FrontendConfiguration(baseDN: try DistinguishedName(parsing: "dc=example,dc=com")),
            directory: service.live, writer: service, hasher: StandardPasswordHasher(rounds: 1000), logger: Logger(label: "test"))
        var s = LDAPSession(frontend: frontend)
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        let request = SearchRequest(
            baseObject: "ou=语文组,ou=教师组,ou=育才学校,dc=example,dc=com", scope: .singleLevel,
            filter: try Filter(parsing: "(objectClass=inetOrgPerson)"), attributes: ["uid"])
        func page(_ id: Int32, _ cookie: [UInt8]) -> (uids: [String], cookie: [UInt8]) {
            let out = s.respond(to: LDAPMessage(messageID: id, .searchRequest(request), controls: [PagedResultsControl(size: 1, cookie: cookie).control()]))
            var uids: [String] = []
            var next: [UInt8] = []
            for m in out {
                if case .searchResultEntry(let e) = m.protocolOp { uids.append(e.objectName) }
                if case .searchResultDone = m.protocolOp, let c = m.controls.first(where: { $0.oid == PagedResultsControl.oid }),
                    let value = c.value, let p = try? PagedResultsControl(controlValue: value)
                {
                    next = p.cookie
                }
            }
            return (uids, next)
        }
        let first = page(2, [])
        #expect(first.uids.count == 1)
        #expect(!first.cookie.isEmpty)
        let other = first.uids[0].hasPrefix("uid=t2001") ? "t2002" : "t2001"
        try service.execute(.depart(try Account(parsing: other)), by: CommandContext(actor: "test", source: "test"))
        let second = page(3, first.cookie)
        #expect(second.uids.isEmpty, "\(other) departed after the first page: \(second.uids)")
    }

    /// A costly filter examines few nodes per batch, so abandon and time limits act between
    /// batches; a filter of more than 1024 items is refused (found by review) as beyond an
    /// administrative limit.
    @Test func costlyFiltersAreCutIntoSmallBatchesAndHugeOnesRefused() throws {
        var s = try makeSession()
        _ = s.respond(to: message(1, bindRequest(adminDN, "secret")))
        let clause = Filter.extensibleMatch(
            MatchingRuleAssertion(matchingRule: "1.2.840.113556.1.4.1941", attribute: "memberOf",
                                  value: Array("ou=教师组,ou=育才学校,dc=example,dc=com".utf8), dnAttributes: false))
        let heavy = LDAPMessage.ProtocolOp.searchRequest(
            SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: .or(Array(repeating: clause, count: 600)), attributes: ["uid"]))
        guard case .sendAndPerform(_, let job) = s.receive(message(2, heavy)) else {
            Issue.record("a costly search runs off the loop")
            return
        }
        guard case .sendAndAskWritability = s.completed(job.run()) else {
            Issue.record("the first batch of a costly filter covers only a few nodes")
            return
        }
        _ = s.receive(message(3, .abandonRequest(2)))
        #expect(s.outstanding == 0)
        let huge = LDAPMessage.ProtocolOp.searchRequest(
            SearchRequest(baseObject: "dc=example,dc=com", scope: .wholeSubtree, filter: .or(Array(repeating: .present("uid"), count: 1025))))
        let out = s.respond(to: message(4, huge))
        guard case .searchResultDone(let r) = out.last?.protocolOp else {
            Issue.record("no result")
            return
        }
        #expect(r.resultCode == .adminLimitExceeded)
        // The or and its 1025 children.
        #expect(r.diagnosticMessage == "filter: 1026 items; at most 1024 are allowed (max-filter-items)")
    }
}
