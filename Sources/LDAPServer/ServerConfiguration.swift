public import LDAPProtocol
public import NIOCore

/// Settings of the listener, with documented defaults.
public struct ServerConfiguration: Sendable, Hashable {
    /// Address to listen on. Default 127.0.0.1.
    public var host: String
    /// Port to listen on; 0 picks a free one. Default 3389.
    public var port: Int
    /// PDU size and nesting bounds.
    public var limits: ProtocolLimits
    /// Most connections served at once; beyond it the server stops accepting until one closes
    /// (new clients wait in the backlog). Default 4096.
    public var maxConnections: Int
    /// The listen backlog: connections the kernel holds before they are accepted. Default 256.
    public var backlog: Int32
    /// Most operations one connection may have waiting or running; at this many the server
    /// stops reading from it until one completes. Default 16.
    public var maxOutstandingOperations: Int
    /// How long a connection closed after a malformed PDU keeps draining what the client still
    /// sends, so the Notice of Disconnection is not lost to a reset, in seconds. Default 2.
    public var lingerSeconds: Int64
    /// Threads that check bind passwords (PBKDF2): apart from searches, so costly searches from
    /// many connections never queue ahead of a bind. Default: one per core.
    public var verifyThreads: Int
    /// Threads that run searches over many entries (and hash the passwords writes set).
    /// Default: one per core.
    public var computeThreads: Int
    /// Threads that run durable writes. They mostly wait — on the disk, and on the write that
    /// commits before theirs — and writes that wait together share one durable commit (group
    /// commit), so more threads mean fewer fsyncs under load. Default 8.
    public var writeThreads: Int
    /// Output buffered per connection before it counts as not writable (a search pauses until
    /// the client reads), in bytes. Default 256 KiB; the low mark is a quarter of it.
    public var writeBufferHighWaterMark: Int

    /// Longest a client may take to send the rest of a PDU it has begun, in seconds; then the
    /// connection is closed (time the server itself holds back reading does not count).
    /// Default 30.
    public var pduTimeoutSeconds: Int64
    /// Longest a connection may stay idle — no request, nothing outstanding — before the server
    /// closes it, in seconds; 0: never. Default 900.
    public var idleTimeoutSeconds: Int64
    /// TLS: the certificate and key (StartTLS is offered whenever they are set) and the LDAPS
    /// listener. Default nil: no TLS, StartTLS answers `unavailable`.
    public var tls: TLSSettings?

    /// - Parameters: see the properties.
    public init(
        host: String = "127.0.0.1", port: Int = 3389, limits: ProtocolLimits = ProtocolLimits(), maxConnections: Int = 4096,
        backlog: Int32 = 256, maxOutstandingOperations: Int = 16, lingerSeconds: Int64 = 2,
        verifyThreads: Int = System.coreCount, computeThreads: Int = System.coreCount, writeThreads: Int = 8, writeBufferHighWaterMark: Int = 256 << 10,
        pduTimeoutSeconds: Int64 = 30, idleTimeoutSeconds: Int64 = 900, tls: TLSSettings? = nil
    ) {
        self.tls = tls
        self.pduTimeoutSeconds = pduTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.host = host
        self.port = port
        self.limits = limits
        self.maxConnections = maxConnections
        self.backlog = backlog
        self.maxOutstandingOperations = maxOutstandingOperations
        self.lingerSeconds = lingerSeconds
        self.verifyThreads = verifyThreads
        self.computeThreads = computeThreads
        self.writeThreads = writeThreads
        self.writeBufferHighWaterMark = writeBufferHighWaterMark
    }
}
