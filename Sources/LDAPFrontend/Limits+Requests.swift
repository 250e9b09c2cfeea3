import LDAPProtocol

extension Limits {
    /// A request beyond a limit: which one, and the diagnosticMessage that says so.
    struct Refusal: Sendable, Hashable {
        let limit: Name
        let diagnosticMessage: String
    }

    /// The limit a decoded request breaks, checked before the request is dispatched (nil: none).
    /// Its answer is adminLimitExceeded; the connection goes on.
    func refusal(of message: LDAPMessage) -> Refusal? {
        func refuse(_ limit: Name, _ field: String, _ count: Int, _ what: String, _ maximum: Int) -> Refusal {
            Refusal(
                limit: limit,
                diagnosticMessage: "\(field): \(count) \(what); at most \(maximum) are allowed (\(limit.rawValue))")
        }
        if message.controls.count > maxControls {
            return refuse(.maxControls, "controls", message.controls.count, "on one request", maxControls)
        }
        switch message.protocolOp {
        case .searchRequest(let request):
            if request.attributes.count > maxAttributes {
                return refuse(.maxAttributes, "attributes", request.attributes.count, "names asked for", maxAttributes)
            }
            let items = FilterCost(request.filter).items
            if items > maxFilterItems {
                return refuse(.maxFilterItems, "filter", items, "items", maxFilterItems)
            }
        case .addRequest(let request):
            if request.attributes.count > maxAttributes {
                return refuse(.maxAttributes, "attributes", request.attributes.count, "in one add", maxAttributes)
            }
        case .modifyRequest(let request):
            if request.changes.count > maxAttributes {
                return refuse(.maxAttributes, "changes", request.changes.count, "in one modify", maxAttributes)
            }
        default:
            break
        }
        return nil
    }
}
