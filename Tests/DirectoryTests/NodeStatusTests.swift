import Directory
import Foundation
import Testing

/// A node's health (the rootDSE's `roster…` attributes): the store it serves from, the sequence
/// it has applied, when it last caught up, and on PostgreSQL how late another node's change
/// reached it and whether its listening connection is up.
@Suite struct NodeStatusTests {
    @Test(arguments: StoreConformanceTests.kinds)
    func reportsTheStoreTheAppliedSequenceAndTheLastCatchUp(kind: StoreKind) throws {
        let (store, reopen) = try kind.make(sampleModel())
        let node = try DirectoryService(store: store)
        let other = try DirectoryService(store: try reopen())
        let status = NodeStatus(nodeID: "node-1", service: node, listens: false)
        let start = status.health()
        let expected: [String: DirectoryStoreKind] = ["in-memory": .memory, "SQLite": .sqlite, "PostgreSQL": .postgresql]
        #expect(start.store == expected[kind.description])
        #expect(start.nodeID == "node-1")
        #expect(start.appliedSequence == node.sequence)
        #expect(start.listening == nil, "no listening connection to report")
        #expect(start.lagSeconds == nil, "nothing came from another node yet")
        // Another node (process) writes; this one catches up.
        try other.execute(.createGroup(name: "项目组", description: nil, members: []), by: admin)
        Thread.sleep(forTimeInterval: 0.02)
        #expect(status.health().appliedSequence == start.appliedSequence, "not applied before the catch-up")
        #expect(try node.refresh())
        let after = status.health()
        #expect(after.appliedSequence == start.appliedSequence + 1)
        #expect(after.lastCatchUp > start.lastCatchUp)
        if kind.description == "PostgreSQL" {
            let lag = try #require(after.lagSeconds, "PostgreSQL measures the delay")
            #expect(lag >= 0 && lag < 10, "\(lag)")
        } else {
            #expect(after.lagSeconds == nil)
        }
        // A write of its own catches up too and moves the sequence.
        try node.execute(.createGroup(name: "教研组", description: nil, members: []), by: admin)
        #expect(status.health().appliedSequence == start.appliedSequence + 2)
    }

    @Test func listeningStartsDownAndFollowsTheConnection() throws {
        let node = try DirectoryService(store: InMemoryStore(sampleModel()))
        let listening = NodeStatus(nodeID: "n", service: node, listens: true)
        #expect(listening.health().listening == false, "down until the connection is up")
        listening.setListening(true)
        #expect(listening.health().listening == true)
        listening.setListening(false)
        #expect(listening.health().listening == false)
        let deaf = NodeStatus(nodeID: "n", service: node, listens: false)
        deaf.setListening(true)
        #expect(deaf.health().listening == nil, "a store without a listening connection never reports one")
    }
}
