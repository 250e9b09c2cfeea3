import Directory
import Foundation
import LDAPProtocol

/// The paged searches (RFC 2696) in progress on one connection, by cookie.
struct PagingState: Sendable {
    struct Cursor: Sendable {
        var request: SearchRequest
        var model: DirectoryModel
        var identity: BoundIdentity
        var remaining: ArraySlice<DITNode>
        var total: Int
        var sizeLimitExceeded: Bool
        var sortResponse: Control?
    }

    /// Most paged searches kept per connection; the oldest is dropped beyond it.
    static let maxCursors = 16

    var cursors: [[UInt8]: Cursor] = [:]
    var order: [[UInt8]] = []
    var next: UInt64 = 1

    mutating func store(_ cursor: Cursor) -> [UInt8] {
        let cookie = withUnsafeBytes(of: next.bigEndian) { Array($0) }
        next += 1
        cursors[cookie] = cursor
        order.append(cookie)
        if order.count > Self.maxCursors { cursors[order.removeFirst()] = nil }
        return cookie
    }

    mutating func remove(_ cookie: [UInt8]) {
        cursors[cookie] = nil
        order.removeAll { $0 == cookie }
    }
}

/// Search (RFC 4511 §4.5): scopes base, one, sub and subordinates over the viewer's view of the
/// tree, in tree order; indexes narrow the members examined; server-side sort (RFC 2891) and
/// paged results (RFC 2696); client size and time limits, then the server's defaults.
struct SearchOperation {
    let frontend: Frontend
    let identity: BoundIdentity

