import Directory
import LDAPProtocol
import Testing

@testable import LDAPFrontend

extension LDAPSession {
    /// Sends a search with controls and returns entries, the done result and its controls.
    mutating func search(
        _ request: SearchRequest, controls: [Control], id: Int32 = 9
    ) -> (entries: [SearchResultEntry], result: LDAPResult?, controls: [Control]) {
        var entries: [SearchResultEntry] = []
        for m in send(id, .searchRequest(request), controls: controls) {
            switch m.protocolOp {
            case .searchResultEntry(let e): entries.append(e)
            case .searchResultDone(let r): return (entries, r, m.controls)
            default: break
            }
        }
        return (entries, nil, [])
    }
}

func people(_ attributes: [String] = ["uid"]) throws -> SearchRequest {
    SearchRequest(baseObject: base, scope: .wholeSubtree, filter: try Filter(parsing: "(objectClass=inetOrgPerson)"), attributes: attributes)
}

func pagedControl(_ controls: [Control]) -> PagedResultsControl? {
    controls.first { $0.oid == PagedResultsControl.oid }.flatMap { try? PagedResultsControl(controlValue: $0.value ?? []) }
}

@Suite struct PagedResultsTests {
    @Test func pagesCoverTheWholeResultInOrder() throws {
        var s = try makeSession()
        _ = s.bind("cn=gitlab,cn=services,dc=example,dc=com", "Svc-gitlab")
        let all = try s.search(base, .wholeSubtree, "(objectClass=inetOrgPerson)", attributes: ["uid"]).entries.map(\.objectName)
        #expect(all.count == 21)
        var cookie: [UInt8] = []
        var seen: [String] = []
        var pages = 0
        repeat {
            let r = s.search(try people(), controls: [PagedResultsControl(size: 5, cookie: cookie).control(criticality: true)])
            #expect(r.result?.resultCode == .success)
            #expect(r.entries.count <= 5)
            seen += r.entries.map(\.objectName)
            let response = try #require(pagedControl(r.controls))
            #expect(response.size == 21)
            cookie = response.cookie
            pages += 1
        } while !cookie.isEmpty && pages < 20
        #expect(pages == 5)
        #expect(seen == all)
    }

    @Test func severalPagedSearchesAtOnceOnOneConnection() throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let a1 = s.search(try people(), controls: [PagedResultsControl(size: 2, cookie: []).control()])
        let teachers = SearchRequest(baseObject: "ou=教师组,ou=育才学校,dc=example,dc=com", scope: .wholeSubtree, filter: .present("uid"), attributes: ["uid"])
        let b1 = s.search(teachers, controls: [PagedResultsControl(size: 3, cookie: []).control()])
        let a2 = s.search(try people(), controls: [PagedResultsControl(size: 2, cookie: pagedControl(a1.controls)!.cookie).control()])
        let b2 = s.search(teachers, controls: [PagedResultsControl(size: 3, cookie: pagedControl(b1.controls)!.cookie).control()])
        #expect(a1.entries.count == 2 && a2.entries.count == 2)
        #expect(Set(a1.entries.map(\.objectName)).isDisjoint(with: a2.entries.map(\.objectName)))
        #expect(b1.entries.count == 3 && b2.entries.count == 3)
        #expect(b2.entries.allSatisfy { $0.objectName.hasSuffix("ou=教师组,ou=育才学校,dc=example,dc=com") })
    }

    @Test func sizeZeroAbandonsAndABadCookieIsRefused() throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let first = s.search(try people(), controls: [PagedResultsControl(size: 4, cookie: []).control()])
        let cookie = try #require(pagedControl(first.controls)?.cookie)
        let stop = s.search(try people(), controls: [PagedResultsControl(size: 0, cookie: cookie).control()])
        #expect(stop.entries.isEmpty)
        #expect(stop.result?.resultCode == .success)
        #expect(pagedControl(stop.controls)?.cookie == [])
        let again = s.search(try people(), controls: [PagedResultsControl(size: 4, cookie: cookie).control()])
        #expect(again.result?.resultCode == .unwillingToPerform)
        let forged = s.search(try people(), controls: [PagedResultsControl(size: 4, cookie: [1, 2, 3]).control()])
        #expect(forged.result?.resultCode == .unwillingToPerform)
        let malformed = s.search(try people(), controls: [Control(oid: PagedResultsControl.oid, criticality: true, value: [0x30, 0x00])])
        #expect(malformed.result?.resultCode == .protocolError)
    }

    @Test func aCookieBelongsToItsRequest() throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let first = s.search(try people(), controls: [PagedResultsControl(size: 4, cookie: []).control()])
        let cookie = try #require(pagedControl(first.controls)?.cookie)
        let other = s.search(try people(["cn"]), controls: [PagedResultsControl(size: 4, cookie: cookie).control()])
        #expect(other.result?.resultCode == .unwillingToPerform)
    }
}

