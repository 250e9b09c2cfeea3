/// What a member's name is searched and shown by, derived once when the name is stored: its
/// pinyin, its parts (sn, givenName) and each part's pinyin. Entries and filters read these for
/// every member a search examines; deriving them there (splitting the name, slicing the
/// syllables) was a tenth of an address-book search.
public struct MemberNames: Sendable, Hashable {
    /// The whole name's pinyin forms.
    public let pinyin: PinyinName
    /// The name split into surname and given name (``NameParts``).
    public let parts: NameParts
    /// The surname's pinyin, when the surname is all Han and the syllables line up.
    public let surnamePinyin: PinyinName?
    /// The given name's pinyin, likewise.
    public let givenNamePinyin: PinyinName?

    /// - Parameters:
    ///   - name: the member's name.
    ///   - pinyin: its pinyin forms.
    public init(_ name: String, pinyin: PinyinName) {
        self.pinyin = pinyin
        self.parts = NameParts(name)
        let partPinyin = DirectoryModel.partPinyin(name, pinyin)
        self.surnamePinyin = partPinyin.surname
        self.givenNamePinyin = partPinyin.givenName
    }
}

/// A member as the model stores it: the member and its names. A reference, so that the model's
/// hash tree holds a pointer per member and a lookup copies none of the fields.
public final class MemberRecord: Sendable {
    public let member: Member
    public let names: MemberNames

    public init(member: Member, names: MemberNames) {
        self.member = member
        self.names = names
    }
}
