import Directory
import Foundation
import LDAPProtocol

/// A search in progress: the walk of the viewer's view of the tree, resumable so that entries
/// are produced in batches — written to the connection as they come, paused while it is not
/// writable, and stopped by abandon or disconnect between batches.
///
/// A value: a batch may be produced off the event loop and the walk handed back with its state.
struct SearchWalk: Sendable {
    let frontend: Frontend
    let identity: BoundIdentity
    let request: SearchRequest
    let messageID: Int32
    let model: DirectoryModel
    let visibility: Visibility
    let selection: AttributeSelection
    let evaluator: FilterEvaluator
    let plan: SearchPlan?
    /// The plan's candidates arranged for the walk (computed at the first department reached).
    private var arrangement: SearchPlan.Arrangement?
    /// Whether the walk goes through the tree in order, checking members against the plan's
    /// candidates, rather than arranging the candidates first: when there are so many of them
    /// that the size limit is reached long before the tree is done.
    private let walksInOrder: Bool
    let recurse: Bool
    let sizeLimit: Int
    let timeLimit: Int
    let deadline: Date?
    let sortKeys: [SearchControls.SortKey]
    let sortResponse: Control?
    let paged: PagedResultsControl?
    /// The cookie a paged search keeps its cursor under (reserved by the session).
    let pagingCookie: [UInt8]?
    let filterWant: AttributeWant
    let resultWant: AttributeWant
    /// One entry both filtered and returned, when that costs no more than a probe for the
    /// filter and then the entry (the result wants every attribute the filter reads, or the
    /// indexes chose members that mostly match); nil: a probe first.
    let oneWant: AttributeWant?

    private let startNode: DITNode
    /// A node still to visit, with its member when the walk found it already (a member's
    /// node: looked up once, not again for its visibility and its entry).
    struct Step: Sendable {
        var node: DITNode
        var member: Member?
        /// The member with its names, when the walk found them together.
        var record: MemberRecord?
        var names: MemberNames? { record?.names }
        init(_ node: DITNode, _ member: Member? = nil) {
            self.node = node
            self.member = member
        }
        init(_ node: DITNode, _ record: MemberRecord) {
            self.node = node
            self.member = record.member
            self.record = record
        }
    }
    private var stack: [Step]
    private var examined = 0
    private var returned = 0
    /// Sorted and paged searches collect every match before the first is sent.
    private var collected: [(DITNode, Entry)] = []
    /// Collected entries ready to be sent, after sorting.
    private var ready: ArraySlice<Entry> = []
    private var readyDone: LDAPMessage?
    /// Whether the walk has produced its SearchResultDone.
    private(set) var finished = false
    /// The cursor a paged search keeps for its next page, once the first page is produced.
    private(set) var keptCursor: PagingState.Cursor?

    /// Most entries per batch, and most nodes examined per batch: a batch is bounded in memory
    /// and in time, so a search that matches nothing still yields to abandon and disconnect.
    static let batchEntries = 256
    static let batchExamined = 4096
    /// Filter work per batch, in ``FilterCost/weight`` units: a costly filter examines fewer
    /// nodes per batch (down to one), so abandon, the time limit and other connections' jobs get
    /// their turn between batches.
    static let batchWork = 65_536

    /// The most candidates a search with a size limit arranges; with more, it walks the tree in
    /// order and checks each member against them.
    static func arrangedAtMost(sizeLimit: Int) -> Int { 4 * sizeLimit }

    /// The cost of one filter evaluation.
    let filterWeight: Int

    init(
        frontend: Frontend, identity: BoundIdentity, request: SearchRequest, messageID: Int32, model: DirectoryModel,
        visibility: Visibility, start: DITNode, startIsRoot: Bool, plan: SearchPlan?, sizeLimit: Int, timeLimit: Int,
        sortKeys: [SearchControls.SortKey], sortResponse: Control?, paged: PagedResultsControl?, pagingCookie: [UInt8]?,
        filterCost: FilterCost
    ) {
        self.frontend = frontend
        self.identity = identity
        self.request = request
        self.messageID = messageID
        self.model = model
        self.visibility = visibility
        self.selection = AttributeSelection(request.attributes)
        self.evaluator = SearchOperation.makeEvaluator(frontend: frontend, visibility: visibility)
        self.plan = plan
        let collects = !sortKeys.isEmpty || paged != nil
        self.walksInOrder = plan.map {
            $0.keys == nil || (!collects && sizeLimit > 0 && $0.candidateCount > Self.arrangedAtMost(sizeLimit: sizeLimit))
        } ?? false
        self.sizeLimit = sizeLimit
        self.timeLimit = timeLimit
        self.deadline = timeLimit > 0 ? Date().addingTimeInterval(TimeInterval(timeLimit)) : nil
        self.sortKeys = sortKeys
        self.sortResponse = sortResponse
        self.paged = paged
        self.pagingCookie = pagingCookie
        self.recurse = request.scope == .wholeSubtree || request.scope == .subordinates
        self.filterWant = AttributeWant.of(request.filter)
        self.filterWeight = filterCost.weight
        var want = selection.want
        for key in sortKeys { want.keys.insert(key.type.key) }
        self.resultWant = want
        // The union even when the result covers the filter: the filter's attributes named, so
        // that what only a filter reads is computed (sn's and givenName's pinyin: found by
        // review, `(sn=zhang)` with `*` returned nothing).
        self.oneWant = want.covers(filterWant) || plan != nil ? want.union(filterWant) : nil
        self.stack = []
        self.startNode = start
        if let only = Self.onlyCandidate(plan, start: start, scope: request.scope, model: model, visibility: visibility) {
            stack = only
        } else {
            switch request.scope {
            case .baseObject, .wholeSubtree: stack = [Step(start)]
            case .singleLevel, .subordinates: stack = startIsRoot ? [Step(start)] : children(start).reversed()
            }
        }
    }

