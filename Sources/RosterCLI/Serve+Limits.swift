import ArgumentParser
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A size in bytes on the command line: `65536`, `64K` (KiB) or `4M` (MiB).
struct ByteCount: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let bytes: Int

    init(_ bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        var digits = Substring(argument)
        var unit = 1
        switch digits.last {
        case "K", "k": unit = 1 << 10
        case "M", "m": unit = 1 << 20
        default: break
        }
        if unit > 1 { digits = digits.dropLast() }
        guard let n = Int(digits), n >= 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        self.bytes = bytes
    }

    var description: String {
        if bytes > 0, bytes % (1 << 20) == 0 { return "\(bytes >> 20)M" }
        if bytes > 0, bytes % (1 << 10) == 0 { return "\(bytes >> 10)K" }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }
}

/// Raises the soft limit on open files towards what `connections` need (one descriptor each,
/// plus the listener, the database and the thread pools'), up to the hard limit; says so when
/// the hard limit is too low, since beyond it the server cannot accept (it backs off and retries).
func raiseOpenFileLimit(toServe connections: Int, logger: Logger) {
    let needed = rlim_t(clamping: connections + 256)
    var limit = rlimit()
    #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        let resource = RLIMIT_NOFILE
    #endif
    guard getrlimit(resource, &limit) == 0 else { return }
    if limit.rlim_cur < needed {
        var raised = limit
        raised.rlim_cur = min(needed, limit.rlim_max)  // an unlimited maximum is the largest rlim_t
        if setrlimit(resource, &raised) == 0 { limit = raised }
    }
    if limit.rlim_cur < needed {
        let advice = "raise the hard limit (ulimit -Hn) or lower --max-connections"
        logger.warning(
            "open files are limited to \(limit.rlim_cur): --max-connections \(connections) needs about \(needed); \(advice)"
        )
    }
}
