/// The JSON texts the stores write for a change-log record and an audit record's values: built
/// directly (JSONEncoder cost 6 % of a 100 000-row import), and read back with JSONDecoder like
/// the encoder's output. Keys sorted, so one map always has one text.
public enum JSONText {
    /// `{"a":"1","b":"2"}` with the keys in order.
    public static func object(_ map: [String: String]) -> String {
        var out = "{"
        for (n, key) in map.keys.sorted().enumerated() {
            if n > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(map[key]!, to: &out)
        }
        return out + "}"
    }

    /// A change set as ChangeSet's Codable form reads it: `{"departments":[2,3],"members":["a"],…}`.
    public static func changes(_ c: ChangeSet) -> String {
        var out = "{\"administrators\":"
        appendArray(c.administrators.sorted(), to: &out)
        out += ",\"departments\":["
        out += c.departments.map(\.rawValue).sorted().map(String.init).joined(separator: ",")
        out += "],\"groups\":"
        appendArray(c.groups.sorted(), to: &out)
        out += ",\"members\":"
        appendArray(c.members.sorted(), to: &out)
        out += ",\"policy\":" + (c.policy ? "true" : "false") + "}"
        return out
    }

    private static func appendArray(_ values: [String], to out: inout String) {
        out += "["
        for (n, v) in values.enumerated() {
            if n > 0 { out += "," }
            appendString(v, to: &out)
        }
        out += "]"
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
    public static func appendString(_ s: String, to out: inout String) {
        out += "\""
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
