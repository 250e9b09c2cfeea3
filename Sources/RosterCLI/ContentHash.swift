import Crypto
import Directory
import Foundation

/// A digest of everything a directory holds (every stored field of every department, member,
/// group and administrator, the field and password policies, the department id sequence): two
/// stores, or two nodes, hold the same directory exactly when their hashes are equal.
enum ContentHash {
    /// The SHA-256 of the canonical text, in hex.
    static func of(_ model: DirectoryModel) -> String {
        SHA256.hash(data: Data(canonicalText(model).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// One line per entity, in key order; every stored property rendered by ``render(_:)``.
    static func canonicalText(_ model: DirectoryModel) -> String {
        var lines: [String] = []
        for d in model.departments.values.sorted(by: { $0.id < $1.id }) { lines.append("D " + render(d)) }
        for m in model.allMembers.sorted(by: { $0.account.key < $1.account.key }) { lines.append("M " + render(m)) }
        for g in model.groups.values.sorted(by: { $0.key < $1.key }) { lines.append("G " + render(g)) }
        for a in model.administrators.values.sorted(by: { $0.key < $1.key }) { lines.append("A " + render(a)) }
        for f in MemberField.allCases { lines.append("F \(f.rawValue) " + render(model.fieldPolicy.rule(f))) }
        lines.append("P " + render(model.passwordPolicy))
        lines.append("N \(model.nextDepartmentID.rawValue)")
        return lines.joined(separator: "\n")
    }

    /// A value's stored properties, recursively, in declaration order; dictionaries and sets
    /// sorted; dates to the full precision stores keep (a `Date`'s description drops fractions).
    static func render(_ value: Any) -> String {
        if let d = value as? Date { return "@\(d.timeIntervalSince1970)" }
        if let u = value as? UUID { return u.uuidString }
        if let s = value as? String { return s.debugDescription }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let some = mirror.children.first else { return "nil" }
            return render(some.value)
        case .collection, .tuple:
            return "[" + mirror.children.map { render($0.value) }.joined(separator: ",") + "]"
        case .set:
            return "{" + mirror.children.map { render($0.value) }.sorted().joined(separator: ",") + "}"
        case .dictionary:
            let pairs = mirror.children.map { child -> String in
                let pair = Mirror(reflecting: child.value).children.map { render($0.value) }
                return pair.joined(separator: ":")
            }
            return "{" + pairs.sorted().joined(separator: ",") + "}"
        case .enum:
            let payload = mirror.children.map { ($0.label ?? "") + "=" + render($0.value) }.joined(separator: ",")
            return "\(value)".prefix(while: { $0 != "(" }) + (payload.isEmpty ? "" : "(\(payload))")
        case .struct, .class:
            guard !mirror.children.isEmpty else { return "\(value)" }
            return "(" + mirror.children.map { ($0.label ?? "") + "=" + render($0.value) }.joined(separator: ",") + ")"
        default:
            return "\(value)"
        }
    }
}
