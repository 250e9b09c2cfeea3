public import LDAPProtocol

/// Every bound the server puts on what a client may send and hold, in one place, with its
/// default, its `roster serve` flag (``Name``) and the answer a client gets when it hits it.
///
/// | limit | default | when hit |
/// |---|---|---|
/// | ``maxPDUSize`` | 4 MiB | Notice of Disconnection (protocolError) |
/// | ``maxPDUSizeBeforeBind`` | 64 KiB | Notice of Disconnection (protocolError) |
/// | ``maxBERDepth`` | 80 | Notice of Disconnection (protocolError) |
/// | ``maxFilterDepth`` | 64 | Notice of Disconnection (protocolError) |
/// | ``maxFilterItems`` | 1 024 | adminLimitExceeded |
/// | ``maxAttributes`` | 1 024 | adminLimitExceeded |
/// | ``maxControls`` | 64 | adminLimitExceeded |
/// | ``maxConnections`` | 4 096 | not accepted: waits in the backlog |
/// | ``maxConnectionsPerAddress`` | 512 | Notice of Disconnection (adminLimitExceeded), closed |
/// | ``maxOutstandingOperations`` | 16 | the server stops reading until one completes |
/// | ``pduTimeoutSeconds`` | 30 s | Notice of Disconnection (adminLimitExceeded), closed |
/// | ``idleTimeoutSeconds`` | 900 s | Notice of Disconnection (adminLimitExceeded), closed |
/// | ``idleTimeoutBeforeBindSeconds`` | 60 s | Notice of Disconnection (adminLimitExceeded), closed |
/// | ``timeLimitSeconds`` | 60 s | timeLimitExceeded after the entries found in time |
/// | ``sizeLimit`` | 1 000 | sizeLimitExceeded after that many entries |
///
/// Every diagnosticMessage names the limit by its flag (`max-attributes`); every hit is logged
/// through ``LimitLog`` (rate-limited, so that one client cannot flood the log).
public struct Limits: Sendable, Hashable {
    // MARK: - What one PDU may hold

    /// Largest PDU accepted once the connection is bound with a name and password, header
    /// included; checked from the PDU's length octets, before it is buffered. Default 4 MiB.
    public var maxPDUSize: Int
    /// Largest PDU accepted before a successful bind with a name and password (anonymous
    /// connections included), header included. Default 64 KiB: ample for any search, bind or
    /// extended request an anonymous client sends, and it bounds what an unauthenticated client
    /// can make the server buffer. At most ``maxPDUSize``.
    public var maxPDUSizeBeforeBind: Int
    /// Deepest nesting of BER constructed values inside one PDU. Default 80: a filter at
    /// ``maxFilterDepth`` needs that depth plus six (LDAPMessage, SearchRequest and the leaf
    /// item's own SEQUENCEs); controls need three.
    public var maxBERDepth: Int
    /// Deepest nesting of and/or/not in a search filter. Default 64; at most ``maxBERDepth``
    /// minus six.
    public var maxFilterDepth: Int
    /// Most items (and/or/not included) in a search filter: its breadth. Default 1 024.
    public var maxFilterItems: Int
    /// Most attribute descriptions in one request: the attribute list of a search, the
    /// attributes of an add, the changes of a modify. Default 1 024. (Values are bounded by the
    /// PDU size: a group may be given thousands of members at once.)
    public var maxAttributes: Int
    /// Most controls on one request. Default 64.
    public var maxControls: Int

    // MARK: - What one client may hold

    /// Most connections served at once; beyond it the server stops accepting and new clients
    /// wait in the listen backlog until a connection closes. Default 4 096.
    public var maxConnections: Int
    /// Most connections open at once from one IP address; one more is accepted, told why in a
    /// Notice of Disconnection and closed. 0: no limit (for a server behind a proxy, where every
    /// client has the proxy's address). Default 512, so one address cannot take every
    /// connection.
    public var maxConnectionsPerAddress: Int
    /// Most operations one connection may have waiting or running; at this many the server stops
    /// reading from it until one completes. Default 16.
    public var maxOutstandingOperations: Int
    /// Longest a client may take to send the rest of a PDU it has begun, in seconds (time the
    /// server itself holds back reading does not count). Default 30; at least 1.
    public var pduTimeoutSeconds: Int
    /// Longest a connection bound with a name and password may stay idle — no request, nothing
    /// outstanding — in seconds; 0: never. Default 900.
    public var idleTimeoutSeconds: Int
    /// Longest a connection not (yet) bound with a name and password may stay idle, in seconds;
    /// 0: never. Default 60.
    public var idleTimeoutBeforeBindSeconds: Int

    // MARK: - What one search may cost

    /// Longest a search may run, in seconds, when the client asks for no shorter time; 0: no
    /// limit. Applies to everyone. Default 60.
    public var timeLimitSeconds: Int
    /// Most entries a search by a member or an anonymous client returns when the client asks
    /// for no fewer; 0: no limit. Administrators and service accounts are not limited. Default
    /// 1 000.
    public var sizeLimit: Int

