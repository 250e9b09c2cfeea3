import BER
import LDAPProtocol

/// One example of every PDU, with controls on some, used by round-trip and truncation tests.
enum Fixtures {
    static let filter: Filter = .and([
        .or([
            .substrings(SubstringFilter("cn", initial: Array("zh".utf8), any: [Array("an".utf8)], final: Array("g".utf8))),
            .substrings(SubstringFilter("mail", any: [Array("zhang".utf8)])),
            .equalityMatch(AttributeValueAssertion("uid", Array("t2001".utf8))),
        ]),
        .not(.present("rosterHidden")),
        .greaterOrEqual(AttributeValueAssertion("rosterSortOrder", Array("2".utf8))),
        .lessOrEqual(AttributeValueAssertion("createTimestamp", Array("20261231000000Z".utf8))),
        .approxMatch(AttributeValueAssertion("sn", Array("张".utf8))),
        .extensibleMatch(
            MatchingRuleAssertion(
                matchingRule: "1.2.840.113556.1.4.1941", attribute: "memberOf", value: Array("ou=x,dc=example,dc=com".utf8),
                dnAttributes: true)),
        .and([]),
        .or([]),
    ])

    static let result = LDAPResult(
        .noSuchObject, matchedDN: "dc=example,dc=com", diagnosticMessage: "no such entry",
        referral: ["ldap://other.example.com/dc=example,dc=com"])

    static let messages: [LDAPMessage] = [
        LDAPMessage(messageID: 1, .bindRequest(BindRequest(name: "cn=admin,dc=example,dc=com", authentication: .simple(Array("secret".utf8))))),
        LDAPMessage(messageID: 2, .bindRequest(BindRequest(name: "", authentication: .sasl(mechanism: "EXTERNAL", credentials: nil)))),
        LDAPMessage(messageID: 3, .bindRequest(BindRequest(name: "", authentication: .sasl(mechanism: "PLAIN", credentials: [0, 1, 2])))),
        LDAPMessage(messageID: 4, .bindResponse(BindResponse(LDAPResult(.success)))),
        LDAPMessage(messageID: 5, .bindResponse(BindResponse(result, serverSaslCredentials: [9, 9]))),
        LDAPMessage(messageID: 6, .unbindRequest),
        LDAPMessage(
            messageID: 7,
            .searchRequest(
                SearchRequest(
                    baseObject: "dc=example,dc=com", scope: .wholeSubtree, derefAliases: .always, sizeLimit: 100,
                    timeLimit: 30, typesOnly: true, filter: filter, attributes: ["cn", "mail", "+", "1.1"])),
            controls: [
                Control(oid: "1.2.840.113556.1.4.319", criticality: true, value: [0x30, 0x05, 0x02, 0x01, 0x0A, 0x04, 0x00]),
                Control(oid: "1.3.6.1.4.1.42.2.27.8.5.1"),
            ]),
        LDAPMessage(
            messageID: 8,
            .searchResultEntry(
                SearchResultEntry(
                    objectName: "uid=t2001,ou=语文组,dc=example,dc=com",
                    attributes: [PartialAttribute("cn", strings: ["张三"]), PartialAttribute("objectClass", strings: ["top", "person"]), PartialAttribute("empty", [])]))),
        LDAPMessage(messageID: 9, .searchResultDone(LDAPResult(.sizeLimitExceeded))),
        LDAPMessage(messageID: 10, .searchResultReference(SearchResultReference(["ldap://a/", "ldap://b/"]))),
        LDAPMessage(
            messageID: 11,
            .modifyRequest(
                ModifyRequest(
                    object: "uid=t2001,dc=example,dc=com",
                    changes: [
                        .init(.add, PartialAttribute("telephoneNumber", strings: ["010-1234"])),
                        .init(.delete, PartialAttribute("description", [])),
                        .init(.replace, PartialAttribute("title", strings: ["教师"])),
                        .init(.increment, PartialAttribute("rosterSortOrder", strings: ["1"])),
                    ]))),
        LDAPMessage(messageID: 12, .modifyResponse(LDAPResult(.success))),
        LDAPMessage(
            messageID: 13,
            .addRequest(
                AddRequest(
                    entry: "uid=new,ou=x,dc=example,dc=com",
                    attributes: [PartialAttribute("objectClass", strings: ["inetOrgPerson"]), PartialAttribute("cn", strings: ["新人"])]))),
        LDAPMessage(messageID: 14, .addResponse(result)),
        LDAPMessage(messageID: 15, .deleteRequest("uid=old,dc=example,dc=com")),
        LDAPMessage(messageID: 16, .deleteResponse(LDAPResult(.notAllowedOnNonLeaf, diagnosticMessage: "has children"))),
        LDAPMessage(messageID: 17, .modifyDNRequest(ModifyDNRequest(entry: "uid=a,ou=x,dc=example,dc=com", newRDN: "uid=a", deleteOldRDN: true, newSuperior: "ou=y,dc=example,dc=com"))),
        LDAPMessage(messageID: 18, .modifyDNRequest(ModifyDNRequest(entry: "ou=x,dc=example,dc=com", newRDN: "ou=z", deleteOldRDN: false))),
        LDAPMessage(messageID: 19, .modifyDNResponse(LDAPResult(.success))),
        LDAPMessage(messageID: 20, .compareRequest(CompareRequest(entry: "uid=a,dc=example,dc=com", assertion: AttributeValueAssertion("mail", Array("a@b.c".utf8))))),
        LDAPMessage(messageID: 21, .compareResponse(LDAPResult(.compareTrue))),
        LDAPMessage(messageID: 22, .abandonRequest(7)),
        LDAPMessage(messageID: 23, .extendedRequest(ExtendedRequest(name: ExtendedRequest.whoAmI))),
        LDAPMessage(messageID: 24, .extendedRequest(ExtendedRequest(name: ExtendedRequest.passwordModify, value: [0x30, 0x00]))),
        LDAPMessage(messageID: 25, .extendedResponse(ExtendedResponse(LDAPResult(.success), name: "1.2.3", value: Array("dn:x".utf8)))),
        LDAPMessage(messageID: 26, .extendedResponse(ExtendedResponse(LDAPResult(.success), value: []))),
        LDAPMessage(messageID: 27, .intermediateResponse(IntermediateResponse(name: "1.3.6.1.4.1.4203.1.9.1.4", value: [1, 2]))),
        LDAPMessage(messageID: 28, .intermediateResponse(IntermediateResponse())),
        LDAPMessage(messageID: Int32.max, .searchResultDone(LDAPResult(.success))),
        LDAPMessage.noticeOfDisconnection(.protocolError, "bye"),
    ]
}
