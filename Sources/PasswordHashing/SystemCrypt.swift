#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The platform's crypt(3), for `{CRYPT}` values imported from OpenLDAP or /etc/shadow. crypt(3)
/// keeps its result in static storage, so calls are serialised; `{CRYPT}` values are upgraded to
/// PBKDF2 at the first successful bind, so this is rarely on a hot path.
enum SystemCrypt {
    private static let lock = Mutex(())

    /// `crypt(password, setting)`, or nil when the platform refuses the setting (an unknown
    /// method: crypt returns NULL or a string starting with `*`).
    static func hash(_ password: [UInt8], setting: String) -> String? {
        // A password with NUL would be cut short by C: it never matches.
        guard !password.contains(0) else { return nil }
        return lock.withLock { _ -> String? in
            let key = password + [0]
            return key.withUnsafeBufferPointer { buffer -> String? in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: key.count) { keyPointer in
                    guard let out = crypt(keyPointer, setting) else { return nil }
                    let s = String(cString: out)
                    return s.hasPrefix("*") || s.isEmpty ? nil : s
                }
            }
        }
    }
}
