/// The directory as a store holds it: the model, the sequence number of the last change it
/// reflects, and the naming context chosen at `roster init`.
public struct StoredDirectory: Sendable {
    public var model: DirectoryModel
    /// The change-log sequence number the model includes.
    public var sequence: Int64
    /// The base DN set at init (the LDAP layer parses it).
    public var baseDN: String

    /// - Parameters: see the properties.
    public init(model: DirectoryModel, sequence: Int64, baseDN: String) {
        self.model = model
        self.sequence = sequence
        self.baseDN = baseDN
    }
}

/// Entities to merge into a model: a value replaces, nil removes.
public struct EntityBatch: Sendable {
    public var departments: [DepartmentID: Department?] = [:]
    public var members: [String: Member?] = [:]
    public var groups: [String: Group?] = [:]
    public var administrators: [String: Administrator?] = [:]
    public var policy: FieldPolicy?
    public var passwordPolicy: PasswordPolicy?
    /// The department id sequence: the id the next new department gets. Merging only ever
    /// raises it, so an id once given is never given again.
    public var nextDepartmentID: DepartmentID?

    public init() {}
}

/// The storage port. Every store keeps the same promises, checked by one conformance suite:
/// one transaction per command holding the changed rows, the change-log record and the audit
/// record; nothing half-applied; changes committed by another process seen by ``catchUp(_:)``.
public protocol DirectoryStore: Sendable {
    /// Loads the whole directory.
    func load() throws -> StoredDirectory

    /// In one write transaction: brings `current` up to date with what others committed, runs
    /// `body` on the model (which validates and applies a command), and persists what it changed
    /// with its change-log and audit records. When `body` throws, nothing is written. A store
    /// shared with other processes waits a bounded time for the write lock, then throws
    /// ``StoreError`` with code `busy` (nothing written).
    /// - Returns: the new state and what `body` returned.
    func write<T: Sendable>(
        from current: StoredDirectory, _ body: (inout DirectoryModel) throws -> (AuditRecord, T)
    ) throws -> (StoredDirectory, T)

    /// Group commit: in one write transaction, brings `current` up to date, then runs each body
    /// in order on the model, each seeing the ones before it; a body that throws changes nothing
    /// and gets its error, the others are persisted — each with its own change-log record and
    /// its commands' audit records — and committed together (one durable commit for all of
    /// them). When the transaction itself fails (busy, a disk error), every body gets that error.
    /// - Returns: the new state and each body's outcome (its audit records), in order.
    func writeBatch(
        from current: StoredDirectory, _ bodies: [DirectoryStoreWrite]
    ) throws -> (StoredDirectory, [Result<[AuditRecord], any Error>])

    /// Applies the changes committed (by anyone) after `current.sequence`.
    func catchUp(_ current: StoredDirectory) throws -> StoredDirectory

    /// Audit records matching `query`, oldest first.
    func audit(_ query: AuditQuery) throws -> [AuditRecord]

    /// Records bind attempts (successes, failures, administrators' logins) in the audit log, in
    /// one transaction.
    func recordBinds(_ records: [AuditRecord]) throws

    /// Whether other servers take writes on this store at the same time (several nodes on one
    /// PostgreSQL database): their failed binds count towards a lockout too.
    var servesSeveralNodes: Bool { get }

    /// Whether a writer of another process is waiting for this store's write lock, so that a long
    /// run of group commits (an import) leaves it a gap. True when the store cannot tell.
    func anotherWriterIsWaiting() -> Bool
}

/// Which audit records to list.
public struct AuditQuery: Sendable, Hashable {
    /// Binds (`bind`, `bind.failure`, `admin.login`), or writes (every other action).
    public enum Kind: String, Sendable, Hashable, CaseIterable { case bind, write }

    /// Only records from this time on (seconds since 1970).
    public var since: Double?
    /// Only records about this account or administrator, or issued by it (case-insensitive).
    public var account: String?
    public var kind: Kind?
    /// Most records returned: the newest ones when ``newestFirst``, else the oldest.
    public var limit: Int
    public var newestFirst: Bool

    /// The actions that are binds.
    public static let bindActions = ["bind", "bind.failure", "admin.login"]

    /// - Parameters: see the properties.
    public init(since: Double? = nil, account: String? = nil, kind: Kind? = nil, limit: Int = 1000, newestFirst: Bool = false) {
        self.since = since
        self.account = account
        self.kind = kind
        self.limit = limit
        self.newestFirst = newestFirst
    }

    /// Whether a record matches (for stores that filter in memory).
    public func matches(_ r: AuditRecord) -> Bool {
        if let since, r.time.timeIntervalSince1970 < since { return false }
        if let kind {
            let isBind = Self.bindActions.contains(r.action)
            if (kind == .bind) != isBind { return false }
        }
        if let account {
            let a = account.lowercased()
            let actor = r.actor.lowercased()
            guard r.target.lowercased() == a || actor == a || actor.hasPrefix("uid=\(a),") || actor.hasPrefix("cn=\(a),") else {
                return false
            }
        }
        return true
    }
}

/// One write's part of a group commit: validates and applies its commands (usually one; an
/// import's row may need its departments first) to the model, returning their audit records in
/// order; when it throws, it has changed nothing.
public typealias DirectoryStoreWrite = (inout DirectoryModel) throws -> [AuditRecord]

extension DirectoryStore {
    /// One server at a time (SQLite, memory).
    public var servesSeveralNodes: Bool { false }

    /// A store that cannot tell says a writer may be waiting (an import pauses between groups).
    public func anotherWriterIsWaiting() -> Bool { true }
}

extension DirectoryModel {
    /// Merges entities loaded from a store: replacements first, then removals.
    public mutating func merge(_ batch: EntityBatch) {
        for case (_, let d?) in batch.departments { put(d) }
        for case (let key, let m?) in batch.members {
            if let old = member(key), old.account.value != m.account.value { removeMember(old.account) }
            put(m)
        }
        for case (let key, nil) in batch.members {
            if let old = member(key) { removeMember(old.account) }
        }
        for case (let key, let g?) in batch.groups {
            if key != g.key { removeGroup(key) }
            put(g)
        }
        for case (let key, nil) in batch.groups { removeGroup(key) }
        for case (_, let a?) in batch.administrators { put(a) }
        for case (let key, nil) in batch.administrators { removeAdministrator(key) }
        if let policy = batch.policy { put(policy) }
        if let policy = batch.passwordPolicy { put(policy) }
        for case (let id, nil) in batch.departments { removeDepartment(id) }
        if let next = batch.nextDepartmentID { reserveDepartmentIDs(below: next) }
    }

    /// The current entities for a change set's keys (nil for those that no longer exist).
    public func entities(for changes: ChangeSet) -> EntityBatch {
        var batch = EntityBatch()
        for id in changes.departments { batch.departments[id] = .some(department(id)) }
        for key in changes.members { batch.members[key] = .some(member(key)) }
        for key in changes.groups { batch.groups[key] = .some(group(key)) }
        for key in changes.administrators { batch.administrators[key] = .some(administrator(key)) }
        if changes.policy {
            batch.policy = fieldPolicy
            batch.passwordPolicy = passwordPolicy
        }
        batch.nextDepartmentID = nextDepartmentID
        return batch
    }
}

extension DirectoryStore {
    /// Audit records, oldest first, from `since` (seconds since 1970) on, at most `limit`.
    public func audit(since: Double?, limit: Int) throws -> [AuditRecord] {
        try audit(AuditQuery(since: since, limit: limit))
    }
}