    /// A subtree search the indexes narrowed to one active member and nothing else (a uid,
    /// mail or mobile lookup): the member itself when it is under the start and every
    /// department on the way to it is visible, or nothing — without walking the tree down to it.
    private static func onlyCandidate(
        _ plan: SearchPlan?, start: DITNode, scope: SearchRequest.Scope, model: DirectoryModel, visibility: Visibility
    ) -> [Step]? {
        guard let plan, plan.onlyMembers, plan.departed.isEmpty, plan.candidateCount <= 1, let keys = plan.keys,
            scope == .wholeSubtree || scope == .subordinates, case .department(let top) = start
        else { return nil }
        guard let key = keys.first, let r = model.record(key), r.member.isActive else { return [] }
        let m = r.member
        var cursor: DepartmentID? = m.primaryDepartment
        var reached = false
        while let d = cursor {
            guard visibility.canSee(.department(d)) else { return [] }
            if d == top {
                reached = true
                break
            }
            cursor = model.department(d)?.parent
        }
        return reached ? [Step(.member(m.account), r)] : []
    }

    /// Whether the whole search is cheap enough to run on the event loop: a base search (but not
    /// of a department's or container's counts, which cost its subtree), or one the indexes
    /// narrowed to a few members.
    var isSmall: Bool {
        if request.scope == .baseObject {
            if filterWeight >= 64 { return false }
            switch startNode {
            case .department, .departedContainer, .groupsContainer: return !resultWant.operational && !filterWant.operational
            default: return true
            }
        }
        if let plan, plan.candidateCount <= 64, plan.onlyMembers || plan.groups != nil, filterWeight < 64 { return true }
        return false
    }

    private var collectAll: Bool { !sortKeys.isEmpty || paged != nil }

    /// Produces the next batch of messages; the last batch ends with the SearchResultDone.
    mutating func next() -> [LDAPMessage] {
        guard !finished else { return [] }
        var out: [LDAPMessage] = []
        if !ready.isEmpty || readyDone != nil {
            sendReady(&out)
            return out
        }
        var budget = max(1, min(Self.batchExamined, Self.batchWork / filterWeight))
        // A costly filter checks the clock on every node; a cheap one every 256.
        let clockEvery = filterWeight >= 64 ? 1 : 256
        while budget > 0, let step = stack.popLast() {
            budget -= 1
            let node = step.node
            if let m = step.member {
                // A member: no children.
                guard visibility.canSee(node, member: m) else { continue }
            } else {
                guard SearchOperation.canSee(node, visibility, model) else { continue }
                if recurse { stack.append(contentsOf: children(node).reversed()) }
            }
            // A planned filter needs a member attribute, which departments never carry.
            if plan != nil, case .department = node { continue }
            examined += 1
            if let deadline, examined % clockEvery == 0, Date() > deadline {
                for (_, entry) in collected { out.append(message(entry)) }
                collected = []
                if timeLimit < request.timeLimit || request.timeLimit <= 0 {
                    let by = identity.logName
                    frontend.limitLog.hit(.timeLimit, "a search by \(by) ran for the time limit of \(timeLimit) s")
                }
                return finish(&out, LDAPResult(.timeLimitExceeded, diagnosticMessage: "time limit of \(timeLimit)s exceeded"))
            }
            let entry: Entry
            if let oneWant {
                guard let built = frontend.entry(for: node, in: model, visibility: visibility, wanted: oneWant, known: step.member, names: step.names),
                    evaluator.matches(request.filter, built)
                else { continue }
                entry = built
            } else {
                // Evaluate on an entry with only the filter's attributes, then build what is returned.
                guard let probe = frontend.entry(for: node, in: model, visibility: visibility, wanted: filterWant, known: step.member, names: step.names),
                    evaluator.matches(request.filter, probe),
                    let built = frontend.entry(for: node, in: model, visibility: visibility, wanted: resultWant, known: step.member, names: step.names)
                else { continue }
                entry = built
            }
            if collectAll {
                collected.append((node, entry))
                continue
            }
            if sizeLimit > 0 && returned == sizeLimit {
                noteServerSizeLimit()
                return finish(&out, LDAPResult(.sizeLimitExceeded, diagnosticMessage: "size limit of \(sizeLimit) exceeded"))
            }
            returned += 1
            out.append(message(entry))
            if out.count >= Self.batchEntries { return out }
        }
        guard stack.isEmpty else { return out }
        // The walk is over.
        guard collectAll else { return finish(&out, LDAPResult(.success)) }
        var matched = collected
        collected = []
        if !sortKeys.isEmpty { matched = SearchOperation.sorted(matched, by: sortKeys, model: model) }
        var exceeded = false
        if sizeLimit > 0 && matched.count > sizeLimit {
            matched.removeLast(matched.count - sizeLimit)
            exceeded = true
            noteServerSizeLimit()
        }
        if let paged {
            let cursor = PagingState.Cursor(
                request: request, model: model, identity: identity, remaining: matched.map(\.0)[...], total: matched.count,
                sizeLimitExceeded: exceeded, sortResponse: sortResponse)
            if paged.size <= 0 {
                let controls = [PagedResultsControl(size: Int32(clamping: matched.count), cookie: []).control()] + (sortResponse.map { [$0] } ?? [])
                return finish(&out, LDAPResult(.success), controls)
            }
            let page = SearchPage(frontend: frontend, cursor: cursor, size: Int(paged.size), messageID: messageID, cookie: pagingCookie ?? [])
            let (messages, keep) = page.produce()
            keptCursor = keep
            finished = true
            return out + messages
        }
        ready = matched.map(\.1)[...]
        let controls = sortResponse.map { [$0] } ?? []
        readyDone = LDAPMessage(
            messageID: messageID,
            .searchResultDone(
                exceeded ? LDAPResult(.sizeLimitExceeded, diagnosticMessage: "size limit of \(sizeLimit) exceeded") : LDAPResult(.success)),
            controls: controls)
        sendReady(&out)
        return out
    }

