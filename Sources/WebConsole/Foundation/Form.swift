import Foundation

/// A posted `application/x-www-form-urlencoded` form, parsed once. Names and values are text;
/// a repeated name keeps its values in order.
public struct Form: Sendable, Hashable {
    public private(set) var values: [String: [String]] = [:]

    public init() {}

    /// A form of already decoded fields (the plain parts of a multipart body).
    init(values: [String: [String]]) { self.values = values }

    /// The most fields a form may carry.
    static let maxFields = 256

    /// Parses a form body.
    /// - Throws: ``WebError`` (400) for a body that is not a form.
    public init(parsing body: String) throws(WebError) {
        guard !body.isEmpty else { return }
        let pairs = body.split(separator: "&", omittingEmptySubsequences: true)
        guard pairs.count <= Self.maxFields else { throw WebError(.badRequest, "form: more than \(Self.maxFields) fields") }
        for pair in pairs {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(kv[0]), let value = Self.decode(kv.count > 1 ? kv[1] : "") else {
                throw WebError(.badRequest, "form: a field is not valid percent-encoded UTF-8")
            }
            values[name, default: []].append(value)
        }
    }

    static func decode(_ s: Substring) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The first value of a field.
    public subscript(_ name: String) -> String? { values[name]?.first }
}

/// An answer other than the page asked for: an HTTP status and a word to show (the detail is
/// logged at debug level, never shown: it may name what the visitor may not see).
public struct WebError: Error, Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case badRequest, forbidden, notFound, csrf, origin, tooManyRequests, tooLarge
    }

    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    static let notFound = WebError(.notFound, "no such page")
}
