import BER
import LDAPProtocol

/// The attributes a search asked for (RFC 4511 §4.5.1.8): `*`, `+`, `1.1`, names in any case and
/// with options; unknown names are ignored and names come back spelled as requested.
struct AttributeSelection: Sendable {
    var allUser = false
    var allOperational = false
    var explicit: [String: String] = [:]
    /// The names asked for, by the registered type's ``AttributeType/index`` (an entry's
    /// attributes are looked up here, not hashed into ``explicit``).
    private var byIndex: [String?] = []
    /// Whether a name asked for is of a type with no place in the registry (looked up by key).
    private var unindexed = false

    init(_ list: [String]) {
        allUser = list.isEmpty
        for raw in list {
            let name = raw.trimmingWhitespace
            switch name {
            case "*": allUser = true
            case "+": allOperational = true
            case "1.1": continue
            default:
                if let type = AttributeRegistry.type(named: name), explicit[type.key] == nil {
                    explicit[type.key] = name
                    if type.index >= 0 {
                        if byIndex.count <= type.index { byIndex += Array(repeating: nil, count: type.index + 1 - byIndex.count) }
                        byIndex[type.index] = name
                    } else {
                        unindexed = true
                    }
                }
            }
        }
    }

    /// The attributes an entry must carry to answer this selection.
    var want: AttributeWant {
        AttributeWant(keys: Set(explicit.keys), allUser: allUser, allOperational: allOperational)
    }

    /// The name an attribute is returned under (as the request spelled it, or its own), or nil
    /// when it was not asked for.
    private func returnedName(_ a: Entry.Attribute) -> String? {
        let i = a.type.index
        if i >= 0, !unindexed {
            if i < byIndex.count, let requested = byIndex[i] { return requested }
        } else if let requested = explicit[a.type.key] {
            return requested
        }
        return (a.type.operational ? allOperational : allUser) ? a.type.name : nil
    }

    /// The entry's attributes that were asked for, encoded as a PartialAttributeList (what
    /// ``project(_:typesOnly:)`` gives, written straight from the entry's strings).
    func encodedList(_ entry: Entry, typesOnly: Bool) -> [UInt8] {
        var s = BERSerializer(capacity: 512)
        s.appendConstructed(.sequence) { s in
            for a in entry.attributes {
                guard let name = returnedName(a) else { continue }
                s.appendConstructed(.sequence) { s in
                    s.append(string: name)
                    s.appendConstructed(.set) { s in
                        if !typesOnly { for v in a.values { s.append(string: v) } }
                    }
                }
            }
        }
        return s.bytes
    }

    /// The entry's attributes that were asked for.
    func project(_ entry: Entry, typesOnly: Bool) -> [PartialAttribute] {
        var out: [PartialAttribute] = []
        out.reserveCapacity(entry.attributes.count)
        for a in entry.attributes {
            guard let name = returnedName(a) else { continue }
            out.append(PartialAttribute(name, typesOnly ? [] : a.values.map { Array($0.utf8) }))
        }
        return out
    }
}

extension String {
    var trimmingWhitespace: String {
        // Most values start and end with a printable ASCII character or a Han one: nothing to trim.
        let plain: (Unicode.Scalar) -> Bool = { s in (0x21...0x7E).contains(s.value) || (0x4E00...0x9FFF).contains(s.value) }
        if let first = unicodeScalars.first, let last = unicodeScalars.last, plain(first), plain(last) { return self }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
