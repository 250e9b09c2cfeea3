public import BER

/// The request value of the Password Modify extended operation (RFC 3062 §2).
///
/// ```
/// PasswdModifyRequestValue ::= SEQUENCE {
///   userIdentity    [0]  OCTET STRING OPTIONAL
///   oldPasswd       [1]  OCTET STRING OPTIONAL
///   newPasswd       [2]  OCTET STRING OPTIONAL }
/// ```
public struct PasswordModifyRequest: Sendable, Hashable {
    /// Whose password: a DN or an `u:`/`dn:` authzId (RFC 4513 §5.2.1.8); nil: the bound user.
    public var userIdentity: [UInt8]?
    public var oldPassword: [UInt8]?
    public var newPassword: [UInt8]?

    /// - Parameters: see the properties.
    public init(userIdentity: [UInt8]? = nil, oldPassword: [UInt8]? = nil, newPassword: [UInt8]? = nil) {
        self.userIdentity = userIdentity
        self.oldPassword = oldPassword
        self.newPassword = newPassword
    }

    /// Decodes the request value (an absent value is an empty request).
    /// - Throws: ``BERError`` for anything but the SEQUENCE above, trailing bytes included.
    public init(requestValue: [UInt8]?) throws(BERError) {
        guard let requestValue else { return }
        var top = BERReader(requestValue[...])
        var r = try top.readConstructed(.sequence)
        try top.finish()
        userIdentity = try r.readIfPresent(.context(0, constructed: false)).map { Array($0.content) }
        oldPassword = try r.readIfPresent(.context(1, constructed: false)).map { Array($0.content) }
        newPassword = try r.readIfPresent(.context(2, constructed: false)).map { Array($0.content) }
        try r.finish()
    }

    /// The encoded request value.
    public var requestValue: [UInt8] {
        var s = BERSerializer()
        s.appendConstructed(.sequence) { s in
            if let userIdentity { s.append(octetString: userIdentity, .context(0, constructed: false)) }
            if let oldPassword { s.append(octetString: oldPassword, .context(1, constructed: false)) }
            if let newPassword { s.append(octetString: newPassword, .context(2, constructed: false)) }
        }
        return s.bytes
    }
}

/// The response value of Password Modify (RFC 3062 §2).
///
/// ```
/// PasswdModifyResponseValue ::= SEQUENCE {
///   genPasswd       [0]     OCTET STRING OPTIONAL }
/// ```
public struct PasswordModifyResponse: Sendable, Hashable {
    /// The password the server generated, when the request gave none.
    public var generatedPassword: [UInt8]?

    /// - Parameter generatedPassword: see the property.
    public init(generatedPassword: [UInt8]?) { self.generatedPassword = generatedPassword }

    /// Decodes the response value.
    public init(responseValue: [UInt8]) throws(BERError) {
        var top = BERReader(responseValue[...])
        var r = try top.readConstructed(.sequence)
        try top.finish()
        generatedPassword = try r.readIfPresent(.context(0, constructed: false)).map { Array($0.content) }
        try r.finish()
    }

    /// The encoded response value.
    public var responseValue: [UInt8] {
        var s = BERSerializer()
        s.appendConstructed(.sequence) { s in
            if let generatedPassword { s.append(octetString: generatedPassword, .context(0, constructed: false)) }
        }
        return s.bytes
    }
}
