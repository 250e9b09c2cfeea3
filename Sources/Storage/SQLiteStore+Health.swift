public import Directory

extension SQLiteStore: StoreHealthReporting {
    public var kind: DirectoryStoreKind { .sqlite }
    /// Not measured: one node serves a SQLite file, and the CLI's changes reach it within the
    /// catch-up interval.
    public var lastChangeDelay: Double? { nil }
}