@Suite struct SortTests {
    func uids(_ r: (entries: [SearchResultEntry], result: LDAPResult?, controls: [Control])) -> [String] {
        r.entries.compactMap { $0.strings("uid")?.first }
    }

    @Test func sortsNamesByPinyinAndReverses() throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let teachers = SearchRequest(baseObject: "ou=教师组,ou=育才学校,dc=example,dc=com", scope: .wholeSubtree, filter: .present("uid"), attributes: ["uid", "cn"])
        let sorted = s.search(teachers, controls: [Control(oid: SortRequestControl.oid, criticality: true, value: SortRequestControl(keys: [.init("cn")]).controlValue)])
        #expect(sorted.result?.resultCode == .success)
        // 刘丽 liuli, 李秀英 lixiuying, 欧阳娜娜 ou, 单雄信 shan, 王建国 wang, 曾小贤 zeng, 张三 zhang, 赵强 zhao.
        #expect(uids(sorted) == ["t4001", "t1002", "t2002", "t3002", "t1001", "t3001", "t2001", "t5001"])
        let response = try #require(sorted.controls.first { $0.oid == SortResponseControl.oid })
        #expect(try SortResponseControl(controlValue: response.value!).result == .success)
        let reversed = s.search(teachers, controls: [Control(oid: SortRequestControl.oid, value: SortRequestControl(keys: [.init("cn", reverse: true)]).controlValue)])
        #expect(uids(reversed) == uids(sorted).reversed())
    }

    @Test func entriesWithoutTheAttributeComeLastAndIntegersSortNumerically() throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let r = s.search(
            SearchRequest(baseObject: "ou=教师组,ou=育才学校,dc=example,dc=com", scope: .wholeSubtree, filter: .present("objectClass"), attributes: ["uid", "mail"]),
            controls: [Control(oid: SortRequestControl.oid, value: SortRequestControl(keys: [.init("mail")]).controlValue)])
        let mails = r.entries.map { $0.strings("mail")?.first }
        let firstMissing = mails.firstIndex(of: nil) ?? mails.count
        #expect(mails[firstMissing...].allSatisfy { $0 == nil })
        #expect(mails[..<firstMissing].map { $0! } == mails[..<firstMissing].map { $0! }.sorted())
        let orders = s.search(
            SearchRequest(baseObject: base, scope: .wholeSubtree, filter: .present("rosterSortOrder"), attributes: ["rosterSortOrder"]),
            controls: [Control(oid: SortRequestControl.oid, value: SortRequestControl(keys: [.init("rosterSortOrder")]).controlValue)])
        let numbers = orders.entries.compactMap { $0.strings("rosterSortOrder")?.first.flatMap { Int($0) } }
        #expect(numbers == numbers.sorted())
    }

    @Test func unknownSortAttribute() throws {
        var s = try makeSession()
        let critical = s.search(try people(), controls: [Control(oid: SortRequestControl.oid, criticality: true, value: SortRequestControl(keys: [.init("noSuchThing")]).controlValue)])
        #expect(critical.result?.resultCode == .unavailableCriticalExtension)
        #expect(critical.entries.isEmpty)
        let lenient = s.search(try people(), controls: [Control(oid: SortRequestControl.oid, value: SortRequestControl(keys: [.init("noSuchThing")]).controlValue)])
        #expect(lenient.result?.resultCode == .success)
        #expect(lenient.entries.count == 21)
        let response = try #require(lenient.controls.first { $0.oid == SortResponseControl.oid })
        #expect(try SortResponseControl(controlValue: response.value!).result == .noSuchAttribute)
    }

    @Test func sortingAndPagingTogether() throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let sortControl = Control(oid: SortRequestControl.oid, value: SortRequestControl(keys: [.init("uid")]).controlValue)
        let full = uids(s.search(try people(), controls: [sortControl]))
        #expect(full == full.sorted())
        var cookie: [UInt8] = []
        var paged: [String] = []
        repeat {
            let r = s.search(try people(), controls: [sortControl, PagedResultsControl(size: 6, cookie: cookie).control()])
            paged += uids(r)
            cookie = pagedControl(r.controls)?.cookie ?? []
        } while !cookie.isEmpty
        #expect(paged == full)
    }
}

