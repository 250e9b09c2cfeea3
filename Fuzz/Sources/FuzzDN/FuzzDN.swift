import BER
import FuzzSupport
import LDAPProtocol

// The RFC 4514 DN parser, given what a PDU's LDAPDN decodes to (BER.decodeLDAPDN: any bytes, with
// invalid UTF-8 as U+FFFD). Beyond "never traps", these properties must hold:
//
// - a parsed DN's string form parses back to the same DN, byte for byte, and prints the same;
// - its normalised form parses, and normalising that gives the same normalised form (two DNs name
//   the same entry exactly when their normalised forms are equal, so normalising must be
//   idempotent), and a folded value has no leading, trailing or repeated whitespace;
// - a DN lies within itself, its parents and the root;
// - any value Roster may hold (no NUL, no U+FFFD) printed into a DN parses back to itself: Roster
//   prints DNs from stored names, and clients send them back.

/// The DN as type and value bytes, so that equality is byte equality and not Unicode canonical
/// equivalence (which `String ==` is).
func exact(_ dn: DistinguishedName) -> [[[UInt8]]] {
    dn.rdns.map { rdn in rdn.attributes.flatMap { [Array($0.type.utf8), Array($0.value.utf8)] } }
}

func reparse(_ string: String, _ what: String, of original: String) -> DistinguishedName {
    do {
        return try DistinguishedName(parsing: string)
    } catch {
        fatalError("property violated: the \(what) \(Array(string.utf8)) of \(Array(original.utf8)) does not parse: \(error)")
    }
}

/// RFC 4518's insignificant-space handling, as the folded form promises it: no whitespace at
/// either end and none but single spaces inside.
func isFolded(_ value: String) -> Bool {
    var previousWasSpace = true
    // By scalar: a space followed by a combining mark is one Character.
    for ch in value.unicodeScalars {
        if ch.properties.isWhitespace {
            if ch != " " || previousWasSpace { return false }
            previousWasSpace = true
        } else {
            previousWasSpace = false
        }
    }
    return !previousWasSpace || value.isEmpty
}

func checkParsed(_ dn: DistinguishedName, from input: String) {
    let printed = dn.description
    let again = reparse(printed, "string form", of: input)
    require(exact(again) == exact(dn), "the string form \(Array(printed.utf8)) parses to another DN")
    require(Array(again.description.utf8) == Array(printed.utf8), "printing is not stable for \(Array(printed.utf8))")

    let normalized = dn.normalized
    let renormalized = reparse(normalized, "normalised form", of: input).normalized
    require(
        Array(renormalized.utf8) == Array(normalized.utf8),
        "normalising is not idempotent: \(Array(normalized.utf8)) became \(Array(renormalized.utf8))")
    for rdn in dn.rdns {
        for pair in rdn.attributes {
            require(isFolded(pair.normalizedValue), "folded value \(Array(pair.normalizedValue.utf8)) keeps whitespace")
        }
    }

    require(dn.isWithin(dn) && dn.isWithin(.root), "a DN is not within itself or the root")
    var ancestor = dn.parent
    while let a = ancestor {
        require(dn.isWithin(a) && !a.isWithin(dn), "a DN and its parent are not nested")
        ancestor = a.parent
    }
}

/// Builds DNs from the input's pieces as values (what a department or member name may hold) and
/// requires that their printed forms parse back to them.
func checkPrinted(_ input: String) {
    let values = input.split(separator: "\u{1}", omittingEmptySubsequences: false).prefix(4).map(String.init)
        .filter { !$0.unicodeScalars.contains("\u{0}") && !$0.unicodeScalars.contains("\u{FFFD}") }
    guard let first = values.first else { return }
    let types = ["cn", "ou", "uid", "2.5.4.3"]
    var rdns = values.enumerated().map { RelativeDistinguishedName(type: types[$0.offset], value: $0.element) }
    rdns.append(RelativeDistinguishedName(values.enumerated().map { AttributeTypeAndValue(type: types[$0.offset], value: $0.element) }))
    rdns.append(RelativeDistinguishedName(type: "dc", value: "example"))
    let dn = DistinguishedName(rdns)
    let printed = dn.description
    let again = reparse(printed, "printed DN", of: first)
    require(exact(again) == exact(dn), "the printed DN \(Array(printed.utf8)) parses to another DN")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDN(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let string = BER.decodeLDAPDN(input[...])
    if let dn = try? DistinguishedName(parsing: string) { checkParsed(dn, from: string) }
    checkPrinted(string)
    return 0
}
