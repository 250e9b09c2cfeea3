/// An LDAP result code (RFC 4511 §4.1.9 and Appendix A), with room for codes from other RFCs.
public struct ResultCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let success = ResultCode(rawValue: 0)
    public static let operationsError = ResultCode(rawValue: 1)
    public static let protocolError = ResultCode(rawValue: 2)
    public static let timeLimitExceeded = ResultCode(rawValue: 3)
    public static let sizeLimitExceeded = ResultCode(rawValue: 4)
    public static let compareFalse = ResultCode(rawValue: 5)
    public static let compareTrue = ResultCode(rawValue: 6)
    public static let authMethodNotSupported = ResultCode(rawValue: 7)
    public static let strongerAuthRequired = ResultCode(rawValue: 8)
    public static let referral = ResultCode(rawValue: 10)
    public static let adminLimitExceeded = ResultCode(rawValue: 11)
    public static let unavailableCriticalExtension = ResultCode(rawValue: 12)
    public static let confidentialityRequired = ResultCode(rawValue: 13)
    public static let saslBindInProgress = ResultCode(rawValue: 14)
    public static let noSuchAttribute = ResultCode(rawValue: 16)
    public static let undefinedAttributeType = ResultCode(rawValue: 17)
    public static let inappropriateMatching = ResultCode(rawValue: 18)
    public static let constraintViolation = ResultCode(rawValue: 19)
    public static let attributeOrValueExists = ResultCode(rawValue: 20)
    public static let invalidAttributeSyntax = ResultCode(rawValue: 21)
    public static let noSuchObject = ResultCode(rawValue: 32)
    public static let aliasProblem = ResultCode(rawValue: 33)
    public static let invalidDNSyntax = ResultCode(rawValue: 34)
    public static let aliasDereferencingProblem = ResultCode(rawValue: 36)
    public static let inappropriateAuthentication = ResultCode(rawValue: 48)
    public static let invalidCredentials = ResultCode(rawValue: 49)
    public static let insufficientAccessRights = ResultCode(rawValue: 50)
    public static let busy = ResultCode(rawValue: 51)
    public static let unavailable = ResultCode(rawValue: 52)
    public static let unwillingToPerform = ResultCode(rawValue: 53)
    public static let loopDetect = ResultCode(rawValue: 54)
    public static let namingViolation = ResultCode(rawValue: 64)
    public static let objectClassViolation = ResultCode(rawValue: 65)
    public static let notAllowedOnNonLeaf = ResultCode(rawValue: 66)
    public static let notAllowedOnRDN = ResultCode(rawValue: 67)
    public static let entryAlreadyExists = ResultCode(rawValue: 68)
    public static let objectClassModsProhibited = ResultCode(rawValue: 69)
    public static let affectsMultipleDSAs = ResultCode(rawValue: 71)
    public static let other = ResultCode(rawValue: 80)
    /// RFC 3909 §2 (cancel), also used for abandoned operations by some servers.
    public static let canceled = ResultCode(rawValue: 118)
    public static let noSuchOperation = ResultCode(rawValue: 119)
    public static let tooLate = ResultCode(rawValue: 120)
    public static let cannotCancel = ResultCode(rawValue: 121)
    /// RFC 4528 assertion control.
    public static let assertionFailed = ResultCode(rawValue: 122)

    private static let names: [Int32: String] = [
        0: "success", 1: "operationsError", 2: "protocolError", 3: "timeLimitExceeded", 4: "sizeLimitExceeded",
        5: "compareFalse", 6: "compareTrue", 7: "authMethodNotSupported", 8: "strongerAuthRequired",
        10: "referral", 11: "adminLimitExceeded", 12: "unavailableCriticalExtension",
        13: "confidentialityRequired", 14: "saslBindInProgress", 16: "noSuchAttribute",
        17: "undefinedAttributeType", 18: "inappropriateMatching", 19: "constraintViolation",
        20: "attributeOrValueExists", 21: "invalidAttributeSyntax", 32: "noSuchObject", 33: "aliasProblem",
        34: "invalidDNSyntax", 36: "aliasDereferencingProblem", 48: "inappropriateAuthentication",
        49: "invalidCredentials", 50: "insufficientAccessRights", 51: "busy", 52: "unavailable",
        53: "unwillingToPerform", 54: "loopDetect", 64: "namingViolation", 65: "objectClassViolation",
        66: "notAllowedOnNonLeaf", 67: "notAllowedOnRDN", 68: "entryAlreadyExists",
        69: "objectClassModsProhibited", 71: "affectsMultipleDSAs", 80: "other", 118: "canceled",
        119: "noSuchOperation", 120: "tooLate", 121: "cannotCancel", 122: "assertionFailed",
    ]

    /// The RFC's name for the code, or its number.
    public var description: String { Self.names[rawValue] ?? "resultCode(\(rawValue))" }
}
