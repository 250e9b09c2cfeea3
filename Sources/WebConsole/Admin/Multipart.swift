import Foundation

// MARK: - multipart/form-data (RFC 7578 over RFC 2046 §5.1), bounded

/// The limits of a `multipart/form-data` body, besides its size (``WebLimits/maxUploadBytes``,
/// checked while it is read).
struct MultipartLimits: Sendable, Hashable {
    /// The most parts a body may have (default 32).
    var maxParts = 32
    /// The largest part with a file name, in bytes (default 10 MiB).
    var maxFileBytes = 10 * 1024 * 1024
    /// The largest part without a file name (a plain field), in bytes (default 64 KiB).
    var maxFieldBytes = 64 * 1024
    /// The largest header block of a part, in bytes (default 8 KiB).
    var maxHeaderBytes = 8 * 1024
}

/// Why a multipart body was refused (answered 400; the reason is logged, never shown).
struct MultipartError: Error, Sendable, Hashable, CustomStringConvertible {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { "multipart: \(reason)" }
}

/// A parsed `multipart/form-data` body: its plain fields and its files, in order.
///
/// ```
/// multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF
///                   body-part *encapsulation close-delimiter transport-padding [CRLF epilogue]
/// encapsulation  := delimiter transport-padding CRLF body-part      ; delimiter = CRLF "--" boundary
/// body-part      := MIME-part-headers [CRLF *OCTET]                 ; RFC 2046 §5.1.1
/// ```
/// Every part needs `Content-Disposition: form-data; name="…"` (RFC 7578 §4.2); a part with a
/// `filename` parameter is a file. A body that stops before its close delimiter is refused.
struct MultipartForm: Sendable, Hashable {
    /// One part.
    struct Part: Sendable, Hashable {
        var name: String
        /// The file's name as sent, without any directory (nil: a plain field).
        var filename: String?
        var contentType: String?
        var body: Data
    }

    var parts: [Part] = []

    /// The plain fields (parts without a file name) as text.
    var fields: [String: [String]] {
        var out: [String: [String]] = [:]
        for p in parts where p.filename == nil {
            out[p.name, default: []].append(String(decoding: p.body, as: UTF8.self))
        }
        return out
    }