    /// - Parameters: see the properties.
    public init(
        maxPDUSize: Int = 4 << 20, maxPDUSizeBeforeBind: Int = 64 << 10, maxBERDepth: Int = 80,
        maxFilterDepth: Int = 64,
        maxFilterItems: Int = 1024, maxAttributes: Int = 1024, maxControls: Int = 64, maxConnections: Int = 4096,
        maxConnectionsPerAddress: Int = 512, maxOutstandingOperations: Int = 16, pduTimeoutSeconds: Int = 30,
        idleTimeoutSeconds: Int = 900, idleTimeoutBeforeBindSeconds: Int = 60, timeLimitSeconds: Int = 60,
        sizeLimit: Int = 1000
    ) {
        self.maxPDUSize = maxPDUSize
        self.maxPDUSizeBeforeBind = maxPDUSizeBeforeBind
        self.maxBERDepth = maxBERDepth
        self.maxFilterDepth = maxFilterDepth
        self.maxFilterItems = maxFilterItems
        self.maxAttributes = maxAttributes
        self.maxControls = maxControls
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.maxOutstandingOperations = maxOutstandingOperations
        self.pduTimeoutSeconds = pduTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.idleTimeoutBeforeBindSeconds = idleTimeoutBeforeBindSeconds
        self.timeLimitSeconds = timeLimitSeconds
        self.sizeLimit = sizeLimit
    }

    /// What the PDU decoder checks (with ``maxPDUSize``; the connection lowers the PDU size to
    /// ``maxPDUSizeBeforeBind`` until a bind with a name and password succeeds).
    public var protocolLimits: ProtocolLimits {
        ProtocolLimits(maxPDUSize: maxPDUSize, maxBERDepth: maxBERDepth, maxFilterDepth: maxFilterDepth)
    }

    /// The PDU size in force for a connection bound as `identity`.
    public func maxPDUSize(for identity: BoundIdentity) -> Int {
        identity.isAuthenticated ? maxPDUSize : min(maxPDUSizeBeforeBind, maxPDUSize)
    }

    /// The idle timeout in force for a connection bound as `identity`, in seconds (0: never).
    public func idleTimeoutSeconds(for identity: BoundIdentity) -> Int {
        identity.isAuthenticated ? idleTimeoutSeconds : idleTimeoutBeforeBindSeconds
    }

    /// Why these limits cannot work together, one line each (empty when they can).
    public var problems: [String] {
        var out: [String] = []
        func atLeast(_ value: Int, _ minimum: Int, _ name: Name) {
            if value < minimum { out.append("\(name.flag): \(value); at least \(minimum)") }
        }
        atLeast(maxPDUSize, 1024, .maxPDUSize)
        atLeast(maxPDUSizeBeforeBind, 1024, .maxPDUSizeBeforeBind)
        if maxPDUSizeBeforeBind > maxPDUSize {
            out.append(
                "\(Name.maxPDUSizeBeforeBind.flag): \(maxPDUSizeBeforeBind) is more than "
                    + "\(Name.maxPDUSize.flag) (\(maxPDUSize))"
            )
        }
        atLeast(maxBERDepth, 8, .maxBERDepth)
        atLeast(maxFilterDepth, 1, .maxFilterDepth)
        if maxFilterDepth > maxBERDepth - 6 {
            out.append(
                "\(Name.maxFilterDepth.flag): \(maxFilterDepth) needs \(Name.maxBERDepth.flag) of at least "
                    + "\(maxFilterDepth + 6) (it is \(maxBERDepth))"
            )
        }
        atLeast(maxFilterItems, 1, .maxFilterItems)
        atLeast(maxAttributes, 1, .maxAttributes)
        atLeast(maxControls, 1, .maxControls)
        atLeast(maxConnections, 1, .maxConnections)
        atLeast(maxConnectionsPerAddress, 0, .maxConnectionsPerAddress)
        atLeast(maxOutstandingOperations, 1, .maxOutstandingOperations)
        atLeast(pduTimeoutSeconds, 1, .pduTimeout)
        atLeast(idleTimeoutSeconds, 0, .idleTimeout)
        atLeast(idleTimeoutBeforeBindSeconds, 0, .idleTimeoutBeforeBind)
        atLeast(timeLimitSeconds, 0, .timeLimit)
        atLeast(sizeLimit, 0, .sizeLimit)
        return out
    }
}

extension Limits {
    /// A limit, named as its `roster serve` flag (without the dashes) in diagnosticMessages and
    /// log lines.
    public enum Name: String, Sendable, Hashable, CaseIterable {
        case maxPDUSize = "max-pdu-size"
        case maxPDUSizeBeforeBind = "max-pdu-size-before-bind"
        case maxBERDepth = "max-ber-depth"
        case maxFilterDepth = "max-filter-depth"
        case maxFilterItems = "max-filter-items"
        case maxAttributes = "max-attributes"
        case maxControls = "max-controls"
        case maxConnections = "max-connections"
        case maxConnectionsPerAddress = "max-connections-per-address"
        case maxOutstandingOperations = "max-outstanding"
        case pduTimeout = "pdu-timeout"
        case idleTimeout = "idle-timeout"
        case idleTimeoutBeforeBind = "idle-timeout-before-bind"
        case timeLimit = "time-limit"
        case sizeLimit = "size-limit"

        /// The `roster serve` flag that sets it.
        public var flag: String { "--" + rawValue }
    }
}

extension BoundIdentity {
    /// Whether the connection is bound with a name and password (not anonymous).
    public var isAuthenticated: Bool { !dn.isEmpty }

    /// How log lines name it.
    var logName: String { dn.isEmpty ? "an anonymous client" : dn }
}
