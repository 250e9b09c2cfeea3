import Directory
import Foundation
import LDAPProtocol

/// Search (RFC 4511 §4.5): scopes base, one, sub and subordinates over the viewer's view of the
/// tree, in tree order; indexes narrow the members examined; server-side sort (RFC 2891) and
/// paged results (RFC 2696); client size and time limits, then the server's defaults.
struct SearchOperation {
    let frontend: Frontend
    let identity: BoundIdentity
    /// The server's size and time limits.
    var limits = Limits()

    /// How a search goes on after its request is read.
    enum Start: Sendable {
        /// Answered at once (an error, the rootDSE, a later page of size 0).
        case done([LDAPMessage])
        /// Walk the tree, in batches.
        case walk(SearchWalk)
        /// Send the next page of a paged search.
        case page(SearchPage)
    }

    /// Reads a search request: controls, then the base and the limits, then the plan. Cheap: the
    /// walk itself is left to the caller, which runs it where it belongs.
    func start(_ request: SearchRequest, controls: [Control], messageID: Int32, paging: inout PagingState) -> Start {
        func done(_ result: LDAPResult, _ controls: [Control] = []) -> Start {
            .done([LDAPMessage(messageID: messageID, .searchResultDone(result), controls: controls)])
        }
        let parsed: SearchControls
        switch SearchControls.parse(controls) {
        case .failure(let r): return done(r)
        case .success(let c): parsed = c
        }

        // A later page of a paged search.
        if let paged = parsed.paged, !paged.cookie.isEmpty {
            guard let cursor = paging.cursors[paged.cookie], cursor.request == request, cursor.identity == identity else {
                return done(LDAPResult(.unwillingToPerform, diagnosticMessage: "paged results: the cookie is invalid or expired"))
            }
            paging.remove(paged.cookie)
            if paged.size <= 0 {
                return done(LDAPResult(.success), [PagedResultsControl(size: 0, cookie: []).control()])
            }
            return .page(SearchPage(frontend: frontend, cursor: cursor, size: Int(paged.size), messageID: messageID, cookie: paging.reserveCookie()))
        }

        // The filter's breadth was bounded before dispatch (Limits.maxFilterItems).
        let cost = FilterCost(request.filter)
        let baseDN: DistinguishedName
        do {
            baseDN = try DistinguishedName(parsing: request.baseObject)
        } catch {
            return done(LDAPResult(.invalidDNSyntax, diagnosticMessage: "baseObject: \(error.reason)"))
        }
        let model = frontend.directory.snapshot()
        let visibility = frontend.visibility(identity, model)

        let isPrivileged: Bool = {
            if case .administrator = identity.viewer { return true }
            return false
        }()
        var sizeLimit = Int(request.sizeLimit)
        if !isPrivileged, limits.sizeLimit > 0, sizeLimit <= 0 || sizeLimit > limits.sizeLimit {
            sizeLimit = limits.sizeLimit
        }
        var timeLimit = Int(request.timeLimit)
        if limits.timeLimitSeconds > 0, timeLimit <= 0 || timeLimit > limits.timeLimitSeconds {
            timeLimit = limits.timeLimitSeconds
        }

        // Which node the search starts from, honouring visibility.
        let start: DITNode
        if baseDN.isRoot {
            if request.scope == .baseObject {
                var out: [LDAPMessage] = []
                if let entry = frontend.entry(for: .rootDSE, in: model, visibility: visibility),
                    Self.makeEvaluator(frontend: frontend, visibility: visibility).matches(request.filter, entry)
                {
                    out.append(Self.entryMessage(entry, request, AttributeSelection(request.attributes), messageID))
                }
                out.append(LDAPMessage(messageID: messageID, .searchResultDone(LDAPResult(.success))))
                return .done(out)
            }
            guard visibility.readsDirectory else { return done(LDAPResult(.success)) }
            start = .department(.root)
        } else {
            let resolution = frontend.dit.resolve(baseDN, in: model)
            guard let node = resolution.node, visibility.readsDirectory || node == .subschema,
                canSee(node, visibility, model)
            else {
                return done(LDAPResult(.noSuchObject, matchedDN: matchedDN(resolution.matched, visibility, model)))
            }
            start = node
        }

        var sortKeys: [SearchControls.SortKey] = []
        var sortResponse: Control?
        switch parsed.resolveSort() {
        case .none: break
        case .keys(let keys, let response):
            sortKeys = keys
            sortResponse = response
        case .unsorted(let response): sortResponse = response
        case .refused(let result, let response): return done(result, [response])
        }

        // A search that stops at its size limit needs the keys of no more candidates than it
        // would arrange (SearchWalk): beyond that it walks the tree in order.
        let collects = !sortKeys.isEmpty || parsed.paged != nil
        let keep = collects || sizeLimit <= 0 ? Int.max : SearchWalk.arrangedAtMost(sizeLimit: sizeLimit)
        let plan = SearchPlan(request.filter, model: model, keepKeysUpTo: keep)
        return .walk(
            SearchWalk(
                frontend: frontend, identity: identity, request: request, messageID: messageID, model: model,
                visibility: visibility, start: start, startIsRoot: baseDN.isRoot, plan: plan, sizeLimit: sizeLimit,
                timeLimit: timeLimit, sortKeys: sortKeys, sortResponse: sortResponse, paged: parsed.paged,
                pagingCookie: parsed.paged != nil ? paging.reserveCookie() : nil, filterCost: cost))
    }