@Suite struct IndexedSearchTests {
    /// `(|F(description=…))` cannot use an index: the same filter answered by a full walk.
    func unplanned(_ filter: String) -> String { "(|\(filter)(description=never-matches-anything))" }

    @Test(arguments: [
        "(uid=t2001)", "(UID=T2001)", "(mail=ZHANGSAN@school.example.com)", "(mobile=138 0000 2001)", "(cn=张三)",
        "(cn=zhang san)", "(cn=zs)", "(cn=张*)", "(cn=zh*)", "(displayName=ou*)", "(&(objectClass=person)(cn=z*))",
        "(|(uid=t2001)(uid=w0001))", "(&(cn=l*)(mail=*school*))", "(uid=nobody)", "(cn=w*)", "(cn=语文*)",
        "(cn=安全委员会)", "(|(cn=年会*)(mail=w*))", "(&(objectClass=groupOfNames)(cn=语*))",
    ])
    func indexedAndWalkedSearchesAgree(filter: String) throws {
        var s = try makeSession()
        _ = s.bind("cn=admin,dc=example,dc=com", "secret")
        let planned = try s.search(base, .wholeSubtree, filter, attributes: ["1.1"]).entries.map(\.objectName)
        let walked = try s.search(base, .wholeSubtree, unplanned(filter), attributes: ["1.1"]).entries.map(\.objectName)
        #expect(planned == walked)
    }

