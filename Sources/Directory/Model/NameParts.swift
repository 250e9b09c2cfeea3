/// A name split into surname and given name (sn / givenName), with compound Chinese surnames.
public struct NameParts: Sendable, Hashable {
    public var surname: String
    public var givenName: String

    static let compoundSurnames: Set<String> = [
        "欧阳", "司马", "诸葛", "上官", "尉迟", "万俟", "东方", "皇甫", "令狐", "长孙", "慕容", "宇文", "司徒",
        "夏侯", "轩辕", "公孙", "澹台", "呼延", "端木", "独孤", "南宫", "西门", "百里", "东郭", "单于", "钟离",
        "闻人", "赫连", "太史", "申屠", "公冶", "濮阳", "淳于", "仲孙", "司空", "亓官", "司寇", "子车", "颛孙",
        "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干", "第五",
    ]

    /// Splits `name`: a Han name by its (possibly compound) surname, a Latin name at its last word.
    public init(_ name: String) {
        let trimmed = name.trimmingWhitespace
        if let first = trimmed.unicodeScalars.first, Pinyin.isHan(first) {
            let two = String(trimmed.prefix(2))
            let length = trimmed.count > 2 && Self.compoundSurnames.contains(two) ? 2 : 1
            surname = String(trimmed.prefix(length))
            givenName = trimmed.count > length ? String(trimmed.dropFirst(length)) : ""
        } else {
            let words = trimmed.split(separator: " ")
            if words.count > 1 {
                surname = String(words.last!)
                givenName = words.dropLast().joined(separator: " ")
            } else {
                surname = trimmed
                givenName = ""
            }
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    public var trimmingWhitespace: String {
        // Most values start and end with a printable ASCII character or a Han one: nothing to trim.
        if let first = unicodeScalars.first, let last = unicodeScalars.last, first.isPlainVisible, last.isPlainVisible { return self }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension Unicode.Scalar {
    /// A printable ASCII character or a CJK unified ideograph: never whitespace, never part of
    /// a whitespace cluster.
    public var isPlainVisible: Bool {
        switch value {
        case 0x21...0x7E, 0x4E00...0x9FFF: true
        default: false
        }
    }
}
