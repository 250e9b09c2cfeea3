public import BER

/// A request or response control (RFC 4511 §4.1.11).
///
/// ```
/// Controls ::= SEQUENCE OF control Control
/// Control ::= SEQUENCE {
///      controlType             LDAPOID,
///      criticality             BOOLEAN DEFAULT FALSE,
///      controlValue            OCTET STRING OPTIONAL }
/// ```
public struct Control: Sendable, Hashable {
    public var oid: String
    public var criticality: Bool
    public var value: [UInt8]?

    /// - Parameters:
    ///   - oid: the control type.
    ///   - criticality: whether the server must refuse the operation if it cannot honour the control.
    ///   - value: the control's own encoding.
    public init(oid: String, criticality: Bool = false, value: [UInt8]? = nil) {
        self.oid = oid
        self.criticality = criticality
        self.value = value
    }

    /// Decodes one Control.
    public init(berEncoded node: BERNode) throws(BERError) {
        guard node.identifier == .sequence else { throw BERError(.unexpectedTag, "Control must be a SEQUENCE") }
        var r = try node.children()
        oid = try r.readLDAPString()
        criticality = try r.readIfPresent(.boolean).map { n throws(BERError) in try BER.decodeBoolean(n.content) } ?? false
        value = try r.readIfPresent(.octetString).map { n throws(BERError) in Array(try n.primitiveContent()) }
        try r.finish()
    }

    /// Writes the Control.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(.sequence) { s in
            s.append(string: oid)
            if criticality { s.append(boolean: true) }
            if let value { s.append(octetString: value) }
        }
    }
}
