public import BER

/// A search filter (RFC 4511 §4.5.1.7).
///
/// ```
/// Filter ::= CHOICE {
///      and             [0] SET SIZE (1..MAX) OF filter Filter,
///      or              [1] SET SIZE (1..MAX) OF filter Filter,
///      not             [2] Filter,
///      equalityMatch   [3] AttributeValueAssertion,
///      substrings      [4] SubstringFilter,
///      greaterOrEqual  [5] AttributeValueAssertion,
///      lessOrEqual     [6] AttributeValueAssertion,
///      present         [7] AttributeDescription,
///      approxMatch     [8] AttributeValueAssertion,
///      extensibleMatch [9] MatchingRuleAssertion,
///      ...  }
/// ```
///
/// The empty `and` and `or` of RFC 4526 (absolute true and false) are accepted as well.
public indirect enum Filter: Sendable, Hashable {
    case and([Filter])
    case or([Filter])
    case not(Filter)
    case equalityMatch(AttributeValueAssertion)
    case substrings(SubstringFilter)
    case greaterOrEqual(AttributeValueAssertion)
    case lessOrEqual(AttributeValueAssertion)
    case present(String)
    case approxMatch(AttributeValueAssertion)
    case extensibleMatch(MatchingRuleAssertion)

    /// Decodes a filter, refusing and/or/not nested deeper than `maxDepth`.
    public init(berEncoded node: BERNode, maxDepth: Int) throws(BERError) {
        self = try Filter(berEncoded: node, remainingDepth: maxDepth, maxDepth: maxDepth)
    }

    /// How the reason of a filter too deep begins (a BER nesting error inside a filter keeps its
    /// own reason, so the two limits can be told apart).
    public static let tooDeepReason = "filter nested deeper than"

    private init(berEncoded node: BERNode, remainingDepth: Int, maxDepth: Int) throws(BERError) {
        let id = node.identifier
        guard id.tagClass == .contextSpecific else {
            throw BERError(.unexpectedTag, "filter choice \(id) is not context-specific")
        }
        func avaComponents() throws(BERError) -> AttributeValueAssertion {
            var r = try node.children()
            let ava = try AttributeValueAssertion(components: &r)
            try r.finish()
            return ava
        }
        let tooDeep = BERError(.tooDeep, "\(Self.tooDeepReason) \(maxDepth) levels of and/or/not")
        switch (id.number, id.constructed) {
        case (0, true), (1, true):
            guard remainingDepth > 0 else { throw tooDeep }
            var r = try node.children()
            var items: [Filter] = []
            while let child = try r.next() {
                items.append(try Filter(berEncoded: child, remainingDepth: remainingDepth - 1, maxDepth: maxDepth))
            }
            self = id.number == 0 ? .and(items) : .or(items)
        case (2, true):
            guard remainingDepth > 0 else { throw tooDeep }
            var r = try node.children()
            let inner = try Filter(berEncoded: try r.read(), remainingDepth: remainingDepth - 1, maxDepth: maxDepth)
            try r.finish()
            self = .not(inner)
        case (3, true): self = .equalityMatch(try avaComponents())
        case (4, true): self = .substrings(try SubstringFilter(berEncoded: node))
        case (5, true): self = .greaterOrEqual(try avaComponents())
        case (6, true): self = .lessOrEqual(try avaComponents())
        case (7, false): self = .present(try BER.decodeUTF8(node.content))
        case (8, true): self = .approxMatch(try avaComponents())
        case (9, true): self = .extensibleMatch(try MatchingRuleAssertion(berEncoded: node))
        default:
            throw BERError(.unexpectedTag, "unknown filter choice \(id)")
        }
    }

    /// Writes the filter.
    public func encode(into s: inout BERSerializer) {
        func ava(_ n: UInt32, _ a: AttributeValueAssertion) {
            s.appendConstructed(.context(n, constructed: true)) { s in a.encodeComponents(into: &s) }
        }
        switch self {
        case .and(let items):
            s.appendConstructed(.context(0, constructed: true)) { s in for f in items { f.encode(into: &s) } }
        case .or(let items):
            s.appendConstructed(.context(1, constructed: true)) { s in for f in items { f.encode(into: &s) } }
        case .not(let inner):
            s.appendConstructed(.context(2, constructed: true)) { s in inner.encode(into: &s) }
        case .equalityMatch(let a): ava(3, a)
        case .substrings(let f): f.encode(into: &s)
        case .greaterOrEqual(let a): ava(5, a)
        case .lessOrEqual(let a): ava(6, a)
        case .present(let attr): s.append(string: attr, .context(7, constructed: false))
        case .approxMatch(let a): ava(8, a)
        case .extensibleMatch(let m): m.encode(into: &s)
        }
    }
}

