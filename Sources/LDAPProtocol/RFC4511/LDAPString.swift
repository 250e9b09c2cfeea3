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

    /// Reads a MessageID (RFC 4511 §4.1.1): `INTEGER (0 .. maxInt)`.
    @inlinable
    public mutating func readMessageID(_ identifier: BERIdentifier = .integer) throws(BERError) -> Int32 {
        let value = try readInteger(identifier, as: Int32.self)
        guard value >= 0 else { throw BERError(.integerOutOfRange, "message ID \(value) is negative") }
        return value
    }
}

extension BER {
    /// Decodes UTF-8 content into a String, rejecting invalid sequences.
    @inlinable
    public static func decodeUTF8(_ bytes: ArraySlice<UInt8>) throws(BERError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw BERError(.invalidPrimitive, "LDAPString is not valid UTF-8")
        }
        return s
    }
}
