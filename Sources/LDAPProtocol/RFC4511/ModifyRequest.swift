public import BER

/// A modify request (RFC 4511 §4.6; `increment` is RFC 4525).
///
/// ```
/// ModifyRequest ::= [APPLICATION 6] SEQUENCE {
///      object          LDAPDN,
///      changes         SEQUENCE OF change SEQUENCE {
///           operation       ENUMERATED {
///                add     (0),
///                delete  (1),
///                replace (2),
///                ...  },
///           modification    PartialAttribute } }
/// ```
public struct ModifyRequest: Sendable, Hashable {
    /// One change.
    public struct Change: Sendable, Hashable {
        /// What the change does to the attribute.
        public enum Operation: Int32, Sendable, Hashable {
            case add = 0
            case delete = 1
            case replace = 2
            case increment = 3
        }

        public var operation: Operation
        public var modification: PartialAttribute

        /// - Parameters:
        ///   - operation: add, delete, replace or increment.
        ///   - modification: the attribute and values.
        public init(_ operation: Operation, _ modification: PartialAttribute) {
            self.operation = operation
            self.modification = modification
        }
    }

    public static let tag = BERIdentifier.application(6, constructed: true)

    public var object: String
    public var changes: [Change]

    /// - Parameters:
    ///   - object: the DN of the entry to change.
    ///   - changes: the changes, applied in order, all or nothing.
    public init(object: String, changes: [Change]) {
        self.object = object
        self.changes = changes
    }

    /// Decodes the request.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        object = try r.readLDAPDN()
        var list = try r.readConstructed(.sequence)
        var changes: [Change] = []
        while let item = try list.next() {
            guard item.identifier == .sequence else { throw BERError(.unexpectedTag, "change must be a SEQUENCE") }
            var c = try item.children()
            let op = try c.readInteger(.enumerated, as: Int32.self)
            guard let operation = Change.Operation(rawValue: op) else {
                throw BERError(.integerOutOfRange, "modify operation \(op)")
            }
            let attribute = try PartialAttribute(berEncoded: try c.read())
            try c.finish()
            changes.append(Change(operation, attribute))
        }
        self.changes = changes
        try r.finish()
    }

    /// Writes the request.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            s.append(string: object)
            s.appendConstructed(.sequence) { s in
                for change in changes {
                    s.appendConstructed(.sequence) { s in
                        s.append(integer: change.operation.rawValue, .enumerated)
                        change.modification.encode(into: &s)
                    }
                }
            }
        }
    }
}
