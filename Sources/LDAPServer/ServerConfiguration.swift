public import LDAPProtocol

/// Settings of the listener, with documented defaults.
public struct ServerConfiguration: Sendable, Hashable {
    /// Address to listen on. Default 127.0.0.1.
    public var host: String
    /// Port to listen on; 0 picks a free one. Default 3389.
    public var port: Int
    /// PDU size and nesting bounds.
    public var limits: ProtocolLimits
    /// Most connections served at once; further ones are closed at once. Default 4096.
    public var maxConnections: Int

    /// - Parameters: see the properties.
    public init(host: String = "127.0.0.1", port: Int = 3389, limits: ProtocolLimits = ProtocolLimits(), maxConnections: Int = 4096) {
        self.host = host
        self.port = port
        self.limits = limits
        self.maxConnections = maxConnections
    }
}
