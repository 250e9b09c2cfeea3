import Directory
import LDAPProtocol

/// The controls a search honours (paged results, RFC 2696; server-side sort, RFC 2891), parsed
/// from the request, with the sort keys resolved against the schema.
struct SearchControls: Sendable {
    /// One resolved sort key: the request's key, its attribute type and the ordering used.
    struct SortKey: Sendable {
        var key: SortRequestControl.Key
        var type: AttributeType
        var ordering: MatchingKind
    }

    var paged: PagedResultsControl?
    var sort: SortRequestControl?
    var sortCritical = false

    /// Parses the controls a search understands; others were vetted by the session already.
    /// - Returns: the controls, or the result that ends the search (a malformed value).
    static func parse(_ controls: [Control]) -> Result<SearchControls, LDAPResult> {
        var out = SearchControls()
        for c in controls {
            switch c.oid {
            case PagedResultsControl.oid:
                guard let value = c.value, let p = try? PagedResultsControl(controlValue: value) else {
                    return .failure(LDAPResult(.protocolError, diagnosticMessage: "paged results control: malformed value"))
                }
                out.paged = p
            case SortRequestControl.oid:
                guard let value = c.value, let s = try? SortRequestControl(controlValue: value) else {
                    return .failure(LDAPResult(.protocolError, diagnosticMessage: "sort control: malformed value"))
                }
                out.sort = s
                out.sortCritical = c.criticality
            default: break
            }
        }
        return .success(out)
    }

    /// The outcome of resolving the sort keys.
    enum SortResolution {
        /// No sort was asked for.
        case none
        /// Sort by these keys; the response control says success.
        case keys([SortKey], response: Control)
        /// A key cannot be used and the control is not critical: the entries go unsorted
        /// (RFC 2891 §1.2), with this response control.
        case unsorted(response: Control)
        /// A key cannot be used and the control is critical: the search ends with this result.
        case refused(LDAPResult, response: Control)
    }

    /// The sort keys must be attributes Roster knows and orderings it has.
    func resolveSort() -> SortResolution {
        guard let sort else { return .none }
        var keys: [SortKey] = []
        for key in sort.keys {
            var failure: (code: ResultCode, message: String)?
            var kind = MatchingKind.caseIgnore
            if let type = AttributeRegistry.type(named: key.attribute) {
                kind = type.matching
                if let rule = key.orderingRule {
                    if let k = Matching.rule(named: rule) {
                        kind = k
                    } else {
                        failure = (.inappropriateMatching, "unknown ordering rule \(rule)")
                    }
                }
                if failure == nil { keys.append(SortKey(key: key, type: type, ordering: kind)) }
            } else {
                failure = (.noSuchAttribute, "unknown attribute \(key.attribute)")
            }
            if let failure {
                let response = SortResponseControl(result: failure.code, attribute: key.attribute).control
                if sortCritical {
                    return .refused(
                        LDAPResult(.unavailableCriticalExtension, diagnosticMessage: "sort: \(failure.message)"),
                        response: response)
                }
                return .unsorted(response: response)
            }
        }
        return .keys(keys, response: SortResponseControl(result: .success).control)
    }
}
