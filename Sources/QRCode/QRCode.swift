/// A QR code symbol (ISO/IEC 18004:2015) encoding bytes in byte mode: the smallest version (1–40)
/// that holds them at the error-correction level asked for, Reed–Solomon error correction over
/// GF(256), the codewords interleaved and placed in the standard zigzag, and the mask (of the
/// eight) with the lowest penalty score.
public struct QRCode: Sendable, Hashable {
    /// The error-correction levels (§7.5.1), in the order of their strength.
    public enum ErrorCorrection: Int, Sendable, Hashable, CaseIterable {
        /// Recovers about 7 % of the codewords.
        case low = 0
        /// About 15 %.
        case medium = 1
        /// About 25 %.
        case quartile = 2
        /// About 30 %.
        case high = 3

        /// The level's two bits in the format information (§7.9.1, Table 12: L 01, M 00, Q 11, H 10).
        var formatBits: Int {
            switch self {
            case .low: 1
            case .medium: 0
            case .quartile: 3
            case .high: 2
            }
        }
    }

    /// Why bytes could not be encoded.
    public struct EncodingError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// 1–40: the symbol is 17 + 4 × version modules wide.
    public let version: Int
    public let errorCorrection: ErrorCorrection
    /// The mask pattern chosen (0–7).
    public let mask: Int
    /// Modules wide (and high).
    public let size: Int
    /// Row-major: `modules[y * size + x]` is true for a dark module.
    public let modules: [Bool]

    /// Whether the module at column `x`, row `y` is dark.
    public subscript(x x: Int, y y: Int) -> Bool { modules[y * size + x] }

    /// Encodes `bytes` in byte mode in the smallest version that holds them.
    /// - Parameters:
    ///   - bytes: the data (a vCard: UTF-8 text).
    ///   - errorCorrection: the level.
    ///   - mask: force a mask (0–7) instead of choosing by penalty (tests).
    /// - Throws: ``EncodingError`` when even version 40 cannot hold them.
    public init(bytes: [UInt8], errorCorrection: ErrorCorrection = .medium, mask forcedMask: Int? = nil) throws(EncodingError) {
        guard let version = (1...40).first(where: { Self.byteCapacity(version: $0, errorCorrection) >= bytes.count }) else {
            throw EncodingError(
                description: "\(bytes.count) bytes do not fit in a QR code at level \(errorCorrection) "
                    + "(at most \(Self.byteCapacity(version: 40, errorCorrection)))")
        }
        let codewords = Self.addErrorCorrection(Self.dataCodewords(bytes, version: version, errorCorrection), version, errorCorrection)
        var matrix = Matrix(version: version)
        matrix.drawFunctionPatterns()
        matrix.placeCodewords(codewords)
        var best: (mask: Int, matrix: Matrix, penalty: Int)?
        for mask in forcedMask.map({ [$0] }) ?? Array(0..<8) {
            var candidate = matrix
            candidate.applyMask(mask)
            candidate.drawFormatBits(errorCorrection, mask: mask)
            let penalty = forcedMask == nil ? candidate.penalty() : 0
            if best == nil || penalty < best!.penalty { best = (mask, candidate, penalty) }
        }
        let chosen = best!
        self.version = version
        self.errorCorrection = errorCorrection
        self.mask = chosen.mask
        self.size = chosen.matrix.size
        self.modules = chosen.matrix.dark
    }

    /// Encodes UTF-8 text in byte mode.
    /// - Throws: ``EncodingError`` when it does not fit.
    public init(text: String, errorCorrection: ErrorCorrection = .medium) throws(EncodingError) {
        try self.init(bytes: Array(text.utf8), errorCorrection: errorCorrection)
    }

    // MARK: - Capacity (§7.4.10, Table 7; §7.5.1, Table 9)

    /// Error-correction codewords per block, by level then version (index 0 unused).
    static let eccCodewordsPerBlock: [[Int]] = [
        [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Error-correction blocks, by level then version (index 0 unused).
    static let errorCorrectionBlocks: [[Int]] = [
        [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Modules left for data and error correction once the function patterns and the format and
    /// version information are drawn (remainder bits included).
    static func rawDataModules(version v: Int) -> Int {
        var result = (16 * v + 128) * v + 64
        if v >= 2 {
            let alignments = v / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if v >= 7 { result -= 36 }
        }
        return result
    }

    /// Data codewords of a version at a level.
    static func dataCodewordCount(version v: Int, _ ec: ErrorCorrection) -> Int {
        rawDataModules(version: v) / 8 - eccCodewordsPerBlock[ec.rawValue][v] * errorCorrectionBlocks[ec.rawValue][v]
    }

    /// Bits of the byte-mode character count (§7.4.1, Table 3): 8 for versions 1–9, else 16.
    static func countBits(version v: Int) -> Int { v <= 9 ? 8 : 16 }

    /// The most bytes byte mode holds in a version at a level.
    public static func byteCapacity(version v: Int, _ ec: ErrorCorrection) -> Int {
        (dataCodewordCount(version: v, ec) * 8 - 4 - countBits(version: v)) / 8
    }

    // MARK: - Data codewords (§7.4)

    /// Mode indicator 0100, the count, the bytes, a terminator of up to four zeros, zeros to the
    /// byte boundary, then the pad codewords 11101100 and 00010001 in turn.
    static func dataCodewords(_ bytes: [UInt8], version: Int, _ ec: ErrorCorrection) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: countBits(version: version))
        for b in bytes { bits.append(Int(b), count: 8) }
        let capacity = dataCodewordCount(version: version, ec) * 8
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var pad: UInt8 = 0xEC
        while bits.count < capacity {
            bits.append(Int(pad), count: 8)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return bits.bytes
    }

    /// Splits the data into the version's blocks (short ones first), computes each block's
    /// Reed–Solomon codewords, and interleaves: data codewords column by column, then error
    /// correction codewords column by column (§7.6).
    static func addErrorCorrection(_ data: [UInt8], _ version: Int, _ ec: ErrorCorrection) -> [UInt8] {
        let blockCount = errorCorrectionBlocks[ec.rawValue][version]
        let eccLength = eccCodewordsPerBlock[ec.rawValue][version]
        let raw = rawDataModules(version: version) / 8
        let shortBlocks = blockCount - raw % blockCount
        let shortDataLength = raw / blockCount - eccLength
        let divisor = ReedSolomon.generator(degree: eccLength)
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var k = 0
        for i in 0..<blockCount {
            let length = shortDataLength + (i < shortBlocks ? 0 : 1)
            let block = Array(data[k..<k + length])
            k += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, divisor: divisor))
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw)
        for i in 0...shortDataLength {
            for block in dataBlocks where i < block.count { out.append(block[i]) }
        }
        for i in 0..<eccLength {
            for block in eccBlocks { out.append(block[i]) }
        }
        return out
    }
}

/// Bits appended most significant first.
struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        guard count > 0 else { return }
        for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
    }

    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, b) in bits.enumerated() where b { out[i >> 3] |= 0x80 >> UInt8(i & 7) }
        return out
    }
}
