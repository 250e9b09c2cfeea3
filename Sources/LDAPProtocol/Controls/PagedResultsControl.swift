public import BER

/// The simple paged results control (RFC 2696), request and response.
///
/// ```
/// pagedResultsControl ::= SEQUENCE {
///         controlType     1.2.840.113556.1.4.319,
///         criticality     BOOLEAN DEFAULT FALSE,
///         controlValue    searchControlValue }
/// realSearchControlValue ::= SEQUENCE {
///         size            INTEGER (0..maxInt),
///                                 -- requested page size from client
///                                 -- result set size estimate from server
///         cookie          OCTET STRING }
/// ```
public struct PagedResultsControl: Sendable, Hashable {
    public static let oid = "1.2.840.113556.1.4.319"

    public var size: Int32
    public var cookie: [UInt8]

    /// - Parameters:
    ///   - size: page size (request) or result set size estimate (response).
    ///   - cookie: empty on the first request and on the last response.
    public init(size: Int32, cookie: [UInt8]) {
        self.size = size
        self.cookie = cookie
    }

    /// Decodes the control value.
    public init(controlValue: [UInt8]) throws(BERError) {
        var top = BERReader(controlValue[...])
        var r = try top.readConstructed(.sequence)
        try top.finish()
        size = try r.readInteger(as: Int32.self)
        guard size >= 0 else { throw BERError(.integerOutOfRange, "negative page size") }
        cookie = Array(try r.readOctetString())
        try r.finish()
    }

    /// The control value's encoding.
    public var controlValue: [UInt8] {
        var s = BERSerializer(capacity: 16 + cookie.count)
        s.appendConstructed(.sequence) { s in
            s.append(integer: size)
            s.append(octetString: cookie)
        }
        return s.bytes
    }

    /// As a control to attach to a message.
    public func control(criticality: Bool = false) -> Control {
        Control(oid: Self.oid, criticality: criticality, value: controlValue)
    }
}

/// The server-side sort request control (RFC 2891 §1.1).
///
/// ```
/// SortKeyList ::= SEQUENCE OF SEQUENCE {
///            attributeType   AttributeDescription,
///            orderingRule    [0] MatchingRuleId OPTIONAL,
///            reverseOrder    [1] BOOLEAN DEFAULT FALSE }
/// ```
public struct SortRequestControl: Sendable, Hashable {
    public static let oid = "1.2.840.113556.1.4.473"

    /// One sort key.
    public struct Key: Sendable, Hashable {
        public var attribute: String
        public var orderingRule: String?
        public var reverse: Bool

        public init(_ attribute: String, orderingRule: String? = nil, reverse: Bool = false) {
            self.attribute = attribute
            self.orderingRule = orderingRule
            self.reverse = reverse
        }
    }

    public var keys: [Key]

    /// - Parameter keys: the sort keys, most significant first.
    public init(keys: [Key]) { self.keys = keys }

    /// Decodes the control value; at least one key is required.
    public init(controlValue: [UInt8]) throws(BERError) {
        var top = BERReader(controlValue[...])
        var list = try top.readConstructed(.sequence)
        try top.finish()
        var keys: [Key] = []
        while let item = try list.next() {
            guard item.identifier == .sequence else { throw BERError(.unexpectedTag, "sort key must be a SEQUENCE") }
            var r = try item.children()
            let attribute = try r.readLDAPString()
            let rule = try r.readIfPresent(.context(0, constructed: false)).map { n throws(BERError) in try BER.decodeUTF8(n.content) }
            let reverse = try r.readIfPresent(.context(1, constructed: false)).map { n throws(BERError) in try BER.decodeBoolean(n.content) } ?? false
            try r.finish()
            keys.append(Key(attribute, orderingRule: rule, reverse: reverse))
        }
        guard !keys.isEmpty else { throw BERError(.invalidPrimitive, "a sort control needs at least one key") }
        self.keys = keys
    }

    /// The control value's encoding.
    public var controlValue: [UInt8] {
        var s = BERSerializer()
        s.appendConstructed(.sequence) { s in
            for k in keys {
                s.appendConstructed(.sequence) { s in
                    s.append(string: k.attribute)
                    if let rule = k.orderingRule { s.append(string: rule, .context(0, constructed: false)) }
                    if k.reverse { s.append(boolean: true, .context(1, constructed: false)) }
                }
            }
        }
        return s.bytes
    }
}

/// The server-side sort response control (RFC 2891 §1.2).
///
/// ```
/// SortResult ::= SEQUENCE {
///    sortResult  ENUMERATED { success (0), operationsError (1), timeLimitExceeded (3),
///                 strongAuthRequired (8), adminLimitExceeded (11), noSuchAttribute (16),
///                 inappropriateMatching (18), insufficientAccessRights (50), busy (51),
///                 unwillingToPerform (53), other (80) },
///    attributeType [0] AttributeDescription OPTIONAL }
/// ```
public struct SortResponseControl: Sendable, Hashable {
    public static let oid = "1.2.840.113556.1.4.474"

    public var result: ResultCode
    public var attribute: String?

    public init(result: ResultCode, attribute: String? = nil) {
        self.result = result
        self.attribute = attribute
    }

    /// Decodes the control value.
    public init(controlValue: [UInt8]) throws(BERError) {
        var top = BERReader(controlValue[...])
        var r = try top.readConstructed(.sequence)
        try top.finish()
        result = ResultCode(rawValue: try r.readInteger(.enumerated, as: Int32.self))
        attribute = try r.readIfPresent(.context(0, constructed: false)).map { n throws(BERError) in try BER.decodeUTF8(n.content) }
        try r.finish()
    }

    /// As a control to attach to SearchResultDone.
    public var control: Control {
        var s = BERSerializer()
        s.appendConstructed(.sequence) { s in
            s.append(integer: result.rawValue, .enumerated)
            if let attribute { s.append(string: attribute, .context(0, constructed: false)) }
        }
        return Control(oid: Self.oid, value: s.bytes)
    }
}
