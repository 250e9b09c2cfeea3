public import Foundation
import Synchronization

/// The kind of store a node serves from (the rootDSE's `rosterStore`).
public enum DirectoryStoreKind: String, Sendable, Hashable {
    case sqlite
    case postgresql
    case memory
}

/// What a store can say about this node's place among the writers of its change log: its kind
/// and, for a store shared by several nodes, how late the last change from another node reached
/// this one. The LDAP frontend asks through this port and never imports a store.
public protocol StoreHealthReporting: Sendable {
    /// The kind of store.
    var kind: DirectoryStoreKind { get }
    /// Seconds from the start of the transaction that wrote the newest change another process
    /// made, to this node reading it from the change log, both on the database's clock; nil when
    /// the store does not measure it or nothing has come from elsewhere yet.
    var lastChangeDelay: Double? { get }
}

extension InMemoryStore: StoreHealthReporting {
    public var kind: DirectoryStoreKind { .memory }
    public var lastChangeDelay: Double? { nil }
}

/// A node's health as the rootDSE shows it to the super admin and service accounts (it reveals
/// the topology, so no one else sees it).
public struct NodeHealth: Sendable, Hashable {
    /// The node's name (`roster serve --node-id`).
    public var nodeID: String
    /// The kind of store the node serves from (nil: a store that does not say).
    public var store: DirectoryStoreKind?
    /// The change-log sequence number of the directory the node serves.
    public var appliedSequence: Int64
    /// The last time the node read the change log and applied everything up to its head (a
    /// catch-up, a write under the lock, or the load at start).
    public var lastCatchUp: Date
    /// Whether the node's connection listening for other nodes' changes is up (PostgreSQL only).
    public var listening: Bool?
    /// ``StoreHealthReporting/lastChangeDelay``: how late the last change from elsewhere reached
    /// the node (PostgreSQL only).
    public var lagSeconds: Double?

    /// - Parameters: see the properties.
    public init(
        nodeID: String, store: DirectoryStoreKind?, appliedSequence: Int64, lastCatchUp: Date, listening: Bool? = nil, lagSeconds: Double? = nil
    ) {
        self.nodeID = nodeID
        self.store = store
        self.appliedSequence = appliedSequence
        self.lastCatchUp = lastCatchUp
        self.listening = listening
        self.lagSeconds = lagSeconds
    }
}

/// Gathers a node's health from its directory service, its store and its change listener.
/// Reading it never waits for a write (it takes only small locks that writes hold for an
/// instant), so the rootDSE can be built on an event loop.
public final class NodeStatus: Sendable {
    public let nodeID: String
    let service: DirectoryService
    /// Whether the listening connection is up; nil for a store without one.
    private let listening: Mutex<Bool?>

    /// - Parameters:
    ///   - nodeID: the node's name.
    ///   - service: the node's directory service.
    ///   - listens: whether the node keeps a listening connection (PostgreSQL); it starts down.
    public init(nodeID: String, service: DirectoryService, listens: Bool) {
        self.nodeID = nodeID
        self.service = service
        self.listening = Mutex(listens ? false : nil)
    }

    /// Records that the listening connection came up or went down.
    public func setListening(_ up: Bool) {
        listening.withLock { if $0 != nil { $0 = up } }
    }

    /// The node's health now.
    public func health() -> NodeHealth {
        let progress = service.progress
        let reporting = service.store as? any StoreHealthReporting
        return NodeHealth(
            nodeID: nodeID, store: reporting?.kind, appliedSequence: progress.sequence,
            lastCatchUp: progress.caughtUp, listening: listening.withLock { $0 }, lagSeconds: reporting?.lastChangeDelay)
    }
}
