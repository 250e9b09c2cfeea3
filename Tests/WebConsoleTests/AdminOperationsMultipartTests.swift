import Foundation
import Testing

@testable import WebConsole

/// A multipart body as a browser sends it (RFC 7578), built by hand, independently of the parser.
func multipartBody(boundary: String, fields: [(String, String)], files: [(name: String, filename: String, bytes: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    for (name, value) in fields {
        out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }
    for f in files {
        out += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.name)\"; filename=\"\(f.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        out += f.bytes
        out += Array("\r\n".utf8)
    }
    out += Array("--\(boundary)--\r\n".utf8)
    return out
}

@Suite struct AdminOperationsMultipartTests {
    static let boundary = "----RosterBoundary7MA4YWxkTrZu0gW"

    @Test func parsesFieldsAndTwoFiles() throws {
        let binary: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x0D, 0x0A, 0x2D, 0x2D, 0x00, 0xFF]  // CRLF "--" inside a file
        let body = multipartBody(
            boundary: Self.boundary, fields: [("_csrf", "abc123"), ("update", "1"), ("名字", "张三")],
            files: [("file", "名单.xlsx", binary), ("other", "b.csv", Array("账号,姓名\r\nt1,张\r\n".utf8))])
        let form = try MultipartForm(parsing: body, boundary: Self.boundary)
        #expect(form.parts.count == 5)
        #expect(form.fields["_csrf"] == ["abc123"])
        #expect(form.fields["update"] == ["1"])
        #expect(form.fields["名字"] == ["张三"])
        #expect(form.fields["file"] == nil)
        let file = try #require(form.file("file"))
        #expect(file.filename == "名单.xlsx")
        #expect(file.contentType == "application/octet-stream")
        #expect(Array(file.body) == binary)
        #expect(String(decoding: try #require(form.file("other")).body, as: UTF8.self) == "账号,姓名\r\nt1,张\r\n")
    }

    @Test func refusesEveryPrefixThatStopsBeforeTheCloseDelimiter() throws {
        let body = multipartBody(
            boundary: Self.boundary, fields: [("_csrf", "abc")], files: [("file", "a.csv", Array("账号\r\nx\r\n".utf8))])
        // The whole body ends with "--BOUNDARY--\r\n": every shorter prefix than "--BOUNDARY--" lacks it.
        let complete = body.count - 2
        #expect(throws: Never.self) { try MultipartForm(parsing: Array(body.prefix(complete)), boundary: Self.boundary) }
        for n in 0..<complete {
            #expect(throws: MultipartError.self, "prefix of \(n) bytes") {
                try MultipartForm(parsing: Array(body.prefix(n)), boundary: Self.boundary)
            }
        }
    }

    @Test func refusesAMissingOrMalformedBoundary() throws {
        #expect(throws: MultipartError.self) { try MultipartForm.boundary(contentType: "multipart/form-data") }
        #expect(throws: MultipartError.self) { try MultipartForm.boundary(contentType: "multipart/form-data; boundary=") }
        #expect(throws: MultipartError.self) { try MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") }
        #expect(throws: MultipartError.self) {
            try MultipartForm.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "a", count: 71))
        }
        #expect(try MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(try MultipartForm.boundary(contentType: "Multipart/Form-Data; charset=utf-8; BOUNDARY=xyz") == "xyz")
        // A body whose boundary is not the header's.
        let body = multipartBody(boundary: "other", fields: [("a", "b")], files: [])
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: body, boundary: Self.boundary) }
        // No parts at all.
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: Array("--\(Self.boundary)--\r\n".utf8), boundary: Self.boundary) }
    }

    @Test func refusesAPartOverItsLimit() throws {
        var limits = MultipartLimits()
        limits.maxFileBytes = 100
        limits.maxFieldBytes = 10
        let fits = multipartBody(boundary: Self.boundary, fields: [("a", "0123456789")], files: [("f", "x", Array(repeating: 65, count: 100))])
        #expect(throws: Never.self) { try MultipartForm(parsing: fits, boundary: Self.boundary, limits: limits) }
        let bigFile = multipartBody(boundary: Self.boundary, fields: [], files: [("f", "x", Array(repeating: 65, count: 101))])
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: bigFile, boundary: Self.boundary, limits: limits) }
        let bigField = multipartBody(boundary: Self.boundary, fields: [("a", "01234567890")], files: [])
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: bigField, boundary: Self.boundary, limits: limits) }
        limits.maxParts = 2
        let many = multipartBody(boundary: Self.boundary, fields: [("a", "1"), ("b", "2"), ("c", "3")], files: [])
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: many, boundary: Self.boundary, limits: limits) }
    }

    @Test func refusesAPartWithoutANameAndKeepsOnlyTheFileNamesLastComponent() throws {
        let noName = Array("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--".utf8)
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: noName, boundary: "b") }
        let noDisposition = Array("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--".utf8)
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: noDisposition, boundary: "b") }
        let path = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\\\Users\\\\hr\\\\名单.xlsx\"\r\n\r\nx\r\n--b--".utf8)
        #expect(try MultipartForm(parsing: path, boundary: "b").file("f")?.filename == "名单.xlsx")
        let traversal = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../etc/passwd\"\r\n\r\nx\r\n--b--".utf8)
        #expect(try MultipartForm(parsing: traversal, boundary: "b").file("f")?.filename == "passwd")
    }
}
