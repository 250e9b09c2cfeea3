import Directory
import Foundation
@testable import Storage

let admin = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "test", role: .superAdmin)

func acct(_ s: String) -> Account { try! Account(parsing: s) }

extension DirectoryModel {
    /// Applies a command as the super admin, returning the error message on failure.
    @discardableResult
    mutating func run(_ command: DirectoryCommand, as ctx: CommandContext = admin) -> String? {
        do {
            _ = try apply(command, by: ctx)
            return nil
        } catch {
            return error.message
        }
    }

    func id(_ path: String) -> DepartmentID {
        department(atPath: path.isEmpty ? [] : path.components(separatedBy: "->"))!.id
    }

    /// A canonical text form, for comparing models across stores.
    var dump: String {
        var lines: [String] = []
        for d in departments.values.sorted(by: { $0.id < $1.id }) {
            lines.append("D \(d.id) \(d.name) p=\(d.parent.map(String.init(describing:)) ?? "-") o=\(d.order) s=\(d.scope) h=\(d.hidden) l=\(d.leaders.map(\.value)) \(d.uuid)")
        }
        for m in allMembers.sorted(by: { $0.account < $1.account }) {
            lines.append("M \(m.account) \(m.fieldValues.sorted(by: { $0.key < $1.key })) d=\(m.departments) active=\(m.isActive) pw=\(m.passwordHash ?? "-") \(m.uuid)")
        }
        for g in groups.values.sorted(by: { $0.key < $1.key }) {
            lines.append("G \(g.name) \(g.members.map(\.value)) \(g.description ?? "-")")
        }
        for a in administrators.values.sorted(by: { $0.key < $1.key }) {
            lines.append("A \(a.name) \(a.role) \(a.passwordHash ?? "-") \(a.boundMember?.value ?? "-")")
        }
        for f in MemberField.allCases { lines.append("P \(f.rawValue) \(fieldPolicy.rule(f))") }
        return lines.joined(separator: "\n")
    }
}

/// A fixed, cheap hasher for domain tests (the real one is tested on its own).
struct PlainTestHasher: PasswordHasher {
    func hash(_ password: String) -> String { "{TEST}" + password }
    func verify(_ password: [UInt8], against stored: String) -> Bool { stored == "{TEST}" + String(decoding: password, as: UTF8.self) }
    func validate(storedHash: String) throws(DirectoryError) {
        guard storedHash.hasPrefix("{TEST}") else { throw DirectoryError(.invalidValue, field: .password, "not a {TEST} value") }
    }
}

/// A small deterministic random generator for generated trees.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Another connection (another process, in effect) holding a SQLite store's write lock on a
/// thread of its own until ``release()`` (or 10 s), then giving up without writing.
final class WriteLockHolder: Sendable {
    private let locked = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    /// Whether the lock was taken within 10 s.
    let isHeld: Bool

    init(_ store: SQLiteStore) throws {
        let current = try store.load()
        let locked = locked, released = released
        Thread {
            _ = try? store.write(from: current) { (_: inout DirectoryModel) throws -> (AuditRecord, Int) in
                locked.signal()
                _ = released.wait(timeout: .now() + 10)
                throw StorageError("holder gives up")
            }
        }.start()
        isHeld = locked.wait(timeout: .now() + 10) == .success
    }

    func release() { released.signal() }
}
