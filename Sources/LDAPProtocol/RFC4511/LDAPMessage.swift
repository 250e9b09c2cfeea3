public import BER

/// The envelope of every LDAP PDU (RFC 4511 §4.1.1).
///
/// ```
/// LDAPMessage ::= SEQUENCE {
///      messageID       MessageID,
///      protocolOp      CHOICE {
///           bindRequest           BindRequest,
///           bindResponse          BindResponse,
///           unbindRequest         UnbindRequest,
///           searchRequest         SearchRequest,
///           searchResEntry        SearchResultEntry,
///           searchResDone         SearchResultDone,
///           searchResRef          SearchResultReference,
///           modifyRequest         ModifyRequest,
///           modifyResponse        ModifyResponse,
///           addRequest            AddRequest,
///           addResponse           AddResponse,
///           delRequest            DelRequest,
///           delResponse           DelResponse,
///           modDNRequest          ModifyDNRequest,
///           modDNResponse         ModifyDNResponse,
///           compareRequest        CompareRequest,
///           compareResponse       CompareResponse,
///           abandonRequest        AbandonRequest,
///           extendedReq           ExtendedRequest,
///           extendedResp          ExtendedResponse,
///           ...,
///           intermediateResponse  IntermediateResponse },
///      controls       [0] Controls OPTIONAL }
/// MessageID ::= INTEGER (0 ..  maxInt)
/// UnbindRequest ::= [APPLICATION 2] NULL
/// DelRequest ::= [APPLICATION 10] LDAPDN
/// AbandonRequest ::= [APPLICATION 16] MessageID
/// ```
public struct LDAPMessage: Sendable, Hashable {
    /// The operation carried by a message.
    public enum ProtocolOp: Sendable, Hashable {
        case bindRequest(BindRequest)
        case bindResponse(BindResponse)
        case unbindRequest
        case searchRequest(SearchRequest)
        case searchResultEntry(SearchResultEntry)
        case searchResultDone(LDAPResult)
        case searchResultReference(SearchResultReference)
        case modifyRequest(ModifyRequest)
        case modifyResponse(LDAPResult)
        case addRequest(AddRequest)
        case addResponse(LDAPResult)
        case deleteRequest(String)
        case deleteResponse(LDAPResult)
        case modifyDNRequest(ModifyDNRequest)
        case modifyDNResponse(LDAPResult)
        case compareRequest(CompareRequest)
        case compareResponse(LDAPResult)
        case abandonRequest(Int32)
        case extendedRequest(ExtendedRequest)
        case extendedResponse(ExtendedResponse)
        case intermediateResponse(IntermediateResponse)
    }

    public var messageID: Int32
    public var protocolOp: ProtocolOp
    public var controls: [Control]

    /// - Parameters:
    ///   - messageID: 0 for unsolicited notifications, otherwise the request's ID.
    ///   - protocolOp: the operation.
    ///   - controls: controls attached to the message.
    public init(messageID: Int32, _ protocolOp: ProtocolOp, controls: [Control] = []) {
        self.messageID = messageID
        self.protocolOp = protocolOp
        self.controls = controls
    }

    /// Decodes one whole PDU; the bytes must hold exactly one LDAPMessage.
    /// - Parameters:
    ///   - bytes: the PDU.
    ///   - limits: PDU size, BER depth and filter depth bounds.
    /// - Throws: ``BERError`` for anything that is not a well-formed LDAPMessage.
    public init(berEncoded bytes: ArraySlice<UInt8>, limits: ProtocolLimits = ProtocolLimits()) throws(BERError) {
        var top = BERReader(bytes, limits: limits.ber)
        let envelope = try top.read(.sequence)
        try top.finish()
        try self.init(envelope: envelope, limits: limits)
    }

    /// Decodes the message from its outer SEQUENCE element.
    public init(envelope: BERNode, limits: ProtocolLimits = ProtocolLimits()) throws(BERError) {
        guard envelope.identifier == .sequence else {
            throw BERError(.unexpectedTag, "LDAPMessage must be a SEQUENCE, found \(envelope.identifier)")
        }
        var r = try envelope.children()
        messageID = try r.readMessageID()
        let op = try r.read()
        protocolOp = try Self.decodeOp(op, limits: limits)
        if let controlsNode = try r.readIfPresent(.context(0, constructed: true)) {
            var list = try controlsNode.children()
            var controls: [Control] = []
            while let c = try list.next() { controls.append(try Control(berEncoded: c)) }
            self.controls = controls
        } else {
            controls = []
        }
        try r.finish()
    }