    /// The first file part of a name.
    func file(_ name: String) -> Part? { parts.first { $0.name == name && $0.filename != nil } }

    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` header (RFC 2046 §5.1.1:
    /// 1–70 characters of its set).
    static func boundary(contentType: String) throws(MultipartError) -> String {
        let pieces = contentType.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard pieces.first?.lowercased() == "multipart/form-data" else { throw MultipartError("not multipart/form-data") }
        for p in pieces.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = kv[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".unicodeScalars)
            guard (1...70).contains(value.unicodeScalars.count), value.unicodeScalars.allSatisfy(allowed.contains),
                value.last != " "
            else { throw MultipartError("the boundary is not 1–70 characters of RFC 2046's set") }
            return value
        }
        throw MultipartError("no boundary")
    }

    /// Parses a body.
    /// - Parameters:
    ///   - body: the bytes as received.
    ///   - boundary: from ``boundary(contentType:)``.
    ///   - limits: parts, part and header sizes.
    /// - Throws: ``MultipartError`` for a body that is not whole, well-formed and within the limits.
    init(parsing body: [UInt8], boundary: String, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) {
        let dash = Array("--\(boundary)".utf8)
        let delimiter = [13, 10] + dash  // CRLF "--" boundary
        // The first boundary: at the start, or after a preamble ending in CRLF.
        var i: Int
        if body.starts(with: dash) {
            i = dash.count
        } else if let d = Self.find(delimiter, in: body, from: 0) {
            i = d + delimiter.count
        } else {
            throw MultipartError("no boundary in the body")
        }
        while true {
            // After a boundary: "--" closes the body; otherwise padding, CRLF, a part.
            if Self.has([45, 45], in: body, at: i) { break }
            while i < body.count, body[i] == 32 || body[i] == 9 { i += 1 }
            guard Self.has([13, 10], in: body, at: i) else { throw MultipartError("a boundary is not followed by CRLF") }
            i += 2
            guard parts.count < limits.maxParts else { throw MultipartError("more than \(limits.maxParts) parts") }
            // Headers, up to the empty line.
            guard let headerEnd = Self.find([13, 10, 13, 10], in: body, from: i, within: limits.maxHeaderBytes + 4) else {
                throw MultipartError("a part's headers do not end (or exceed \(limits.maxHeaderBytes) bytes)")
            }
            var part = try Self.headers(body[i..<headerEnd])
            i = headerEnd + 4
            let limit = part.filename == nil ? limits.maxFieldBytes : limits.maxFileBytes
            guard let end = Self.find(delimiter, in: body, from: i, within: limit + delimiter.count) else {
                if body.count - i > limit { throw MultipartError("part \(part.name) exceeds \(limit) bytes") }
                throw MultipartError("the body ends inside part \(part.name)")
            }
            part.body = Data(body[i..<end])
            parts.append(part)
            i = end + delimiter.count
        }
        guard !parts.isEmpty else { throw MultipartError("no parts") }
    }

    /// A part's headers: `Content-Disposition` (required, `form-data` with a name) and
    /// `Content-Type`; others are ignored.
    private static func headers(_ bytes: ArraySlice<UInt8>) throws(MultipartError) -> Part {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw MultipartError("a part's headers are not UTF-8") }
        var disposition: String?
        var contentType: String?
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw MultipartError("a header line has no colon") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-disposition": disposition = value
            case "content-type": contentType = value
            default: continue
            }
        }
        guard let disposition else { throw MultipartError("a part has no Content-Disposition") }
        let params = try parameters(disposition)
        guard params.first?.0 == "form-data" else { throw MultipartError("a part is not form-data") }
        var name: String?
        var filename: String?
        for (k, v) in params.dropFirst() {
            switch k {
            case "name": name = v
            case "filename": filename = v
            default: continue
            }
        }
        guard let name, !name.isEmpty else { throw MultipartError("a part has no name") }
        // Only the last path component of a file name (some browsers send C:\path\file.xlsx).
        let base = filename.map { f in String(f.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "") }
        return Part(name: name, filename: base, contentType: contentType, body: Data())
    }

    /// `form-data; name="a"; filename="b.xlsx"` → [("form-data", ""), ("name", "a"), ("filename", "b.xlsx")]:
    /// quoted strings may hold `;` and `\"`.
    private static func parameters(_ value: String) throws(MultipartError) -> [(String, String)] {
        var out: [(String, String)] = []
        var chars = Array(value)[...]
        func skipSpaces() { while let c = chars.first, c == " " || c == "\t" { chars.removeFirst() } }
        while !chars.isEmpty {
            skipSpaces()
            var key = ""
            while let c = chars.first, c != "=", c != ";" {
                key.append(c)
                chars.removeFirst()
            }
            var v = ""
            if chars.first == "=" {
                chars.removeFirst()
                skipSpaces()
                if chars.first == "\"" {
                    chars.removeFirst()
                    var closed = false
                    while let c = chars.popFirst() {
                        if c == "\\", let next = chars.popFirst() {
                            v.append(next)
                        } else if c == "\"" {
                            closed = true
                            break
                        } else {
                            v.append(c)
                        }
                    }
                    guard closed else { throw MultipartError("an unterminated quoted parameter") }
                    skipSpaces()
                } else {
                    while let c = chars.first, c != ";" {
                        v.append(c)
                        chars.removeFirst()
                    }
                    v = v.trimmingCharacters(in: .whitespaces)
                }
            }
            out.append((key.trimmingCharacters(in: .whitespaces).lowercased(), v))
            if chars.first == ";" { chars.removeFirst() } else if !chars.isEmpty { throw MultipartError("a malformed parameter") }
        }
        return out
    }

    private static func has(_ needle: [UInt8], in body: [UInt8], at i: Int) -> Bool {
        guard i >= 0, body.count - i >= needle.count else { return false }
        for k in 0..<needle.count where body[i + k] != needle[k] { return false }
        return true
    }

    /// The first offset of `needle` at or after `start`, looking at most `within` bytes on.
    private static func find(_ needle: [UInt8], in body: [UInt8], from start: Int, within: Int = .max) -> Int? {
        guard let first = needle.first, start >= 0 else { return nil }
        let last = body.count - needle.count
        let stop = within >= body.count ? last : min(last, start + within - needle.count)
        guard start <= stop else { return nil }
        return body.withUnsafeBufferPointer { b -> Int? in
            var i = start
            while i <= stop {
                if b[i] == first {
                    var k = 1
                    while k < needle.count, b[i + k] == needle[k] { k += 1 }
                    if k == needle.count { return i }
                }
                i += 1
            }
            return nil
        }
    }
}
