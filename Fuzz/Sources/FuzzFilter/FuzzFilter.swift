import BER
import FuzzSupport
import LDAPProtocol

// The RFC 4515 filter-string parser. Beyond "never traps", these properties must hold:
//
// - a parsed filter's string form parses back to the same filter and prints the same;
// - its BER encoding decodes to the same filter (a filter typed into a client is the filter the
//   server receives);
// - the string parser and the BER decoder agree on the nesting limit: both accept a filter
//   exactly when its and/or/not nesting is within maxDepth.

/// How deeply and/or/not nest in `filter` (a leaf is 0, `(!(cn=a))` is 1, `(&)` is 1).
func nesting(_ filter: Filter) -> Int {
    switch filter {
    case .and(let items), .or(let items): return 1 + (items.map(nesting).max() ?? 0)
    case .not(let inner): return 1 + nesting(inner)
    default: return 0
    }
}

func parses(_ string: String, maxDepth: Int) -> Filter? { try? Filter(parsing: string, maxDepth: maxDepth) }

/// Decodes a filter's BER encoding as a SearchRequest's filter is decoded.
func decodes(_ encoding: [UInt8], maxDepth: Int) -> Filter? {
    var reader = BERReader(encoding[...], limits: ProtocolLimits().ber)
    guard let node = try? reader.read(), (try? reader.finish()) != nil else { return nil }
    return try? Filter(berEncoded: node, maxDepth: maxDepth)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = String(decoding: bytes(data, size), as: UTF8.self)
    guard let filter = parses(input, maxDepth: 64) else { return 0 }

    let printed = filter.description
    guard let again = parses(printed, maxDepth: 64) else {
        fatalError("property violated: the string form \(printed.debugDescription) of \(input.debugDescription) does not parse")
    }
    require(again == filter, "the string form \(printed.debugDescription) parses to another filter: \(again)")
    require(Array(again.description.utf8) == Array(printed.utf8), "printing is not stable for \(printed.debugDescription)")

    var s = BERSerializer()
    filter.encode(into: &s)
    let depth = nesting(filter)
    guard let decoded = decodes(s.bytes, maxDepth: depth) else {
        fatalError("property violated: the BER encoding of \(printed.debugDescription) does not decode at maxDepth \(depth)")
    }
    require(decoded == filter, "the BER encoding of \(printed.debugDescription) decodes to \(decoded)")
    require(parses(printed, maxDepth: depth) != nil, "\(printed.debugDescription) of nesting \(depth) is refused at maxDepth \(depth)")
    if depth > 0 {
        require(parses(printed, maxDepth: depth - 1) == nil, "\(printed.debugDescription) of nesting \(depth) parses at maxDepth \(depth - 1)")
        require(decodes(s.bytes, maxDepth: depth - 1) == nil, "the BER of \(printed.debugDescription), nesting \(depth), decodes at maxDepth \(depth - 1)")
    }
    return 0
}
