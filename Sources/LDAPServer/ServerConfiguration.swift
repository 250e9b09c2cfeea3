public import LDAPFrontend
public import NIOCore

/// Settings of the listener, with documented defaults.
public struct ServerConfiguration: Sendable, Hashable {
    /// Address to listen on. Default 127.0.0.1.
    public var host: String
    /// Port to listen on; 0 picks a free one. Default 3389.
    public var port: Int
    /// Every limit on what clients send and hold: PDU size (smaller before bind), nesting,
    /// filter and request breadth, connections in total and per address, outstanding
    /// operations, timeouts, search size and time (see ``Limits`` for defaults and answers).
    public var limits: Limits
    /// The listen backlog: connections the kernel holds before they are accepted (capped by the
    /// kernel, net.core.somaxconn on Linux). Default 4096: a burst of clients, or clients waiting
    /// at the connection limit, queue there instead of having their SYNs dropped and retried a
    /// second later.
    public var backlog: Int32
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

    /// TLS: the certificate and key (StartTLS is offered whenever they are set) and the LDAPS
    /// listener. Default nil: no TLS, StartTLS answers `unavailable`.
    public var tls: TLSSettings?

    /// - Parameters: see the properties.
    public init(
        host: String = "127.0.0.1", port: Int = 3389, limits: Limits = Limits(),
        backlog: Int32 = 4096, lingerSeconds: Int64 = 2, verifyThreads: Int = System.coreCount,
        computeThreads: Int = System.coreCount, writeThreads: Int = 8, writeBufferHighWaterMark: Int = 256 << 10,
        tls: TLSSettings? = nil
    ) {
        self.tls = tls
        self.host = host
        self.port = port
        self.limits = limits
        self.backlog = backlog
        self.lingerSeconds = lingerSeconds
        self.verifyThreads = verifyThreads
        self.computeThreads = computeThreads
        self.writeThreads = writeThreads
        self.writeBufferHighWaterMark = writeBufferHighWaterMark
    }
}
