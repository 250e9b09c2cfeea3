import Foundation
import Testing
import TestSupport

@testable import QRCode

/// Known answers worked out by hand from ISO/IEC 18004 (and its Annex I example), then symbols
/// read back by an independent decoder (zbar's `zbarimg`).
@Suite struct QRCodeKnownAnswerTests {
    @Test func reedSolomonMatchesTheStandardsVersion1MExample() {
        // Annex I: "01234567" at 1-M gives these 16 data codewords and these 10 EC codewords.
        let data: [UInt8] = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]
        let ecc = ReedSolomon.remainder(data, divisor: ReedSolomon.generator(degree: 10))
        #expect(ecc == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test func fieldMultiplicationReducesByTheQRPolynomial() {
        #expect(ReedSolomon.multiply(0x80, 0x02) == 0x1D)  // x⁸ = x⁴ + x³ + x² + 1
        #expect(ReedSolomon.multiply(0x53, 0x01) == 0x53)
        #expect(ReedSolomon.multiply(0x00, 0xFF) == 0x00)
    }

    @Test func byteModeBitstreamHasModeCountDataTerminatorAndPads() {
        // 0100 | 00000001 | 01000001 | 0000 → 0x40 0x14 0x10, then 11101100 00010001 alternating
        // up to the 19 data codewords of version 1-L.
        let expected: [UInt8] = [0x40, 0x14, 0x10] + Array(repeating: [UInt8]([0xEC, 0x11]), count: 8).flatMap { $0 }
        #expect(QRCode.dataCodewords([0x41], version: 1, .low) == expected)
        #expect(QRCode.dataCodewordCount(version: 1, .low) == 19)
        #expect(QRCode.dataCodewordCount(version: 1, .medium) == 16)
    }

    @Test func byteCapacitiesMatchTheStandardsTable() {
        #expect(QRCode.byteCapacity(version: 1, .low) == 17)
        #expect(QRCode.byteCapacity(version: 1, .medium) == 14)
        #expect(QRCode.byteCapacity(version: 10, .low) == 271)
        #expect(QRCode.byteCapacity(version: 10, .medium) == 213)
        #expect(QRCode.byteCapacity(version: 40, .low) == 2953)
        #expect(QRCode.byteCapacity(version: 40, .medium) == 2331)
    }

    @Test func formatInformationIsBCHCodedAndMasked() {
        // Level M (00), mask 0: all-zero data, so the word is the XOR mask itself.
        #expect(Matrix.formatBits(.medium, mask: 0) == 0b101010000010010)
        // Level L (01), mask 4 (100): data 01100, BCH remainder 0100011110 → 011000100011110, XOR 101010000010010.
        #expect(Matrix.formatBits(.low, mask: 4) == 0b110011000101111)
    }

    @Test func versionInformationIsBCHCoded() {
        #expect(Matrix.versionBits(7) == 0b000111_110010010100)
        #expect(Matrix.versionBits(40) == 0b101000_110001101001)
    }

    @Test func alignmentPatternCentresMatchAnnexE() {
        #expect(Matrix.alignmentPositions(version: 1) == [])
        #expect(Matrix.alignmentPositions(version: 2) == [6, 18])
        #expect(Matrix.alignmentPositions(version: 7) == [6, 22, 38])
        #expect(Matrix.alignmentPositions(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(Matrix.alignmentPositions(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test func smallestVersionIsChosen() throws {
        #expect(try QRCode(bytes: Array(repeating: 0x41, count: 14), errorCorrection: .medium).version == 1)
        #expect(try QRCode(bytes: Array(repeating: 0x41, count: 15), errorCorrection: .medium).version == 2)
        #expect(try QRCode(bytes: Array(repeating: 0x41, count: 2331), errorCorrection: .medium).version == 40)
        #expect(throws: QRCode.EncodingError.self) { try QRCode(bytes: Array(repeating: 0x41, count: 2332), errorCorrection: .medium) }
    }

    @Test func finderPatternsAndTimingAreWhereTheStandardPutsThem() throws {
        let code = try QRCode(text: "A", errorCorrection: .medium)
        #expect(code.size == 21)
        // Finder: a 7×7 dark ring, light ring, 3×3 dark core; separator light.
        for (cx, cy) in [(3, 3), (17, 3), (3, 17)] {
            #expect(code[x: cx, y: cy])
            #expect(code[x: cx - 3, y: cy - 3])
            #expect(!code[x: cx - 2, y: cy - 2])
            #expect(code[x: cx - 1, y: cy - 1])
        }
        #expect(!code[x: 7, y: 7])
        // Timing row 6 between the finders alternates, dark on even columns.
        for x in 8...12 { #expect(code[x: x, y: 6] == (x % 2 == 0)) }
        // The dark module above the bottom-left finder.
        #expect(code[x: 8, y: 13])
    }
}

@Suite struct QRCodeDecoderTests {
    /// Writes the symbol as PBM and reads it with zbarimg; returns the decoded bytes.
    func decode(_ code: QRCode) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("code.pbm")
        try code.pbm(scale: 3).write(to: file, atomically: true, encoding: .ascii)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        p.arguments = ["--raw", "-q", "-Sbinary", file.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = readAll(out.fileHandleForReading)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "zbarimg could not read version \(code.version) (exit \(p.terminationStatus))")
        // With -Sbinary, zbarimg writes the bytes as they are (no newline after them).
        return [UInt8](data)
    }

    func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            // Printable ASCII, so zbar does not guess another character set.
            return UInt8(0x20 + (state >> 33) % 95)
        }
    }

    @Test(arguments: [1, 14, 15, 42, 106, 213, 400, 700, 1000, 1400, 1900, 2331])
    func zbarReadsLevelM(count: Int) throws {
        let bytes = sample(count, seed: UInt64(count))
        let code = try QRCode(bytes: bytes, errorCorrection: .medium)
        #expect(try decode(code) == bytes, "version \(code.version)")
    }

    @Test(arguments: [17, 300, 1200, 2953])
    func zbarReadsLevelL(count: Int) throws {
        let bytes = sample(count, seed: UInt64(count) + 7)
        let code = try QRCode(bytes: bytes, errorCorrection: .low)
        #expect(try decode(code) == bytes, "version \(code.version)")
    }

    @Test(arguments: 0..<8)
    func zbarReadsEveryMask(mask: Int) throws {
        let bytes = sample(150, seed: 99)
        let code = try QRCode(bytes: bytes, errorCorrection: .medium, mask: mask)
        #expect(code.mask == mask)
        #expect(try decode(code) == bytes)
    }

    @Test func zbarReadsAChineseVCard() throws {
        let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:张三\r\nN:张;三;;;\r\nORG:育才学校;教师组\r\nTEL;TYPE=cell;VALUE=uri:tel:13800138000\r\nEND:VCARD\r\n"
        let code = try QRCode(text: text, errorCorrection: .medium)
        let decoded = try decode(code)
        #expect(decoded == Array(text.utf8), "\(decoded.count) bytes: \(String(decoding: decoded, as: UTF8.self).debugDescription)")
    }

    @Test func svgDrawsEveryDarkModuleOnce() throws {
        let code = try QRCode(text: "roster", errorCorrection: .medium)
        let svg = code.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 29 29\""))
        // Each run "M x y h n v1 h-n z" covers n modules: they add up to the dark modules.
        var covered = 0
        for part in svg.split(separator: "h").dropFirst() where !part.hasPrefix("-") {
            covered += Int(part.prefix { $0.isNumber }) ?? 0
        }
        #expect(covered == code.modules.filter { $0 }.count)
    }
}