/// A substring assertion (RFC 4511 §4.5.1.7.2).
///
/// ```
/// SubstringFilter ::= SEQUENCE {
///      type           AttributeDescription,
///      substrings     SEQUENCE SIZE (1..MAX) OF substring CHOICE {
///           initial [0] AssertionValue,  -- can occur at most once
///           any     [1] AssertionValue,
///           final   [2] AssertionValue } -- can occur at most once
///      }
/// ```
public struct SubstringFilter: Sendable, Hashable {
    public var attribute: String
    public var initial: [UInt8]?
    public var any: [[UInt8]]
    public var final: [UInt8]?

    /// - Parameters:
    ///   - attribute: the attribute description.
    ///   - initial: the leading part, if any.
    ///   - any: the middle parts, in order.
    ///   - final: the trailing part, if any.
    public init(_ attribute: String, initial: [UInt8]? = nil, any: [[UInt8]] = [], final: [UInt8]? = nil) {
        self.attribute = attribute
        self.initial = initial
        self.any = any
        self.final = final
    }

    /// Decodes the `[4]` element; initial must come first and final last, each at most once.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        attribute = try r.readLDAPString()
        var parts = try r.readConstructed(.sequence)
        try r.finish()
        initial = nil
        any = []
        final = nil
        var count = 0
        while let part = try parts.next() {
            let id = part.identifier
            guard id.tagClass == .contextSpecific else { throw BERError(.unexpectedTag, "substring choice \(id)") }
            let value = Array(try part.primitiveContent())
            guard final == nil else { throw BERError(.invalidPrimitive, "substring after final") }
            switch id.number {
            case 0:
                guard count == 0 else { throw BERError(.invalidPrimitive, "initial substring is not first") }
                initial = value
            case 1: any.append(value)
            case 2: final = value
            default: throw BERError(.unexpectedTag, "substring choice \(id)")
            }
            count += 1
        }
        guard count > 0 else { throw BERError(.invalidPrimitive, "substring filter with no substrings") }
    }

    /// Writes the `[4]` element.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(.context(4, constructed: true)) { s in
            s.append(string: attribute)
            s.appendConstructed(.sequence) { s in
                if let initial { s.append(octetString: initial, .context(0, constructed: false)) }
                for a in any { s.append(octetString: a, .context(1, constructed: false)) }
                if let final { s.append(octetString: final, .context(2, constructed: false)) }
            }
        }
    }
}

/// An extensible match assertion (RFC 4511 §4.5.1.7.7).
///
/// ```
/// MatchingRuleAssertion ::= SEQUENCE {
///      matchingRule    [1] MatchingRuleId OPTIONAL,
///      type            [2] AttributeDescription OPTIONAL,
///      matchValue      [3] AssertionValue,
///      dnAttributes    [4] BOOLEAN DEFAULT FALSE }
/// ```
public struct MatchingRuleAssertion: Sendable, Hashable {
    public var matchingRule: String?
    public var attribute: String?
    public var value: [UInt8]
    public var dnAttributes: Bool

    /// - Parameters:
    ///   - matchingRule: the rule's OID or name.
    ///   - attribute: the attribute description.
    ///   - value: the assertion value.
    ///   - dnAttributes: whether the DN's attributes take part.
    public init(matchingRule: String? = nil, attribute: String? = nil, value: [UInt8], dnAttributes: Bool = false) {
        self.matchingRule = matchingRule
        self.attribute = attribute
        self.value = value
        self.dnAttributes = dnAttributes
    }

    /// Decodes the `[9]` element. One of matchingRule and type must be present.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        matchingRule = try r.readIfPresent(.context(1, constructed: false)).map { n throws(BERError) in
            try BER.decodeUTF8(n.content)
        }
        attribute = try r.readIfPresent(.context(2, constructed: false)).map { n throws(BERError) in
            try BER.decodeUTF8(n.content)
        }
        value = Array(try r.readOctetString(.context(3, constructed: false)))
        dnAttributes = try r.readIfPresent(.context(4, constructed: false)).map { n throws(BERError) in
            try BER.decodeBoolean(n.content)
        } ?? false
        try r.finish()
        guard matchingRule != nil || attribute != nil else {
            throw BERError(.invalidPrimitive, "extensible match needs a matching rule or a type")
        }
    }

    /// Writes the `[9]` element.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(.context(9, constructed: true)) { s in
            if let matchingRule { s.append(string: matchingRule, .context(1, constructed: false)) }
            if let attribute { s.append(string: attribute, .context(2, constructed: false)) }
            s.append(octetString: value, .context(3, constructed: false))
            if dnAttributes { s.append(boolean: true, .context(4, constructed: false)) }
        }
    }
}
