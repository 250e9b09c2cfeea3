import Directory
import LDAPProtocol

/// The paged searches (RFC 2696) in progress on one connection, by cookie.
struct PagingState: Sendable {
    /// What a paged search keeps between pages: the request, the model it read (its order), and
    /// the entries still to be sent.
    struct Cursor: Sendable {
        var request: SearchRequest
        var model: DirectoryModel
        var identity: BoundIdentity
        var remaining: ArraySlice<DITNode>
        var total: Int
        var sizeLimitExceeded: Bool
        var sortResponse: Control?
    }

    /// Most paged searches kept per connection; the oldest is dropped beyond it.
    static let maxCursors = 16

    var cursors: [[UInt8]: Cursor] = [:]
    var order: [[UInt8]] = []
    var next: UInt64 = 1

    /// A new cookie, not yet holding a cursor (a page produced off the event loop names it in its
    /// response before the session stores the cursor).
    mutating func reserveCookie() -> [UInt8] {
        let cookie = withUnsafeBytes(of: next.bigEndian) { Array($0) }
        next &+= 1
        return cookie
    }

    /// Keeps a cursor under a reserved cookie.
    mutating func store(_ cursor: Cursor, as cookie: [UInt8]) {
        cursors[cookie] = cursor
        order.append(cookie)
        if order.count > Self.maxCursors { cursors[order.removeFirst()] = nil }
    }

    mutating func remove(_ cookie: [UInt8]) {
        cursors[cookie] = nil
        order.removeAll { $0 == cookie }
    }
}

/// One page of a paged search: the entries of the next `size` nodes of a cursor, and the cursor
/// to keep for the page after it.
struct SearchPage: Sendable {
    let frontend: Frontend
    var cursor: PagingState.Cursor
    let size: Int
    let messageID: Int32
    /// The cookie the rest is kept under (reserved by the session).
    let cookie: [UInt8]

    /// Whether the page is small enough to build on the event loop.
    var isSmall: Bool { size <= 64 }

    /// Builds the page; returns its messages and the cursor to keep (nil after the last page).
    func produce() -> (messages: [LDAPMessage], keep: PagingState.Cursor?) {
        var out: [LDAPMessage] = []
        var cursor = self.cursor
        // Each page is built from the directory as it is now, not as it was at the first page:
        // an entry that left the requester's view since (departed, hidden, moved out of scope)
        // or no longer matches is left out, and values are current.
        let model = frontend.directory.snapshot()
        let visibility = frontend.visibility(cursor.identity, model)
        let evaluator = SearchOperation.makeEvaluator(frontend: frontend, visibility: visibility)
        let filterWant = AttributeWant.of(cursor.request.filter)
        let selection = AttributeSelection(cursor.request.attributes)
        let batch = cursor.remaining.prefix(size)
        cursor.remaining = cursor.remaining.dropFirst(size)
        out.reserveCapacity(batch.count + 1)
        for node in batch where visibility.canSee(node) {
            guard let probe = frontend.entry(for: node, in: model, visibility: visibility, wanted: filterWant),
                evaluator.matches(cursor.request.filter, probe),
                let entry = frontend.entry(for: node, in: model, visibility: visibility, wanted: selection.want)
            else { continue }
            out.append(SearchOperation.entryMessage(entry, cursor.request, selection, messageID))
        }
        let last = cursor.remaining.isEmpty
        var controls: [Control] = [PagedResultsControl(size: Int32(clamping: cursor.total), cookie: last ? [] : cookie).control()]
        if let sort = cursor.sortResponse { controls.append(sort) }
        let result: LDAPResult =
            last && cursor.sizeLimitExceeded
            ? LDAPResult(.sizeLimitExceeded, diagnosticMessage: "size limit exceeded") : LDAPResult(.success)
        out.append(LDAPMessage(messageID: messageID, .searchResultDone(result), controls: controls))
        return (out, last ? nil : cursor)
    }
}