    func search(_ request: SearchRequest, controls: [Control], messageID: Int32, paging: inout PagingState) -> [LDAPMessage] {
        var out: [LDAPMessage] = []
        func done(_ result: LDAPResult, _ controls: [Control] = []) -> [LDAPMessage] {
            out.append(LDAPMessage(messageID: messageID, .searchResultDone(result), controls: controls))
            return out
        }

        // Controls.
        var paged: PagedResultsControl?
        var pagedCritical = false
        var sort: SortRequestControl?
        var sortCritical = false
        for c in controls {
            switch c.oid {
            case PagedResultsControl.oid:
                guard let value = c.value, let p = try? PagedResultsControl(controlValue: value) else {
                    return done(LDAPResult(.protocolError, diagnosticMessage: "paged results control: malformed value"))
                }
                paged = p
                pagedCritical = c.criticality
            case SortRequestControl.oid:
                guard let value = c.value, let s = try? SortRequestControl(controlValue: value) else {
                    return done(LDAPResult(.protocolError, diagnosticMessage: "sort control: malformed value"))
                }
                sort = s
                sortCritical = c.criticality
            default: break
            }
        }
        _ = pagedCritical

        // A later page of a paged search.
        if let paged, !paged.cookie.isEmpty {
            guard var cursor = paging.cursors[paged.cookie], cursor.request == request, cursor.identity == identity else {
                return done(LDAPResult(.unwillingToPerform, diagnosticMessage: "paged results: the cookie is invalid or expired"))
            }
            paging.remove(paged.cookie)
            if paged.size == 0 {
                return done(LDAPResult(.success), [PagedResultsControl(size: 0, cookie: []).control()])
            }
            return page(&cursor, size: Int(paged.size), messageID: messageID, paging: &paging, out: &out)
        }

        let baseDN: DistinguishedName
        do {
            baseDN = try DistinguishedName(parsing: request.baseObject)
        } catch {
            return done(LDAPResult(.invalidDNSyntax, diagnosticMessage: "baseObject: \(error.reason)"))
        }
        let model = frontend.directory.snapshot()
        let visibility = frontend.visibility(identity, model)
        let dit = frontend.dit
        let selection = AttributeSelection(request.attributes)
        let evaluator = InChainMatch.evaluator(dit: dit, visibility: visibility)

        let isPrivileged: Bool = {
            if case .administrator = identity.viewer { return true }
            return false
        }()
        var sizeLimit = Int(request.sizeLimit)
        if !isPrivileged, frontend.configuration.defaultSizeLimit > 0,
            sizeLimit == 0 || sizeLimit > frontend.configuration.defaultSizeLimit
        {
            sizeLimit = frontend.configuration.defaultSizeLimit
        }
        var timeLimit = Int(request.timeLimit)
        if frontend.configuration.defaultTimeLimit > 0, timeLimit == 0 || timeLimit > frontend.configuration.defaultTimeLimit {
            timeLimit = frontend.configuration.defaultTimeLimit
        }
        let deadline = timeLimit > 0 ? Date().addingTimeInterval(TimeInterval(timeLimit)) : nil

        // Which node the search starts from, honouring visibility.
        let start: DITNode
        if baseDN.isRoot {
            if request.scope == .baseObject {
                if let entry = frontend.entry(for: .rootDSE, in: model, visibility: visibility), evaluator.matches(request.filter, entry) {
                    out.append(entryMessage(entry, request, selection, messageID))
                }
                return done(LDAPResult(.success))
            }
            guard visibility.readsDirectory else { return done(LDAPResult(.success)) }
            start = .department(.root)
        } else {
            let resolution = dit.resolve(baseDN, in: model)
            guard let node = resolution.node, visibility.readsDirectory || node == .subschema,
                canSee(node, visibility, model)
            else {
                return done(LDAPResult(.noSuchObject, matchedDN: matchedDN(resolution.matched, visibility, model)))
            }
            start = node
        }

        // The sort keys must be attributes Roster knows and orderings it has.
        var sortKeys: [(SortRequestControl.Key, AttributeType, MatchingKind)] = []
        var sortResponse: Control?
        if let sort {
            var failure: (code: ResultCode, message: String, attribute: String)?
            for key in sort.keys {
                guard let type = AttributeRegistry.type(named: key.attribute) else {
                    failure = (.noSuchAttribute, "unknown attribute \(key.attribute)", key.attribute)
                    break
                }
                var kind = type.matching
                if let rule = key.orderingRule {
                    guard let k = Matching.rule(named: rule) else {
                        failure = (.inappropriateMatching, "unknown ordering rule \(rule)", key.attribute)
                        break
                    }
                    kind = k
                }
                sortKeys.append((key, type, kind))
            }
            if let failure {
                // RFC 2891 §1.2: critical → refuse; otherwise return the entries unsorted.
                let response = SortResponseControl(result: failure.code, attribute: failure.attribute).control
                if sortCritical {
                    return done(LDAPResult(.unavailableCriticalExtension, diagnosticMessage: "sort: \(failure.message)"), [response])
                }
                sortKeys = []
                sortResponse = response
            } else {
                sortResponse = SortResponseControl(result: .success).control
            }
        }
        let collectAll = !sortKeys.isEmpty || paged != nil

        // Walk the tree in order, members narrowed by the indexes when a filter allows it.
        let planned = SearchPlanner(model: model).candidates(request.filter)
        var plannedByDepartment: [DepartmentID: [Member]] = [:]
        var plannedDeparted: [Member] = []
        if let planned {
            for key in planned {
                guard let m = model.member(key) else { continue }
                if m.isActive { plannedByDepartment[m.primaryDepartment, default: []].append(m) } else { plannedDeparted.append(m) }
            }
            for (d, list) in plannedByDepartment {
                plannedByDepartment[d] = list.sorted { a, b in
                    if a.pinned != b.pinned { return a.pinned }
                    let pa = model.pinyin(of: a.account).compact, pb = model.pinyin(of: b.account).compact
                    return pa != pb ? pa < pb : a.account.key < b.account.key
                }
            }
            plannedDeparted.sort { $0.account < $1.account }
        }
        // Only the departments on the way to a candidate are walked; system entries only when
        // they could match (a cn filter can match a group).
        var relevant = Set<DepartmentID>()
        for d in plannedByDepartment.keys { relevant.formUnion(model.path(to: d)) }
        let onlyMembers = planned != nil && SearchPlanner(model: model).onlyMembersCanMatch(request.filter)
        let plannedGroups = planned != nil && !onlyMembers ? SearchPlanner(model: model).groups(request.filter) : nil
        func children(_ node: DITNode) -> [DITNode] {
            guard planned != nil else { return dit.children(of: node, in: model) }
            switch node {
            case .department(let id):
                var out: [DITNode] = (plannedByDepartment[id] ?? []).map { .member($0.account) }
                out.append(contentsOf: model.children(of: id).filter { relevant.contains($0) }.map { .department($0) })
                if id == .root {
                    for c in dit.children(of: node, in: model) {
                        switch c {
                        case .department, .member: continue
                        case .departedContainer where !plannedDeparted.isEmpty: out.append(c)
                        default: if !onlyMembers { out.append(c) }
                        }
                    }
                }
                return out
            case .departedContainer:
                return plannedDeparted.map { .departedMember($0.account) }
            case .groupsContainer:
                guard let plannedGroups else { return dit.children(of: node, in: model) }
                return plannedGroups.sorted().map { .group($0) }
            default:
                return dit.children(of: node, in: model)
            }
        }

        var matched: [(DITNode, Entry)] = []
        var examined = 0
        var stack: [DITNode]
        switch request.scope {
        case .baseObject: stack = [start]
        case .wholeSubtree: stack = [start]
        case .singleLevel:
            stack = baseDN.isRoot ? [start] : children(start).reversed()
        case .subordinates:
            stack = baseDN.isRoot ? [start] : children(start).reversed()
        }
        let recurse = request.scope == .wholeSubtree || request.scope == .subordinates
        var exceeded = false
        let filterWant = AttributeWant.of(request.filter)
        // Sorting reads the sort keys too.
        var resultWant = selection.want
        for key in sortKeys { resultWant.keys.insert(key.1.key) }
        while let node = stack.popLast() {
            guard canSee(node, visibility, model) else { continue }
            if recurse { stack.append(contentsOf: children(node).reversed()) }
            // A planned filter needs a member attribute, which departments never carry.
            if planned != nil, case .department = node { continue }
            examined += 1
            if let deadline, examined % 256 == 0, Date() > deadline {
                for (_, entry) in matched { out.append(entryMessage(entry, request, selection, messageID)) }
                return done(LDAPResult(.timeLimitExceeded, diagnosticMessage: "time limit of \(timeLimit)s exceeded"))
            }
            // Evaluate on an entry with only the filter's attributes, then build what is returned.
            guard let probe = frontend.entry(for: node, in: model, visibility: visibility, wanted: filterWant),
                evaluator.matches(request.filter, probe),
                let entry = frontend.entry(for: node, in: model, visibility: visibility, wanted: resultWant)
            else {
                continue
            }
            if !collectAll && sizeLimit > 0 && matched.count == sizeLimit {
                exceeded = true
                break
            }
            matched.append((node, entry))
        }

        if !sortKeys.isEmpty { matched = sorted(matched, by: sortKeys, model: model) }
        if collectAll && sizeLimit > 0 && matched.count > sizeLimit {
            matched.removeLast(matched.count - sizeLimit)
            exceeded = true
        }
        if let paged {
            var cursor = PagingState.Cursor(
                request: request, model: model, identity: identity, remaining: matched.map(\.0)[...], total: matched.count,
                sizeLimitExceeded: exceeded, sortResponse: sortResponse)
            if paged.size == 0 {
                return done(LDAPResult(.success), [PagedResultsControl(size: Int32(matched.count), cookie: []).control()] + (sortResponse.map { [$0] } ?? []))
            }
            return page(&cursor, size: Int(paged.size), messageID: messageID, paging: &paging, out: &out)
        }
        for (_, entry) in matched { out.append(entryMessage(entry, request, selection, messageID)) }
        let controls = sortResponse.map { [$0] } ?? []
        if exceeded {
            return done(LDAPResult(.sizeLimitExceeded, diagnosticMessage: "size limit of \(sizeLimit) exceeded"), controls)
        }
        return done(LDAPResult(.success), controls)
    }

