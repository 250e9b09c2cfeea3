/// Who is reading: the identity a connection is bound as, checked once at bind time.
public enum Viewer: Sendable, Hashable {
    /// No bind, or an anonymous bind.
    case anonymous
    /// A member bound as themselves.
    case member(Account)
    /// An administrator or service account, by its key.
    case administrator(String)
}
