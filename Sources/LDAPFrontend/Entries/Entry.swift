/// An LDAP entry as the viewer may see it: built from the domain only after visibility is decided.
public struct Entry: Sendable, Hashable {
    /// One attribute and its values.
    public struct Attribute: Sendable, Hashable {
        public var type: AttributeType
        public var values: [String]
    }

    /// The entry's DN in string form.
    public var dn: String
    /// Attributes in the order they are returned.
    public var attributes: [Attribute]
    /// Extra strings that name-matching filters on cn and displayName also try: the pinyin forms
    /// of the name.
    public var pinyin: [String]
    /// The pinyin of the surname alone (with and without spaces), which filters on sn try.
    public var surnamePinyin: [String] = []
    /// The pinyin of the given name alone (with and without spaces), which filters on givenName
    /// try.
    public var givenNamePinyin: [String] = []

    /// - Parameters:
    ///   - dn: the DN.
    ///   - attributes: its attributes.
    ///   - pinyin: pinyin forms of the name, for filters on cn/displayName/sn/givenName.
    public init(dn: String, attributes: [Attribute] = [], pinyin: [String] = []) {
        self.dn = dn
        self.attributes = attributes
        self.pinyin = pinyin
    }

    /// The pinyin forms a filter on `type` tries: the surname's for sn, the given name's for
    /// givenName, the whole name's otherwise.
    public func pinyinForms(for type: AttributeType) -> [String] {
        switch type.key {
        case "sn": return surnamePinyin
        case "givenname": return givenNamePinyin
        default: return pinyin
        }
    }

    /// The values of `type`, or nil when the entry does not have it.
    public func values(of type: AttributeType) -> [String]? {
        for a in attributes where a.type.key == type.key { return a.values }
        return nil
    }

    /// Appends an attribute unless it has no values.
    public mutating func add(_ name: String, _ values: [String]) {
        guard !values.isEmpty, let type = AttributeRegistry.type(named: name) else { return }
        attributes.append(Attribute(type: type, values: values))
    }

    /// Appends an attribute with one value, if present.
    public mutating func add(_ name: String, _ value: String?) {
        if let value, !value.isEmpty { add(name, [value]) }
    }

    /// Appends an attribute of a known type unless it has no values (no lookup by name: the
    /// member entries' builder adds ~25 attributes per entry).
    public mutating func add(_ type: AttributeType, _ values: [String]) {
        guard !values.isEmpty else { return }
        attributes.append(Attribute(type: type, values: values))
    }

    /// Appends an attribute of a known type with one value, if present.
    public mutating func add(_ type: AttributeType, _ value: String?) {
        if let value, !value.isEmpty { attributes.append(Attribute(type: type, values: [value])) }
    }
}