    /// With many candidates and a size limit, the walk goes through the tree in order and checks
    /// members against the candidates instead of arranging them all: the entries are the first
    /// ones of the full walk, in the same order, for the admin and for a member's view.
    @Test func aSizeLimitedSearchWithManyCandidatesReturnsTheFirstEntriesOfTheWalk() throws {
        var model = demoModel
        let context = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "test", role: .superAdmin)
        let departments = model.departments.values.filter { $0.id != .root }.map(\.id).sorted()
        for i in 0..<80 {
            var fields: [MemberField: String] = [.name: "张\(["伟", "芳", "敏", "静", "强"][i % 5])\(i)", .email: "zmany\(i)@example.com"]
            if i % 13 == 0 { fields[.pinned] = "yes" }
            _ = try model.apply(.createMember(account: "zmany\(i)", fields: fields,
                departments: [departments[i % departments.count]], passwordHash: nil), by: context)
        }
        for (who, password) in [("cn=admin,dc=example,dc=com", "secret"), ("t2001", "Pw-t2001")] {
            var s = try makeSession(model: model)
            #expect(s.bind(who, password).resultCode == .success)
            // Limits 1–3 keep no candidate keys (the walk goes through the tree with the
            // accounts' hashes alone); 30 keeps them and arranges the candidates. AND and OR mix
            // both kinds of answer.
            for filter in [
                "(cn=zh*)", "(|(cn=张*)(mail=zmany*)(sn=张*))", "(mail=zmany*)", "(&(cn=张*)(mail=zmany1*))",
                "(&(cn=张*)(uid=zmany7))", "(|(uid=zmany3)(cn=张伟*))", "(&(|(cn=zh*)(sn=li*))(mail=zmany2*))",
            ] {
                let all = try s.search(base, .wholeSubtree, unplanned(filter), attributes: ["1.1"]).entries.map(\.objectName)
                // A member sees only part of the organisation: what it sees, limited alike.
                #expect(!all.isEmpty || who == "t2001", "\(who) \(filter)")
                for limit in [1, 2, 3, 30] {
                    let r = try s.search(base, .wholeSubtree, filter, attributes: ["1.1"], sizeLimit: Int32(limit))
                    #expect(r.entries.map(\.objectName) == Array(all.prefix(limit)), "\(who) \(filter) limit \(limit)")
                    #expect(r.result.resultCode == (all.count > limit ? .sizeLimitExceeded : .success), "\(who) \(filter) limit \(limit)")
                }
            }
        }
    }

    /// A lookup the indexes narrow to one member goes straight to it: the same answer as the
    /// full walk for every base (above it, its own department, beside it), scope and viewer,
    /// with a department on the way hidden and with the member departed.
    @Test func aOneMemberLookupAgreesWithTheWalkFromEveryBase() throws {
        var model = demoModel
        let context = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "test", role: .superAdmin)
        let depots = model.departments.values.first { $0.name == "网点" }!
        var hidden = depots
        hidden.hidden = true
        model.put(hidden)
        _ = try model.apply(.depart(try Account(parsing: "w3002")), by: context)
        let bases = [
            base, "ou=育才学校,\(base)", "ou=语文组,ou=教师组,ou=育才学校,\(base)", "ou=顺达物流,\(base)",
            "ou=北京朝阳网点,ou=网点,ou=顺达物流,\(base)", "ou=上海浦东网点,ou=网点,ou=顺达物流,\(base)", "cn=departed,\(base)",
        ]
        let filters = ["(uid=t2001)", "(uid=w1001)", "(mail=sunli@shunda.example.com)", "(uid=w3002)", "(uid=nobody)", "(mobile=13800004001)"]
        for (who, password) in [("cn=admin,dc=example,dc=com", "secret"), ("t2001", "Pw-t2001"), ("w2001", "Pw-w2001"), ("", "")] {
            var s = try makeSession(model: model)
            #expect(s.bind(who, password).resultCode == .success)
            for b in bases {
                for scope in [SearchRequest.Scope.wholeSubtree, .subordinates, .singleLevel] {
                    for filter in filters {
                        let planned = try s.search(b, scope, filter, attributes: ["1.1"])
                        let walked = try s.search(b, scope, unplanned(filter), attributes: ["1.1"])
                        #expect(planned.entries.map(\.objectName) == walked.entries.map(\.objectName), "\(who) \(b) \(scope) \(filter)")
                        #expect(planned.result.resultCode == walked.result.resultCode, "\(who) \(b) \(scope) \(filter)")
                    }
                }
            }
        }
    }

    @Test func aViewerWhoMayNotSeeMobilesFindsNothingByMobile() throws {
        var directory = demoModel
        _ = try directory.apply(.setFieldPolicy(.mobile, FieldPolicy.Rule(shown: false, selfEditable: false)), by: CommandContext(actor: "t", source: "t"))
        var s = try makeSession(model: directory)
        _ = s.bind("t4001", "Pw-t4001")
        #expect(try s.search(base, .wholeSubtree, "(mobile=138*)").entries.map { $0.strings("uid") } == [["t4001"]])
        #expect(try s.search(base, .wholeSubtree, "(mobile=13800002001)").entries.isEmpty)
        #expect(try s.search(base, .wholeSubtree, "(uid=t2001)", attributes: ["mobile", "mail"]).entries.first?.strings("mobile") == nil)
    }
}