    /// Runs the walk to its end (a small search, on the event loop).
    mutating func all() -> [LDAPMessage] {
        var out: [LDAPMessage] = []
        while !finished { out.append(contentsOf: next()) }
        return out
    }

    private mutating func sendReady(_ out: inout [LDAPMessage]) {
        let batch = ready.prefix(Self.batchEntries)
        ready = ready.dropFirst(batch.count)
        for entry in batch { out.append(message(entry)) }
        if ready.isEmpty, let done = readyDone {
            out.append(done)
            readyDone = nil
            finished = true
        }
    }

    private mutating func finish(_ out: inout [LDAPMessage], _ result: LDAPResult, _ controls: [Control]? = nil) -> [LDAPMessage] {
        out.append(LDAPMessage(messageID: messageID, .searchResultDone(result), controls: controls ?? (sortResponse.map { [$0] } ?? [])))
        finished = true
        stack = []
        return out
    }

    /// Logs a search stopped by the server's size limit (not by a smaller one the client set).
    private func noteServerSizeLimit() {
        guard sizeLimit < request.sizeLimit || request.sizeLimit <= 0 else { return }
        let by = identity.logName
        frontend.limitLog.hit(.sizeLimit, "a search by \(by) reached the size limit of \(sizeLimit) entries")
    }

    private func message(_ entry: Entry) -> LDAPMessage {
        SearchOperation.entryMessage(entry, request, selection, messageID)
    }

    /// The children of a node in the walk: all of them, or only those on the way to a candidate.
    private mutating func children(_ node: DITNode) -> [Step] {
        let dit = frontend.dit
        guard let plan else { return dit.children(of: node, in: model).map { Step($0) } }
        switch node {
        case .department(let id):
            var out: [Step]
            if walksInOrder {
                out = []
                let members = model.departmentMembers(id)
                let candidates = plan.candidates
                members.hashes.withUnsafeBufferPointer { hashes in
                    for i in hashes.indices where candidates.contains(hashes[i]) {
                        if let r = model.record(members.keys[i]), r.member.primaryDepartment == id {
                            out.append(Step(.member(r.member.account), r))
                        }
                    }
                }
                out.append(contentsOf: model.children(of: id).map { Step(.department($0)) })
            } else {
                if arrangement == nil { arrangement = plan.arrange(in: model) }
                let arranged = arrangement!
                out = SearchPlan.ordered(arranged.byDepartment[id] ?? []).map { Step(.member($0.member.account), $0) }
                out.append(contentsOf: model.children(of: id).filter { arranged.relevant.contains($0) }.map { Step(.department($0)) })
            }
            if id == .root {
                for c in dit.rootContainers(in: model) {
                    switch c {
                    case .department, .member: continue
                    case .departedContainer where !plan.departed.isEmpty: out.append(Step(c))
                    default: if !plan.onlyMembers { out.append(Step(c)) }
                    }
                }
            }
            return out
        case .departedContainer:
            return plan.departed.map { Step(.departedMember($0.account), $0) }
        case .groupsContainer:
            guard let groups = plan.groups else { return dit.children(of: node, in: model).map { Step($0) } }
            return groups.sorted().map { Step(.group($0)) }
        default:
            return dit.children(of: node, in: model).map { Step($0) }
        }
    }
}
