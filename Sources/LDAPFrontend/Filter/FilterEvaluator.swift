public import LDAPProtocol

/// RFC 4511 §4.5.1.7 three-valued filter logic.
public enum FilterResult: Sendable, Hashable {
    case `true`, `false`, undefined
}

/// Evaluates a filter against an entry the viewer may see. An attribute the entry lacks, or one
/// Roster does not know, makes its item Undefined — never an error.
public struct FilterEvaluator: Sendable {
    /// Callback for `memberOf:1.2.840.113556.1.4.1941:=` (in-chain) match, given the entry and the
    /// DN asserted: true, false, or Undefined when the viewer may not read memberOf.
    public typealias InChain = @Sendable (Entry, DistinguishedName) -> FilterResult

    let inChain: InChain?

    /// - Parameter inChain: resolves the transitive memberOf rule; without it the rule is Undefined.
    public init(inChain: InChain? = nil) { self.inChain = inChain }

    /// Whether the entry matches (Undefined counts as no match).
    public func matches(_ filter: Filter, _ entry: Entry) -> Bool { evaluate(filter, entry) == .true }

    /// The filter's three-valued result.
    public func evaluate(_ filter: Filter, _ entry: Entry) -> FilterResult {
        switch filter {
        case .and(let items):
            var result = FilterResult.true
            for f in items {
                switch evaluate(f, entry) {
                case .false: return .false
                case .undefined: result = .undefined
                case .true: break
                }
            }
            return result
        case .or(let items):
            var result = FilterResult.false
            for f in items {
                switch evaluate(f, entry) {
                case .true: return .true
                case .undefined: result = .undefined
                case .false: break
                }
            }
            return result
        case .not(let inner):
            switch evaluate(inner, entry) {
            case .true: return .false
            case .false: return .true
            case .undefined: return .undefined
            }
        case .present(let attr):
            guard let type = AttributeRegistry.type(named: attr) else { return .false }
            return entry.values(of: type) != nil ? .true : .false
        case .equalityMatch(let ava), .approxMatch(let ava):
            return equality(ava.attribute, ava.value, entry)
        case .greaterOrEqual(let ava):
            return ordering(ava, entry) { $0 >= 0 }
        case .lessOrEqual(let ava):
            return ordering(ava, entry) { $0 <= 0 }
        case .substrings(let sf):
            return substrings(sf, entry)
        case .extensibleMatch(let m):
            return extensible(m, entry)
        }
    }

    private func equality(_ attribute: String, _ raw: [UInt8], _ entry: Entry) -> FilterResult {
        guard let type = AttributeRegistry.type(named: attribute), let values = entry.values(of: type) else {
            return .undefined
        }
        guard let assertion = String(validating: raw, as: UTF8.self) else { return .undefined }
        let wanted = Matching.normalize(assertion, type.matching)
        for v in values where Matching.normalize(v, type.matching) == wanted { return .true }
        if type.pinyin {
            let compact = wanted.replacingOccurrences(of: " ", with: "")
            for p in entry.pinyinForms(for: type) where p == wanted || p == compact { return .true }
        }
        return .false
    }

    private func ordering(_ ava: AttributeValueAssertion, _ entry: Entry, _ accept: (Int) -> Bool) -> FilterResult {
        guard let type = AttributeRegistry.type(named: ava.attribute), let values = entry.values(of: type),
            let assertion = String(validating: ava.value, as: UTF8.self)
        else { return .undefined }
        let wanted = Matching.normalize(assertion, type.matching)
        var sawUndefined = false
        for v in values {
            guard let c = Matching.compare(Matching.normalize(v, type.matching), wanted, type.matching) else {
                sawUndefined = true
                continue
            }
            if accept(c) { return .true }
        }
        return sawUndefined ? .undefined : .false
    }

    private func substrings(_ sf: SubstringFilter, _ entry: Entry) -> FilterResult {
        guard let type = AttributeRegistry.type(named: sf.attribute), let values = entry.values(of: type) else {
            return .undefined
        }
        // An assertion part that is not UTF-8 makes the item Undefined, as it does for equality
        // (found by review: it was dropped, so `(mail=z\ff*)` matched every entry with a mail).
        func valid(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }
        guard sf.initial.map(valid) ?? true, sf.final.map(valid) ?? true, sf.any.allSatisfy(valid) else { return .undefined }
        func norm(_ bytes: [UInt8]?) -> String? {
            bytes.flatMap { String(validating: $0, as: UTF8.self) }.map { Matching.normalize($0, type.matching) }
        }
        let initial = norm(sf.initial), final = norm(sf.final)
        let any = sf.any.compactMap { norm($0) }
        for v in values
        where Matching.substring(Matching.normalize(v, type.matching), initial: initial, any: any, final: final) {
            return .true
        }
        if type.pinyin {
            for p in entry.pinyinForms(for: type)
            where Matching.substring(p, initial: initial, any: any, final: final) {
                return .true
            }
        }
        return .false
    }

    private func extensible(_ m: MatchingRuleAssertion, _ entry: Entry) -> FilterResult {
        guard let assertion = String(validating: m.value, as: UTF8.self) else { return .undefined }
        if let rule = m.matchingRule, rule == "1.2.840.113556.1.4.1941" {
            guard let attr = m.attribute, AttributeRegistry.type(named: attr)?.key == "memberof", let inChain,
                let dn = try? DistinguishedName(parsing: assertion)
            else { return .undefined }
            return inChain(entry, dn)
        }
        var kind: MatchingKind? = nil
        if let rule = m.matchingRule {
            guard let k = Matching.rule(named: rule) else { return .undefined }
            kind = k
        }
        var result = FilterResult.false
        if let attr = m.attribute {
            guard let type = AttributeRegistry.type(named: attr) else { return .undefined }
            let k = kind ?? type.matching
            if let values = entry.values(of: type) {
                let wanted = Matching.normalize(assertion, k)
                for v in values where Matching.normalize(v, k) == wanted { return .true }
            } else {
                result = .undefined
            }
        } else if let k = kind {
            let wanted = Matching.normalize(assertion, k)
            for a in entry.attributes where !a.type.operational {
                for v in a.values where Matching.normalize(v, k) == wanted { return .true }
            }
        }
        if m.dnAttributes, let dn = try? DistinguishedName(parsing: entry.dn) {
            for rdn in dn.rdns {
                for pair in rdn.attributes {
                    if let attr = m.attribute, DistinguishedName.canonicalType(attr) != pair.normalizedType { continue }
                    let k = kind ?? AttributeRegistry.type(named: pair.type)?.matching ?? .caseIgnore
                    if Matching.normalize(pair.value, k) == Matching.normalize(assertion, k) { return .true }
                }
            }
        }
        return result
    }
}
