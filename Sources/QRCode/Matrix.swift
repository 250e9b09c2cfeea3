/// The module grid while a symbol is built: which modules are dark, and which belong to function
/// patterns (finder, separators, timing, alignment, format and version information), which data
/// placement and masking skip.
struct Matrix: Sendable {
    let version: Int
    let size: Int
    var dark: [Bool]
    var function: [Bool]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        dark = [Bool](repeating: false, count: size * size)
        function = [Bool](repeating: false, count: size * size)
    }

    mutating func set(_ x: Int, _ y: Int, _ value: Bool, function isFunction: Bool = true) {
        dark[y * size + x] = value
        if isFunction { function[y * size + x] = true }
    }

    // MARK: - Function patterns (§6.3)

    mutating func drawFunctionPatterns() {
        // Timing patterns: row 6 and column 6, dark on even positions.
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        // Finder patterns with their separators, in three corners.
        drawFinder(3, 3)
        drawFinder(size - 4, 3)
        drawFinder(3, size - 4)
        // Alignment patterns, except where they would overlap a finder.
        let positions = Self.alignmentPositions(version: version)
        let n = positions.count
        for i in 0..<n {
            for j in 0..<n where !(i == 0 && j == 0) && !(i == 0 && j == n - 1) && !(i == n - 1 && j == 0) {
                drawAlignment(positions[i], positions[j])
            }
        }
        // Reserve the format areas (drawn for real once the mask is known), and the version.
        drawFormatBits(.medium, mask: 0)
        drawVersion()
    }

    /// The centres of alignment patterns on each axis (Annex E, Table E.1), computed.
    static func alignmentPositions(version: Int) -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let size = 17 + 4 * version
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var result = [6]
        for i in stride(from: count - 2, through: 0, by: -1) { result.append(size - 7 - i * step) }
        return result
    }

    private mutating func drawFinder(_ cx: Int, _ cy: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = cx + dx, y = cy + dy
                guard x >= 0, x < size, y >= 0, y < size else { continue }
                let d = max(abs(dx), abs(dy))
                set(x, y, d != 2 && d != 4)
            }
        }
    }

    private mutating func drawAlignment(_ cx: Int, _ cy: Int) {
        for dy in -2...2 {
            for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
        }
    }

    /// The 15 format bits (§7.9): level and mask, BCH(15,5) with generator 0x537, XOR 0x5412.
    static func formatBits(_ ec: QRCode.ErrorCorrection, mask: Int) -> Int {
        let data = ec.formatBits << 3 | mask
        var rem = data
        for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
        return (data << 10 | rem) ^ 0x5412
    }

    /// Draws both copies of the format information, and the dark module.
    mutating func drawFormatBits(_ ec: QRCode.ErrorCorrection, mask: Int) {
        let bits = Self.formatBits(ec, mask: mask)
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        // Around the top-left finder.
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        // Under the top-right finder and beside the bottom-left one.
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// The 18 version bits (§7.10), BCH(18,6) with generator 0x1F25, for versions 7 and up.
    static func versionBits(_ version: Int) -> Int {
        var rem = version
        for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
        return version << 12 | rem
    }

    private mutating func drawVersion() {
        guard version >= 7 else { return }
        let bits = Self.versionBits(version)
        for i in 0..<18 {
            let b = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3, c = i / 3
            set(a, c, b)
            set(c, a, b)
        }
    }

    // MARK: - Data (§7.7.3)

    /// Places the codewords' bits in two-module columns from the right, upwards then downwards,
    /// skipping function modules and the vertical timing column; remainder bits stay light.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        var i = 0
        let total = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vert in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vert : vert
                    if !function[y * size + x] && i < total {
                        dark[y * size + x] = (codewords[i >> 3] >> UInt8(7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    /// Whether mask pattern `mask` inverts the module at column x, row y (§7.8.2, Table 10).
    static func masked(_ mask: Int, _ x: Int, _ y: Int) -> Bool {
        switch mask {
        case 0: return (x + y) % 2 == 0
        case 1: return y % 2 == 0
        case 2: return x % 3 == 0
        case 3: return (x + y) % 3 == 0
        case 4: return (x / 3 + y / 2) % 2 == 0
        case 5: return x * y % 2 + x * y % 3 == 0
        case 6: return (x * y % 2 + x * y % 3) % 2 == 0
        default: return ((x + y) % 2 + x * y % 3) % 2 == 0
        }
    }

    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !function[y * size + x] && Self.masked(mask, x, y) { dark[y * size + x].toggle() }
        }
    }

    // MARK: - Penalty (§7.8.3)

    /// N1 = 3 (+1 per module) for runs of five or more of one colour in a row or column; N2 = 3 for
    /// each 2×2 block of one colour; N3 = 40 for each 1:1:3:1:1 finder-like pattern with four
    /// light modules on one side; N4 = 10 for each 5 % the dark share is away from 50 %.
    func penalty() -> Int {
        var score = 0
        func module(_ x: Int, _ y: Int) -> Bool { dark[y * size + x] }
        let finderA: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]
        let finderB: [Bool] = Array(finderA.reversed())
        for horizontal in [true, false] {
            for a in 0..<size {
                var run = 0
                var last = false
                var line = [Bool](repeating: false, count: size)
                for b in 0..<size {
                    let v = horizontal ? module(b, a) : module(a, b)
                    line[b] = v
                    if b > 0 && v == last {
                        run += 1
                    } else {
                        if run >= 5 { score += 3 + run - 5 }
                        run = 1
                        last = v
                    }
                }
                if run >= 5 { score += 3 + run - 5 }
                if size >= 11 {
                    for start in 0...(size - 11) {
                        var matchA = true, matchB = true
                        for k in 0..<11 {
                            if line[start + k] != finderA[k] { matchA = false }
                            if line[start + k] != finderB[k] { matchB = false }
                            if !matchA && !matchB { break }
                        }
                        if matchA { score += 40 }
                        if matchB { score += 40 }
                    }
                }
            }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let c = module(x, y)
                if c == module(x + 1, y) && c == module(x, y + 1) && c == module(x + 1, y + 1) { score += 3 }
            }
        }
        let darkCount = dark.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        let k = (abs(darkCount * 20 - total * 10) + total - 1) / total - 1
        score += max(0, k) * 10
        return score
    }
}
