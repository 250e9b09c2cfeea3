public import BER

/// The result carried by every response (RFC 4511 §4.1.9).
///
/// ```
/// LDAPResult ::= SEQUENCE {
///      resultCode         ENUMERATED { ... },
///      matchedDN          LDAPDN,
///      diagnosticMessage  LDAPString,
///      referral           [3] Referral OPTIONAL }
/// Referral ::= SEQUENCE SIZE (1..MAX) OF uri URI
/// ```
public struct LDAPResult: Sendable, Hashable {
    public var resultCode: ResultCode
    public var matchedDN: String
    public var diagnosticMessage: String
    public var referral: [String]?

    /// - Parameters:
    ///   - resultCode: the outcome.
    ///   - matchedDN: for name errors, the deepest existing entry the requester may know of.
    ///   - diagnosticMessage: a human-readable explanation.
    ///   - referral: URIs, for resultCode referral.
    public init(_ resultCode: ResultCode, matchedDN: String = "", diagnosticMessage: String = "", referral: [String]? = nil) {
        self.resultCode = resultCode
        self.matchedDN = matchedDN
        self.diagnosticMessage = diagnosticMessage
        self.referral = referral
    }

    /// Reads the LDAPResult components from the front of `reader` (they are inlined into each
    /// response's SEQUENCE, so the caller reads any trailing fields and finishes).
    public init(components reader: inout BERReader) throws(BERError) {
        let code = try reader.readInteger(.enumerated, as: Int32.self)
        resultCode = ResultCode(rawValue: code)
        matchedDN = try reader.readLDAPString()
        diagnosticMessage = try reader.readLDAPString()
        if let node = try reader.readIfPresent(.context(3, constructed: true)) {
            var uris = try node.children()
            var list: [String] = []
            while !uris.isAtEnd { list.append(try uris.readLDAPString()) }
            guard !list.isEmpty else { throw BERError(.invalidPrimitive, "empty referral") }
            referral = list
        } else {
            referral = nil
        }
    }

    /// Writes the LDAPResult components (without an enclosing SEQUENCE).
    public func encodeComponents(into s: inout BERSerializer) {
        s.append(integer: resultCode.rawValue, .enumerated)
        s.append(string: matchedDN)
        s.append(string: diagnosticMessage)
        if let referral {
            s.appendConstructed(.context(3, constructed: true)) { s in
                for uri in referral { s.append(string: uri) }
            }
        }
    }
}

/// A result can be thrown where an operation stops early with it.
extension LDAPResult: Error {}
