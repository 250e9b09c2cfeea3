/// A whole file refused before any row is looked at (not a spreadsheet, too large, a column
/// missing): nothing was imported. The message names the file's problem and what to do.
public struct InterchangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of refusal.
    public enum Code: Sendable, Hashable {
        /// The bytes are not a file of the format (not a zip, not an xlsx, not text).
        case notReadable
        /// Over a size limit (the file, or what a zip entry expands to).
        case tooLarge
        /// A required column is missing, or the header row cannot be found.
        case missingColumn
        /// The text is in an encoding the importer does not read.
        case encoding
        /// The plan refuses to run (the reconcile safety valve).
        case refused
    }

    public var code: Code
    public var message: String

    /// - Parameters:
    ///   - code: the class of refusal.
    ///   - message: what is wrong, naming the part of the file.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
