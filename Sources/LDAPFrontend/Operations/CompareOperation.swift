import Directory
import LDAPProtocol

/// Compare (RFC 4511 §4.10) over the viewer's view: an invisible entry does not exist.
struct CompareOperation {
    let frontend: Frontend
    let identity: BoundIdentity

    func compare(_ request: CompareRequest) -> LDAPResult {
        let dn: DistinguishedName
        do {
            dn = try DistinguishedName(parsing: request.entry)
        } catch {
            return LDAPResult(.invalidDNSyntax, diagnosticMessage: "entry: \(error.reason)")
        }
        let model = frontend.directory.snapshot()
        let visibility = frontend.visibility(identity, model)
        let resolution = frontend.dit.resolve(dn, in: model)
        guard let node = resolution.node, visibility.readsDirectory, visibility.canSee(node),
            let entry = frontend.entry(for: node, in: model, visibility: visibility)
        else {
            return LDAPResult(.noSuchObject, matchedDN: frontend.dit.matchedDN(resolution.matched, visibility))
        }
        guard let type = AttributeRegistry.type(named: request.assertion.attribute) else {
            return LDAPResult(.undefinedAttributeType, diagnosticMessage: "\(request.assertion.attribute): unknown attribute")
        }
        guard entry.values(of: type) != nil else {
            return LDAPResult(.noSuchAttribute, diagnosticMessage: "\(type.name): the entry has no such attribute")
        }
        let evaluator = FilterEvaluator()
        switch evaluator.evaluate(.equalityMatch(request.assertion), entry) {
        case .true: return LDAPResult(.compareTrue)
        case .false: return LDAPResult(.compareFalse)
        case .undefined: return LDAPResult(.undefinedAttributeType, diagnosticMessage: "\(type.name): cannot be compared")
        }
    }
}
