public import BER

/// A search request (RFC 4511 §4.5.1).
///
/// ```
/// SearchRequest ::= [APPLICATION 3] SEQUENCE {
///      baseObject      LDAPDN,
///      scope           ENUMERATED {
///           baseObject              (0),
///           singleLevel             (1),
///           wholeSubtree            (2),
///           ...  },
///      derefAliases    ENUMERATED {
///           neverDerefAliases       (0),
///           derefInSearching        (1),
///           derefFindingBaseObj     (2),
///           derefAlways             (3) },
///      sizeLimit       INTEGER (0 ..  maxInt),
///      timeLimit       INTEGER (0 ..  maxInt),
///      typesOnly       BOOLEAN,
///      filter          Filter,
///      attributes      AttributeSelection }
/// AttributeSelection ::= SEQUENCE OF selector LDAPString
/// ```
public struct SearchRequest: Sendable, Hashable {
    /// The search scope; `subordinates` (3) is draft-sermersheim-ldap-subordinate-scope.
    public enum Scope: Int32, Sendable, Hashable {
        case baseObject = 0
        case singleLevel = 1
        case wholeSubtree = 2
        case subordinates = 3
    }

    /// Alias dereferencing (Roster has no aliases, so every value behaves as `never`).
    public enum DerefAliases: Int32, Sendable, Hashable {
        case never = 0
        case inSearching = 1
        case findingBaseObject = 2
        case always = 3
    }

    public static let tag = BERIdentifier.application(3, constructed: true)

    public var baseObject: String
    public var scope: Scope
    public var derefAliases: DerefAliases
    public var sizeLimit: Int32
    public var timeLimit: Int32
    public var typesOnly: Bool
    public var filter: Filter
    public var attributes: [String]

    /// - Parameters: the fields of the request, in RFC order.
    public init(
        baseObject: String, scope: Scope, derefAliases: DerefAliases = .never, sizeLimit: Int32 = 0,
        timeLimit: Int32 = 0, typesOnly: Bool = false, filter: Filter, attributes: [String] = []
    ) {
        self.baseObject = baseObject
        self.scope = scope
        self.derefAliases = derefAliases
        self.sizeLimit = sizeLimit
        self.timeLimit = timeLimit
        self.typesOnly = typesOnly
        self.filter = filter
        self.attributes = attributes
    }

    /// Decodes the request.
    /// - Parameter maxFilterDepth: deepest and/or/not nesting accepted.
    public init(berEncoded node: BERNode, maxFilterDepth: Int) throws(BERError) {
        var r = try node.children()
        baseObject = try r.readLDAPDN()
        let scopeValue = try r.readInteger(.enumerated, as: Int32.self)
        guard let scope = Scope(rawValue: scopeValue) else {
            throw BERError(.integerOutOfRange, "search scope \(scopeValue)")
        }
        self.scope = scope
        let deref = try r.readInteger(.enumerated, as: Int32.self)
        guard let derefAliases = DerefAliases(rawValue: deref) else {
            throw BERError(.integerOutOfRange, "derefAliases \(deref)")
        }
        self.derefAliases = derefAliases
        sizeLimit = try r.readInteger(as: Int32.self)
        timeLimit = try r.readInteger(as: Int32.self)
        guard sizeLimit >= 0, timeLimit >= 0 else { throw BERError(.integerOutOfRange, "negative size or time limit") }
        typesOnly = try r.readBoolean()
        filter = try Filter(berEncoded: try r.read(), maxDepth: maxFilterDepth)
        var list = try r.readConstructed(.sequence)
        var attributes: [String] = []
        while !list.isAtEnd { attributes.append(try list.readLDAPString()) }
        self.attributes = attributes
        try r.finish()
    }

    /// Writes the request.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: baseObject)
            s.append(integer: scope.rawValue, .enumerated)
            s.append(integer: derefAliases.rawValue, .enumerated)
            s.append(integer: sizeLimit)
            s.append(integer: timeLimit)
            s.append(boolean: typesOnly)
            filter.encode(into: &s)
            s.appendConstructed(.sequence) { s in for a in attributes { s.append(string: a) } }
        }
    }
}
