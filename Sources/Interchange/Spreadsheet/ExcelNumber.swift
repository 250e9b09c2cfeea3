/// Numbers as a spreadsheet writes them (`13800138000`, `1.38001380E10`, `45123.5`), read as
/// decimal text — exactly, never through a Double — and Excel's serial day numbers.
enum ExcelNumber {
    /// A decimal number's parts: sign, digits, and the power of ten of the last digit.
    struct Parts: Equatable {
        var negative: Bool
        var digits: [UInt8]  // without leading zeros; empty for zero
        var exponent: Int
    }

    /// Parses `[-+]digits[.digits][E[-+]digits]`.
    static func parts(_ text: String) -> Parts? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        var digits: [UInt8] = []
        var exponent = 0
        var seenDot = false, seenDigit = false
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let d = c.asciiValue, (48...57).contains(d) {
                seenDigit = true
                if !(digits.isEmpty && d == 48) { digits.append(d - 48) }
                if seenDot { exponent -= 1 }
                guard digits.count <= 400 else { return nil }
            } else if c == "." && !seenDot {
                seenDot = true
            } else {
                break
            }
            i = s.index(after: i)
        }
        guard seenDigit else { return nil }
        if i < s.endIndex {
            guard s[i] == "E" || s[i] == "e", let e = Int(s[s.index(after: i)...]), abs(e) <= 400 else { return nil }
            exponent += e
        }
        // Trailing zeros move into the exponent.
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { exponent = 0 }
        return Parts(negative: negative, digits: digits, exponent: exponent)
    }

    /// The number as plain decimal text without an exponent (`1.38001380E10` → `13800138000`,
    /// `3.0` → `3`, `0.5` → `0.5`); nil when it is not a number.
    static func plain(_ text: String) -> String? {
        guard let p = parts(text) else { return nil }
        if p.digits.isEmpty { return "0" }
        let body = p.digits.map { Character(Unicode.Scalar($0 + 48)) }
        var out: String
        if p.exponent >= 0 {
            out = String(body) + String(repeating: "0", count: p.exponent)
        } else {
            let fraction = -p.exponent
            if fraction >= body.count {
                out = "0." + String(repeating: "0", count: fraction - body.count) + String(body)
            } else {
                out = String(body.prefix(body.count - fraction)) + "." + String(body.suffix(fraction))
            }
        }
        return p.negative ? "-" + out : out
    }

    /// The number as an integer's digits, nil when it has a fraction or is negative: a phone
    /// number typed into a number cell.
    static func integerDigits(_ text: String) -> String? {
        guard let p = parts(text), !p.negative || p.digits.isEmpty, p.exponent >= 0 else { return nil }
        return plain(text)
    }

    /// Whether the number is below zero (`-0` is not).
    static func isNegative(_ text: String) -> Bool {
        guard let p = parts(text) else { return false }
        return p.negative && p.digits.contains { $0 != 0 }
    }

    /// An Excel serial day number as `YYYY-MM-DD` (the time of day, a fraction, is dropped). In
    /// the 1900 system serial 1 is 1900-01-01 and serial 60 is the 1900-02-29 Excel pretends
    /// existed (Lotus 1-2-3's leap-year bug): nil, like any serial that is no day; in the 1904
    /// system serial 0 is 1904-01-01.
    static func date(serial text: String, date1904: Bool) -> String? {
        guard let p = parts(text), !p.negative else { return nil }
        // The whole days.
        var days = 0
        let whole = p.exponent >= 0 ? p.digits + Array(repeating: 0, count: p.exponent) : Array(p.digits.dropLast(-p.exponent))
        for d in whole {
            days = days * 10 + Int(d)
            guard days < 3_000_000 else { return nil }
        }
        let epochOffset: Int  // days from 1970-01-01 of serial 0's reference
        if date1904 {
            epochOffset = daysFromCivil(1904, 1, 1)
        } else {
            guard days >= 1, days != 60 else { return nil }
            // Serials after the phantom day count from 1899-12-30, the ones before from 1899-12-31.
            epochOffset = days > 60 ? daysFromCivil(1899, 12, 30) : daysFromCivil(1899, 12, 31)
        }
        let (y, m, d) = civilFromDays(epochOffset + days)
        guard (1...9999).contains(y) else { return nil }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(y)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(m) + "-" + two(d)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The serial day number of a `YYYY-MM-DD` date in the 1900 system (for writing dates).
    static func serial(of date: String) -> Int? {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        let days = daysFromCivil(y, m, d) - daysFromCivil(1899, 12, 30)
        return days > 60 ? days : nil
    }
}
