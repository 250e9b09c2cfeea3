import Directory
import Foundation
import LDAPProtocol

/// Search (RFC 4511 §4.5): scopes base, one, sub and subordinates over the viewer's view of the
/// tree, in tree order; client size and time limits, then the server's defaults.
struct SearchOperation {
    let frontend: Frontend
    let identity: BoundIdentity

    func search(_ request: SearchRequest, messageID: Int32) -> [LDAPMessage] {
        var out: [LDAPMessage] = []
        func done(_ result: LDAPResult) -> [LDAPMessage] {
            out.append(LDAPMessage(messageID: messageID, .searchResultDone(result)))
            return out
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
        let evaluator = FilterEvaluator(inChain: { entry, dn in
            // memberOf in chain: the entry lies within the department named (or is in the group).
            guard let node = dit.resolve(dn, in: model).node else { return false }
            guard let m = (try? DistinguishedName(parsing: entry.dn)).flatMap({ dit.resolve($0, in: model).node }),
                case .member(let account) = m, let member = model.member(account.key)
            else { return false }
            switch node {
            case .department(let id): return member.departments.contains { model.isDepartment($0, within: id) }
            case .group(let key): return model.group(key)?.members.contains(account) ?? false
            default: return false
            }
        })

        let anonymousBlocked = !visibility.readsDirectory
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
        var start: DITNode
        if baseDN.isRoot {
            if request.scope == .baseObject {
                if let entry = frontend.entry(for: .rootDSE, in: model, visibility: visibility), evaluator.matches(request.filter, entry) {
                    out.append(entryMessage(entry, request, selection, messageID))
                }
                return done(LDAPResult(.success))
            }
            // An empty base with a wider scope searches the naming context.
            start = .department(.root)
        } else {
            let resolution = dit.resolve(baseDN, in: model)
            guard let node = resolution.node, !anonymousBlocked || node == .subschema, canSee(node, visibility, model) else {
                return done(LDAPResult(.noSuchObject, matchedDN: matchedDN(resolution.matched, visibility, model)))
            }
            start = node
        }
        if anonymousBlocked && start != .subschema {
            return done(LDAPResult(.noSuchObject))
        }

        var returned = 0
        var examined = 0
        var stack: [(DITNode, Int)] = []
        switch request.scope {
        case .baseObject: stack = [(start, 0)]
        case .singleLevel, .subordinates, .wholeSubtree:
            if baseDN.isRoot && request.scope == .singleLevel {
                stack = [(start, 0)]
            } else if request.scope == .wholeSubtree || (baseDN.isRoot && request.scope == .subordinates) {
                stack = [(start, 0)]
            } else {
                stack = dit.children(of: start, in: model).reversed().map { ($0, 1) }
            }
        }
        let recurse = request.scope == .wholeSubtree || request.scope == .subordinates
        while let (node, depth) = stack.popLast() {
            guard canSee(node, visibility, model) else { continue }
            if recurse {
                stack.append(contentsOf: dit.children(of: node, in: model).reversed().map { ($0, depth + 1) })
            }
            examined += 1
            if let deadline, examined % 256 == 0, Date() > deadline {
                return done(LDAPResult(.timeLimitExceeded, diagnosticMessage: "time limit of \(timeLimit)s exceeded"))
            }
            guard let entry = frontend.entry(for: node, in: model, visibility: visibility), evaluator.matches(request.filter, entry) else {
                continue
            }
            if sizeLimit > 0 && returned == sizeLimit {
                return done(LDAPResult(.sizeLimitExceeded, diagnosticMessage: "size limit of \(sizeLimit) exceeded"))
            }
            out.append(entryMessage(entry, request, selection, messageID))
            returned += 1
        }
        return done(LDAPResult(.success))
    }

    private func entryMessage(_ entry: Entry, _ request: SearchRequest, _ selection: AttributeSelection, _ id: Int32) -> LDAPMessage {
        LDAPMessage(
            messageID: id,
            .searchResultEntry(
                SearchResultEntry(objectName: entry.dn, attributes: selection.project(entry, typesOnly: request.typesOnly))))
    }

    /// Whether the viewer may see a node (visibility decided by the domain).
    func canSee(_ node: DITNode, _ visibility: Visibility, _ model: DirectoryModel) -> Bool {
        switch node {
        case .rootDSE, .subschema: return true
        case .groupsContainer, .group: return visibility.canSeeGroups
        case .department(let id): return visibility.canSee(department: id)
        case .member(let account):
            guard let m = model.member(account.key) else { return false }
            return visibility.canSee(member: m)
        case .departedContainer, .departedMember, .adminsContainer, .subAdmin, .servicesContainer, .service, .superAdmin:
            return visibility.canSeeSystemEntries
        }
    }

    /// The matchedDN for a name error: the deepest ancestor the viewer may see, so that the answer
    /// for a hidden entry is the answer for one that never existed.
    func matchedDN(_ matched: DITNode?, _ visibility: Visibility, _ model: DirectoryModel) -> String {
        let dit = frontend.dit
        var cursor = matched
        while let node = cursor, !canSee(node, visibility, model) { cursor = dit.parent(of: node, in: model) }
        guard let node = cursor else { return "" }
        if !visibility.readsDirectory { return "" }
        return dit.dn(of: node, in: model).description
    }
}

