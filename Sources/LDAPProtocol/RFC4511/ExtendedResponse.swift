public import BER

/// An extended response (RFC 4511 §4.12), also used for the Notice of Disconnection (§4.4.1).
///
/// ```
/// ExtendedResponse ::= [APPLICATION 24] SEQUENCE {
///      COMPONENTS OF LDAPResult,
///      responseName     [10] LDAPOID OPTIONAL,
///      responseValue    [11] OCTET STRING OPTIONAL }
/// ```
public struct ExtendedResponse: Sendable, Hashable {
    public static let tag = BERIdentifier.application(24, constructed: true)

    /// The Notice of Disconnection's response name (RFC 4511 §4.4.1).
    public static let noticeOfDisconnection = "1.3.6.1.4.1.1466.20036"

    public var result: LDAPResult
    public var name: String?
    public var value: [UInt8]?

    /// - Parameters:
    ///   - result: the outcome.
    ///   - name: the response OID.
    ///   - value: the response value.
    public init(_ result: LDAPResult, name: String? = nil, value: [UInt8]? = nil) {
        self.result = result
        self.name = name
        self.value = value
    }

    /// Decodes the response.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        result = try LDAPResult(components: &r)
        name = try r.readIfPresent(.context(10, constructed: false)).map { n throws(BERError) in
            try BER.decodeUTF8(n.content)
        }
        value = try r.readIfPresent(.context(11, constructed: false)).map { Array($0.content) }
        try r.finish()
    }

    /// Writes the response.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            result.encodeComponents(into: &s)
            if let name { s.append(string: name, .context(10, constructed: false)) }
            if let value { s.append(octetString: value, .context(11, constructed: false)) }
        }
    }
}

/// An intermediate response (RFC 4511 §4.13).
///
/// ```
/// IntermediateResponse ::= [APPLICATION 25] SEQUENCE {
///      responseName     [0] LDAPOID OPTIONAL,
///      responseValue    [1] OCTET STRING OPTIONAL }
/// ```
public struct IntermediateResponse: Sendable, Hashable {
    public static let tag = BERIdentifier.application(25, constructed: true)

    public var name: String?
    public var value: [UInt8]?

    /// - Parameters:
    ///   - name: the response OID.
    ///   - value: the response value.
    public init(name: String? = nil, value: [UInt8]? = nil) {
        self.name = name
        self.value = value
    }

    /// Decodes the response.
    public init(berEncoded node: BERNode) throws(BERError) {
        var r = try node.children()
        name = try r.readIfPresent(.context(0, constructed: false)).map { n throws(BERError) in
            try BER.decodeUTF8(n.content)
        }
        value = try r.readIfPresent(.context(1, constructed: false)).map { Array($0.content) }
        try r.finish()
    }

    /// Writes the response.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(Self.tag) { s in
            if let name { s.append(string: name, .context(0, constructed: false)) }
            if let value { s.append(octetString: value, .context(1, constructed: false)) }
        }
    }
}