    private static func decodeOp(_ node: BERNode, limits: ProtocolLimits) throws(BERError) -> ProtocolOp {
        let id = node.identifier
        guard id.tagClass == .application else {
            throw BERError(.unexpectedTag, "protocolOp \(id) is not an application tag")
        }
        func result() throws(BERError) -> LDAPResult {
            guard id.constructed else { throw BERError(.unexpectedTag, "\(id) must be constructed") }
            var r = try node.children()
            let result = try LDAPResult(components: &r)
            try r.finish()
            return result
        }
        func constructed() throws(BERError) {
            guard id.constructed else { throw BERError(.unexpectedTag, "\(id) must be constructed") }
        }
        switch id.number {
        case 0: try constructed(); return .bindRequest(try BindRequest(berEncoded: node))
        case 1: try constructed(); return .bindResponse(try BindResponse(berEncoded: node))
        case 2:
            guard !id.constructed, node.content.isEmpty else {
                throw BERError(.invalidPrimitive, "UnbindRequest must be an empty primitive NULL")
            }
            return .unbindRequest
        case 3:
            try constructed()
            return .searchRequest(try SearchRequest(berEncoded: node, maxFilterDepth: limits.maxFilterDepth))
        case 4: try constructed(); return .searchResultEntry(try SearchResultEntry(berEncoded: node))
        case 5: return .searchResultDone(try result())
        case 6: try constructed(); return .modifyRequest(try ModifyRequest(berEncoded: node))
        case 7: return .modifyResponse(try result())
        case 8: try constructed(); return .addRequest(try AddRequest(berEncoded: node))
        case 9: return .addResponse(try result())
        case 10: return .deleteRequest(BER.decodeLDAPDN(try node.primitiveContent()))
        case 11: return .deleteResponse(try result())
        case 12: try constructed(); return .modifyDNRequest(try ModifyDNRequest(berEncoded: node))
        case 13: return .modifyDNResponse(try result())
        case 14: try constructed(); return .compareRequest(try CompareRequest(berEncoded: node))
        case 15: return .compareResponse(try result())
        case 16:
            guard !id.constructed else { throw BERError(.unexpectedTag, "AbandonRequest must be primitive") }
            let target = try BER.decodeInteger(node.content, as: Int32.self)
            guard target >= 0 else { throw BERError(.integerOutOfRange, "abandon of negative message ID") }
            return .abandonRequest(target)
        case 19: try constructed(); return .searchResultReference(try SearchResultReference(berEncoded: node))
        case 23: try constructed(); return .extendedRequest(try ExtendedRequest(berEncoded: node))
        case 24: try constructed(); return .extendedResponse(try ExtendedResponse(berEncoded: node))
        case 25: try constructed(); return .intermediateResponse(try IntermediateResponse(berEncoded: node))
        default:
            throw BERError(.unexpectedTag, "unknown protocolOp [APPLICATION \(id.number)]")
        }
    }

    /// Writes the message.
    public func encode(into s: inout BERSerializer) {
        s.appendConstructed(.sequence) { s in
            s.append(integer: messageID)
            switch protocolOp {
            case .bindRequest(let r): r.encode(into: &s)
            case .bindResponse(let r): r.encode(into: &s)
            case .unbindRequest: s.appendNull(.application(2, constructed: false))
            case .searchRequest(let r): r.encode(into: &s)
            case .searchResultEntry(let r): r.encode(into: &s)
            case .searchResultDone(let r): Self.encode(r, 5, into: &s)
            case .searchResultReference(let r): r.encode(into: &s)
            case .modifyRequest(let r): r.encode(into: &s)
            case .modifyResponse(let r): Self.encode(r, 7, into: &s)
            case .addRequest(let r): r.encode(into: &s)
            case .addResponse(let r): Self.encode(r, 9, into: &s)
            case .deleteRequest(let dn): s.append(string: dn, .application(10, constructed: false))
            case .deleteResponse(let r): Self.encode(r, 11, into: &s)
            case .modifyDNRequest(let r): r.encode(into: &s)
            case .modifyDNResponse(let r): Self.encode(r, 13, into: &s)
            case .compareRequest(let r): r.encode(into: &s)
            case .compareResponse(let r): Self.encode(r, 15, into: &s)
            case .abandonRequest(let id): s.append(integer: id, .application(16, constructed: false))
            case .extendedRequest(let r): r.encode(into: &s)
            case .extendedResponse(let r): r.encode(into: &s)
            case .intermediateResponse(let r): r.encode(into: &s)
            }
            if !controls.isEmpty {
                s.appendConstructed(.context(0, constructed: true)) { s in
                    for c in controls { c.encode(into: &s) }
                }
            }
        }
    }

    private static func encode(_ result: LDAPResult, _ tag: UInt32, into s: inout BERSerializer) {
        s.appendConstructed(.application(tag, constructed: true)) { s in result.encodeComponents(into: &s) }
    }

    /// The message's encoding.
    public var berEncoded: [UInt8] {
        var s = BERSerializer()
        encode(into: &s)
        return s.bytes
    }

    /// The Notice of Disconnection (RFC 4511 §4.4.1) sent before closing a connection.
    public static func noticeOfDisconnection(_ code: ResultCode, _ message: String) -> LDAPMessage {
        LDAPMessage(
            messageID: 0,
            .extendedResponse(
                ExtendedResponse(
                    LDAPResult(code, diagnosticMessage: message), name: ExtendedResponse.noticeOfDisconnection)))
    }
}
