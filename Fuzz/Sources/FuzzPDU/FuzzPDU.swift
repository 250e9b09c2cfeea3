import BER
import FuzzSupport
import LDAPProtocol
import NIOCore

// The PDU decoder, fed a byte stream as a connection receives it: LDAPMessageDecoder.decodeOne
// frames PDUs off a ByteBuffer and LDAPMessage(berEncoded:) decodes them. Beyond "never traps",
// these properties must hold:
//
// - a decoded message re-encodes to bytes that decode to the same message, and those bytes are a
//   fixed point (encoding what they decode to gives them back);
// - how the stream is split into reads never changes what it decodes to (messages, then the
//   error or the incomplete tail);
// - tighter limits only ever cut the stream short: what decodes under them decodes the same under
//   the defaults;
// - the values the frontend decodes further (control values, the Password Modify request) round
//   trip the same way.

/// What a byte stream decodes to: its messages in order, then the error that ended it, or how
/// many bytes of an incomplete PDU were left waiting.
struct Outcome: Equatable {
    var messages: [LDAPMessage] = []
    var error: LDAPFramingError?
    var waiting = 0
}

/// Decodes `input` arriving in reads that end at `splits`, as the channel's decoder sees it.
func decode(_ input: [UInt8], splits: [Int], limits: ProtocolLimits) -> Outcome {
    var outcome = Outcome()
    var buffer = ByteBuffer()
    var start = 0
    for end in splits + [input.count] where end >= start {
        buffer.writeBytes(input[start..<end])
        start = end
        while true {
            let before = buffer.readableBytes
            do {
                guard let message = try LDAPMessageDecoder.decodeOne(from: &buffer, limits: limits) else {
                    require(buffer.readableBytes == before, "decodeOne consumed bytes without returning a message")
                    break
                }
                require(buffer.readableBytes < before, "decodeOne returned a message without consuming bytes")
                outcome.messages.append(message)
            } catch {
                outcome.error = error
                return outcome
            }
        }
    }
    outcome.waiting = buffer.readableBytes
    return outcome
}

/// Re-encodes `value` with `encode`, decodes the bytes with `decode`, and requires the same value
/// and a fixed point of the encoding.
func requireRoundTrip<T: Equatable>(
    _ value: T, _ what: String, encode: (T) -> [UInt8], decode: ([UInt8]) throws -> T
) {
    let bytes = encode(value)
    let again: T
    do {
        again = try decode(bytes)
    } catch {
        fatalError("property violated: the re-encoded \(what) does not decode (\(error)): \(value) as \(bytes)")
    }
    require(again == value, "the re-encoded \(what) decodes to something else: \(value) became \(again)")
    require(encode(again) == bytes, "the \(what)'s encoding is not a fixed point: \(bytes) became \(encode(again))")
}

func checkMessage(_ message: LDAPMessage, limits: ProtocolLimits) {
    requireRoundTrip(message, "message", encode: \.berEncoded) { bytes in
        try LDAPMessage(berEncoded: bytes[...], limits: limits)
    }
    for control in message.controls {
        guard let value = control.value else { continue }
        if let paged = try? PagedResultsControl(controlValue: value) {
            requireRoundTrip(paged, "paged results control", encode: \.controlValue) {
                try PagedResultsControl(controlValue: $0)
            }
        }
        if let sort = try? SortRequestControl(controlValue: value) {
            requireRoundTrip(sort, "sort request control", encode: \.controlValue) {
                try SortRequestControl(controlValue: $0)
            }
        }
        if let sorted = try? SortResponseControl(controlValue: value) {
            requireRoundTrip(sorted, "sort response control", encode: { $0.control.value ?? [] }) {
                try SortResponseControl(controlValue: $0)
            }
        }
    }
    switch message.protocolOp {
    case .extendedRequest(let request):
        if let modify = try? PasswordModifyRequest(requestValue: request.value), request.value != nil {
            requireRoundTrip(modify, "Password Modify request", encode: \.requestValue) {
                try PasswordModifyRequest(requestValue: $0)
            }
        }
    case .searchRequest(let request):
        // The frontend logs filters in their string form.
        _ = request.filter.description
    default:
        break
    }
}

/// Tight limits, to exercise the limit checks: an element of 2 KiB, 12 levels, filters 4 deep.
let tight = ProtocolLimits(maxPDUSize: 2048, maxBERDepth: 12, maxFilterDepth: 4)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPDU(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let defaults = ProtocolLimits()
    let whole = decode(input, splits: [], limits: defaults)
    for message in whole.messages { checkMessage(message, limits: defaults) }

    // The same stream in reads of varying sizes (the split points come from the input itself, so
    // the fuzzer explores them), and one byte at a time for short inputs.
    var splits: [Int] = []
    var at = 0
    for b in input.prefix(16) {
        at += Int(b % 64) + 1
        if at < input.count { splits.append(at) }
    }
    require(decode(input, splits: splits, limits: defaults) == whole, "splitting the stream at \(splits) changed it")
    if input.count <= 256 {
        require(decode(input, splits: Array(0..<input.count), limits: defaults) == whole, "byte-by-byte reads changed it")
    }

    let cut = decode(input, splits: [], limits: tight)
    require(
        cut.messages.count <= whole.messages.count && Array(whole.messages.prefix(cut.messages.count)) == cut.messages,
        "tighter limits decoded something the defaults do not")
    if cut.error == nil {
        require(cut == whole, "a stream that passes tight limits decodes differently under the defaults")
    }
    return 0
}