    /// Sends the next page of a paged search and keeps the rest under a new cookie.
    private func page(
        _ cursor: inout PagingState.Cursor, size: Int, messageID: Int32, paging: inout PagingState, out: inout [LDAPMessage]
    ) -> [LDAPMessage] {
        let visibility = frontend.visibility(cursor.identity, cursor.model)
        let selection = AttributeSelection(cursor.request.attributes)
        let batch = cursor.remaining.prefix(size)
        cursor.remaining = cursor.remaining.dropFirst(size)
        for node in batch {
            guard let entry = frontend.entry(for: node, in: cursor.model, visibility: visibility, wanted: selection.want) else { continue }
            out.append(entryMessage(entry, cursor.request, selection, messageID))
        }
        var controls: [Control] = []
        let last = cursor.remaining.isEmpty
        let cookie = last ? [] : paging.store(cursor)
        controls.append(PagedResultsControl(size: Int32(cursor.total), cookie: cookie).control())
        if let sort = cursor.sortResponse { controls.append(sort) }
        let result: LDAPResult =
            last && cursor.sizeLimitExceeded
            ? LDAPResult(.sizeLimitExceeded, diagnosticMessage: "size limit exceeded") : LDAPResult(.success)
        out.append(LDAPMessage(messageID: messageID, .searchResultDone(result), controls: controls))
        return out
    }

    /// Orders entries by the sort keys (RFC 2891): the smallest value of a multi-valued attribute
    /// first; names by their pinyin; entries without the attribute last.
    private func sorted(
        _ matched: [(DITNode, Entry)], by keys: [(SortRequestControl.Key, AttributeType, MatchingKind)], model: DirectoryModel
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
            (i, pair, keys.map { sortValue(pair.1, pair.0, $0.1, $0.2) })
        }
        let ordered = decorated.sorted { a, b in
            for (k, key) in keys.enumerated() {
                let x = a.2[k], y = b.2[k]
                switch (x, y) {
                case (nil, nil): continue
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?):
                    let c = Matching.compare(x, y, key.2) ?? (x < y ? -1 : (x == y ? 0 : 1))
                    if c != 0 { return key.0.reverse ? c > 0 : c < 0 }
                }
            }
            return a.0 < b.0
        }
        return ordered.map(\.1)
    }

    private func entryMessage(_ entry: Entry, _ request: SearchRequest, _ selection: AttributeSelection, _ id: Int32) -> LDAPMessage {
        LDAPMessage(
            messageID: id,
            .searchResultEntry(
                SearchResultEntry(objectName: entry.dn, attributes: selection.project(entry, typesOnly: request.typesOnly))))
    }

    /// Whether the viewer may see a node (visibility decided by the domain).
    func canSee(_ node: DITNode, _ visibility: Visibility, _ model: DirectoryModel) -> Bool { visibility.canSee(node) }

    /// The matchedDN for a name error: the deepest ancestor the viewer may see, so that the answer
    /// for a hidden entry is the answer for one that never existed.
    func matchedDN(_ matched: DITNode?, _ visibility: Visibility, _ model: DirectoryModel) -> String {
        frontend.dit.matchedDN(matched, visibility)
    }
}