    /// The whole search at once, on the calling thread (tests and in-process benchmarks).
    func search(_ request: SearchRequest, controls: [Control], messageID: Int32, paging: inout PagingState) -> [LDAPMessage] {
        switch start(request, controls: controls, messageID: messageID, paging: &paging) {
        case .done(let messages): return messages
        case .page(let page):
            let (messages, keep) = page.produce()
            if let keep { paging.store(keep, as: page.cookie) }
            return messages
        case .walk(var walk):
            let messages = walk.all()
            if let keep = walk.keptCursor, let cookie = walk.pagingCookie { paging.store(keep, as: cookie) }
            return messages
        }
    }

    /// Orders entries by the sort keys (RFC 2891): the smallest value of a multi-valued attribute
    /// first; names by their pinyin; entries without the attribute last.
    static func sorted(
        _ matched: [(DITNode, Entry)], by keys: [SearchControls.SortKey], model: DirectoryModel
    ) -> [(DITNode, Entry)] {
        func sortValue(_ entry: Entry, _ node: DITNode, _ type: AttributeType, _ kind: MatchingKind) -> String? {
            guard let values = entry.values(of: type), !values.isEmpty else { return nil }
            if type.pinyin {
                if type.key == "cn" || type.key == "displayname", case .member(let a) = node {
                    let p = model.pinyin(of: a)
                    return p.compact + "\u{0}" + (values.first ?? "")
                }
                return values.map { PinyinName($0).compact + "\u{0}" + $0 }.min()
            }
            return values.map { Matching.normalize($0, kind) }.min { a, b in (Matching.compare(a, b, kind) ?? 0) < 0 }
        }
        let decorated = matched.enumerated().map { (i, pair) in
            (i, pair, keys.map { sortValue(pair.1, pair.0, $0.type, $0.ordering) })
        }
        let ordered = decorated.sorted { a, b in
            for (k, key) in keys.enumerated() {
                let x = a.2[k], y = b.2[k]
                switch (x, y) {
                case (nil, nil): continue
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?):
                    let c = Matching.compare(x, y, key.ordering) ?? (x < y ? -1 : (x == y ? 0 : 1))
                    if c != 0 { return key.key.reverse ? c > 0 : c < 0 }
                }
            }
            return a.0 < b.0
        }
        return ordered.map(\.1)
    }

    /// The evaluator of a search: in-chain memberOf decided over what the viewer can see.
    static func makeEvaluator(frontend: Frontend, visibility: Visibility) -> FilterEvaluator {
        InChainMatch.evaluator(dit: frontend.dit, visibility: visibility)
    }

    static func entryMessage(_ entry: Entry, _ request: SearchRequest, _ selection: AttributeSelection, _ id: Int32) -> LDAPMessage {
        LDAPMessage(
            messageID: id,
            .searchResultEntry(
                SearchResultEntry(objectName: entry.dn, encodedAttributes: selection.encodedList(entry, typesOnly: request.typesOnly))))
    }

    /// Whether the viewer may see a node (visibility decided by the domain).
    func canSee(_ node: DITNode, _ visibility: Visibility, _ model: DirectoryModel) -> Bool {
        Self.canSee(node, visibility, model)
    }

    /// Whether the viewer may see a node (visibility decided by the domain).
    static func canSee(_ node: DITNode, _ visibility: Visibility, _ model: DirectoryModel) -> Bool { visibility.canSee(node) }

    /// The matchedDN for a name error: the deepest ancestor the viewer may see, so that the answer
    /// for a hidden entry is the answer for one that never existed.
    func matchedDN(_ matched: DITNode?, _ visibility: Visibility, _ model: DirectoryModel) -> String {
        frontend.dit.matchedDN(matched, visibility)
    }
}
