/// One write of a group commit, decided from the directory as the writes before it left it.
public enum GroupWrite {
    /// Nothing to do: nothing is recorded.
    case nothing
    /// One command, applied to the model itself: it changes nothing when it fails, so no copy of
    /// the model is needed to undo it (each index write then changes its nodes in place).
    case one(DirectoryCommand)
    /// Several commands, each seeing the ones before it (a row's departments, then its member),
    /// applied on a copy of the model that replaces it only when all of them applied.
    case several((inout CommandSteps) throws -> Void)
}

/// The commands of a ``GroupWrite/several(_:)`` write: the model as they leave it, and their
/// audit records. Only commands change it, each checked against every rule.
public struct CommandSteps {
    /// The directory as the commands applied so far left it.
    public private(set) var model: DirectoryModel
    /// Who issues the commands.
    public let context: CommandContext
    /// The applied commands' audit records, in order.
    public private(set) var records: [AuditRecord] = []

    /// - Parameters: see the properties.
    public init(_ model: DirectoryModel, by context: CommandContext) {
        self.model = model
        self.context = context
    }

    /// Validates and applies a command; nothing changes when it throws.
    @discardableResult
    public mutating func apply(_ command: DirectoryCommand) throws(DirectoryError) -> AuditRecord {
        let record = try model.apply(command, by: context)
        records.append(record)
        return record
    }

    /// Forgets the records and the model's record of what changed (a plan that never reaches a
    /// store: they would grow with every write).
    public mutating func forget() {
        records = []
        _ = model.takeChanges()
    }

    /// Carries out `write` on `model`: what a group commit does with each write under the lock,
    /// and what a dry run does on its own copy. Nothing changes when it throws.
    /// - Returns: the audit records of its commands, in order.
    public static func run(_ write: GroupWrite, on model: inout DirectoryModel, by context: CommandContext) throws -> [AuditRecord] {
        switch write {
        case .nothing:
            return []
        case .one(let command):
            return [try model.apply(command, by: context)]
        case .several(let body):
            var steps = CommandSteps(model, by: context)
            try body(&steps)
            model = steps.model
            return steps.records
        }
    }
}
