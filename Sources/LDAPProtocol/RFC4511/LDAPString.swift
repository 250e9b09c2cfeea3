public import BER

// MARK: - LDAPString, LDAPDN, LDAPOID and MessageID helpers (RFC 4511 §4.1.1–§4.1.4)

extension BERReader {
    /// Reads an LDAPString (RFC 4511 §4.1.2): an OCTET STRING holding UTF-8.
    /// - Throws: ``BERError/Code/invalidPrimitive`` if the bytes are not UTF-8.
    @inlinable
    public mutating func readLDAPString(_ identifier: BERIdentifier = .octetString) throws(BERError) -> String {
        let bytes = try readOctetString(identifier)
        return try BER.decodeUTF8(bytes)
    }

    /// Reads an LDAPDN or a RelativeLDAPDN (RFC 4511 §4.1.3): an LDAPString that names an entry.
    ///
    /// A name that is not UTF-8 does not make the PDU malformed: the operation answers it with
    /// invalidDNSyntax and the connection stays open. Each invalid sequence becomes U+FFFD, which
    /// ``DistinguishedName/init(parsing:)`` refuses, so such a name never names an entry.
    @inlinable
    public mutating func readLDAPDN(_ identifier: BERIdentifier = .octetString) throws(BERError) -> String {
        BER.decodeLDAPDN(try readOctetString(identifier))
    }

    /// Reads a MessageID (RFC 4511 §4.1.1): `INTEGER (0 .. maxInt)`.
    @inlinable
    public mutating func readMessageID(_ identifier: BERIdentifier = .integer) throws(BERError) -> Int32 {
        let value = try readInteger(identifier, as: Int32.self)
        guard value >= 0 else { throw BERError(.integerOutOfRange, "message ID \(value) is negative") }
        return value
    }
}

extension BER {
    /// Decodes the content of an LDAPDN (RFC 4511 §4.1.3); bytes that are not UTF-8 become U+FFFD
    /// (see ``BERReader/readLDAPDN(_:)``).
    @inlinable
    public static func decodeLDAPDN(_ bytes: ArraySlice<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes UTF-8 content into a String, rejecting invalid sequences.
    @inlinable
    public static func decodeUTF8(_ bytes: ArraySlice<UInt8>) throws(BERError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw BERError(.invalidPrimitive, "LDAPString is not valid UTF-8")
        }
        return s
    }
}
