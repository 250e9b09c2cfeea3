public import Directory
import Foundation
public import LDAPProtocol

/// A node of Roster's directory information tree (DESIGN §3).
public enum DITNode: Sendable, Hashable {
    case rootDSE
    case subschema
    case department(DepartmentID)
    case member(Account)
    case groupsContainer
    case group(String)
    case departedContainer
    case departedMember(Account)
    case adminsContainer
    case subAdmin(String)
    case servicesContainer
    case service(String)
    case superAdmin
}

/// Maps the domain onto DNs and back: the base entry is the root department, departments are
/// `ou=`, members `uid=<account>` under their primary department, system containers `cn=`.
public struct DIT: Sendable {
    /// The naming context.
    public let base: DistinguishedName
    private let cache = DepartmentDNCache()
    /// The subschema subentry's DN.
    public static let subschemaDN = DistinguishedName([RelativeDistinguishedName(type: "cn", value: "Subschema")])

    /// The base's RDNs normalised, once (every DN a request names is compared with them).
    private let baseRDNs: [String]
    /// The base's single-valued RDNs as (type, folded value); nil for a multi-valued one.
    private let baseSingle: [(String, String)?]
    private static let subschemaNormalized = subschemaDN.normalized

    /// - Parameter base: the naming context, such as `dc=example,dc=com`.
    public init(base: DistinguishedName) {
        self.base = base
        self.baseRDNs = base.rdns.map(\.normalized)
        self.baseSingle = base.rdns.map { rdn in
            rdn.attributes.count == 1 ? (rdn.attributes[0].normalizedType, rdn.attributes[0].normalizedValue) : nil
        }
    }

    private func container(_ name: String) -> DistinguishedName {
        base.child(RelativeDistinguishedName(type: "cn", value: name))
    }

    /// The DN of a node.
    public func dn(of node: DITNode, in model: DirectoryModel) -> DistinguishedName {
        switch node {
        case .rootDSE: return .root
        case .subschema: return Self.subschemaDN
        case .department(let id): return departmentDN(id, in: model)
        case .member(let account):
            let primary = model.member(account.key)?.primaryDepartment ?? .root
            return departmentDN(primary, in: model).child(RelativeDistinguishedName(type: "uid", value: account.value))
        case .groupsContainer: return container("groups")
        case .group(let key):
            return container("groups").child(RelativeDistinguishedName(type: "cn", value: model.group(key)?.name ?? key))
        case .departedContainer: return container("departed")
        case .departedMember(let account):
            return container("departed").child(RelativeDistinguishedName(type: "uid", value: account.value))
        case .adminsContainer: return container("admins")
        case .subAdmin(let key):
            return container("admins").child(
                RelativeDistinguishedName(type: "cn", value: model.administrator(key)?.name ?? key))
        case .servicesContainer: return container("services")
        case .service(let key):
            return container("services").child(
                RelativeDistinguishedName(type: "cn", value: model.administrator(key)?.name ?? key))
        case .superAdmin: return container("admin")
        }
    }

    /// The DN of a department.
    public func departmentDN(_ id: DepartmentID, in model: DirectoryModel) -> DistinguishedName {
        var dn = base
        for d in model.path(to: id).dropFirst() {
            dn = dn.child(RelativeDistinguishedName(type: "ou", value: model.department(d)?.name ?? ""))
        }
        return dn
    }

    /// A department's DN in string form, cached per tree version.
    public func departmentDNString(_ id: DepartmentID, in model: DirectoryModel) -> String {
        cache.dn(id, version: model.treeVersion) { departmentDN(id, in: model).description }
    }

    /// A member's DN in string form (under its primary department, or under cn=departed).
    public func memberDNString(_ member: Member, in model: DirectoryModel) -> String {
        // An account holds only letters, digits and `_ - . @` and starts with a letter or digit
        // (Account's rule): nothing in it is escaped in a DN (building the RDN folded its value).
        let rdn = "uid=" + member.account.value
        if member.isActive { return rdn + "," + departmentDNString(member.primaryDepartment, in: model) }
        return rdn + "," + cache.dn(DepartmentID(-1), version: model.treeVersion) { dn(of: .departedContainer, in: model).description }
    }

    /// The DN of an active member (under its primary department) or a departed one.
    public func memberDN(_ member: Member, in model: DirectoryModel) -> DistinguishedName {
        member.isActive ? dn(of: .member(member.account), in: model) : dn(of: .departedMember(member.account), in: model)
    }

    /// The outcome of resolving a DN.
    public struct Resolution: Sendable, Hashable {
        /// The node named, if it exists.
        public var node: DITNode?
        /// The deepest existing node on the way (the base entry's parent chain counts as nothing).
        public var matched: DITNode?
    }

    /// Whether a DN lies at or below the base. Each of the base's RDNs is compared by its one
    /// type and folded value (building an RDN's normalised string for each was a sixth of a
    /// bind's lookup).
    func isUnderBase(_ dn: DistinguishedName) -> Bool {
        let offset = dn.rdns.count - base.rdns.count
        guard offset >= 0 else { return false }
        for i in 0..<base.rdns.count {
            let rdn = dn.rdns[offset + i]
            if let (type, value) = baseSingle[i], rdn.attributes.count == 1 {
                let pair = rdn.attributes[0]
                guard pair.normalizedType == type, pair.value == value || pair.normalizedValue == value else { return false }
            } else if rdn.normalized != baseRDNs[i] {
                return false
            }
        }
        return true
    }

    /// The active member a DN names (`uid=<account>` under its primary department), found from
    /// its account and checked against the member's own chain of departments up to the base: one
    /// lookup by account and one by department per level, none by name. nil when the DN names no
    /// active member (it may still name something else: ``resolve(_:in:)`` decides).
    public func activeMember(named dn: DistinguishedName, in model: DirectoryModel) -> Member? {
        let depth = dn.rdns.count - base.rdns.count
        guard depth >= 1, dn.rdns[0].attributes.count == 1 else { return nil }
        let first = dn.rdns[0].attributes[0]
        guard first.normalizedType == "uid", let m = model.member(first.value), m.isActive, isUnderBase(dn) else { return nil }
        var current = m.primaryDepartment
        for i in 1..<depth {
            let rdn = dn.rdns[i]
            guard rdn.attributes.count == 1, current != .root, let d = model.department(current) else { return nil }
            let pair = rdn.attributes[0]
            guard pair.normalizedType == "ou", d.name == pair.value || DistinguishedName.foldValue(d.name) == pair.normalizedValue
            else { return nil }
            current = d.parent ?? .root
        }
        return current == .root ? m : nil
    }

    /// Finds the node a DN names.
    public func resolve(_ dn: DistinguishedName, in model: DirectoryModel) -> Resolution {
        if dn.isRoot { return Resolution(node: .rootDSE, matched: nil) }
        if dn.rdns.count == 1 && dn.normalized == Self.subschemaNormalized { return Resolution(node: .subschema, matched: nil) }
        guard isUnderBase(dn) else { return Resolution(node: nil, matched: nil) }
        let relative = dn.rdns.prefix(dn.rdns.count - base.rdns.count).reversed()
        var current = DITNode.department(.root)
        for rdn in relative {
            guard rdn.attributes.count == 1, let next = child(of: current, named: rdn.attributes[0], in: model) else {
                return Resolution(node: nil, matched: current)
            }
            current = next
        }
        return Resolution(node: current, matched: current)
    }

    private func child(of node: DITNode, named pair: AttributeTypeAndValue, in model: DirectoryModel) -> DITNode? {
        let type = pair.normalizedType
        let value = pair.value
        switch node {
        case .department(let id):
            if type == "ou" {
                // The model's index of children by name first: folding every sibling's name on
                // every lookup made a bind cost more at 100 000 members than at 10 000 (found by
                // the benchmark). The DN's own folding decides; the scan below is for a name the
                // two foldings see differently.
                let found = model.child(of: id, named: value)
                if let d = found, d.name == value { return .department(d.id) }
                let folded = pair.normalizedValue
                if let d = found, DistinguishedName.foldValue(d.name) == folded {
                    return .department(d.id)
                }
                for c in model.children(of: id)
                where model.department(c).map({ DistinguishedName.foldValue($0.name) }) == folded {
                    return .department(c)
                }
                return nil
            }
            if type == "uid" {
                guard let m = model.member(value), m.isActive, m.primaryDepartment == id else { return nil }
                return .member(m.account)
            }
            if type == "cn" && id == .root {
                switch pair.normalizedValue {
                case "groups": return .groupsContainer
                case "departed": return .departedContainer
                case "admins": return .adminsContainer
                case "services": return .servicesContainer
                case "admin":
                    if let a = model.administrator("admin"), case .superAdmin = a.role { return .superAdmin }
                    return nil
                default: return nil
                }
            }
            return nil
        case .groupsContainer:
            guard type == "cn", let g = model.group(value) else { return nil }
            return .group(g.key)
        case .departedContainer:
            guard type == "uid", let m = model.member(value), !m.isActive else { return nil }
            return .departedMember(m.account)
        case .adminsContainer:
            guard type == "cn", let a = model.administrator(value), case .subAdmin = a.role else { return nil }
            return .subAdmin(a.key)
        case .servicesContainer:
            guard type == "cn", let a = model.administrator(value), case .service = a.role else { return nil }
            return .service(a.key)
        default:
            return nil
        }
    }

    /// The parent of a node (nil for the base entry and for entries outside the naming context).
    public func parent(of node: DITNode, in model: DirectoryModel) -> DITNode? {
        switch node {
        case .rootDSE, .subschema: return nil
        case .department(let id): return model.department(id)?.parent.map { .department($0) }
        case .member(let account): return model.member(account.key).map { .department($0.primaryDepartment) }
        case .groupsContainer, .departedContainer, .adminsContainer, .servicesContainer, .superAdmin:
            return .department(.root)
        case .group: return .groupsContainer
        case .departedMember: return .departedContainer
        case .subAdmin: return .adminsContainer
        case .service: return .servicesContainer
        }
    }

    /// The children of a node in tree order: a department's pinned members, its other members by
    /// pinyin, its sub-departments by sort order; below the root, the system containers last.
    /// The base entry's children that are not departments or members: the system containers
    /// and the super admin.
    public func rootContainers(in model: DirectoryModel) -> [DITNode] {
        var out: [DITNode] = [.groupsContainer, .departedContainer, .adminsContainer, .servicesContainer]
        if let a = model.administrator("admin"), case .superAdmin = a.role { out.append(.superAdmin) }
        return out
    }

    public func children(of node: DITNode, in model: DirectoryModel) -> [DITNode] {
        switch node {
        case .department(let id):
            var out: [DITNode] = model.primaryMembers(in: id).map { .member($0.account) }
            out.append(contentsOf: model.children(of: id).map { .department($0) })
            if id == .root { out.append(contentsOf: rootContainers(in: model)) }
            return out
        case .groupsContainer:
            return model.groups.values.sorted { $0.key < $1.key }.map { .group($0.key) }
        case .departedContainer:
            return model.departedMembers.map { .departedMember($0.account) }
        case .adminsContainer:
            return model.administrators.values.filter { if case .subAdmin = $0.role { true } else { false } }
                .sorted { $0.key < $1.key }.map { .subAdmin($0.key) }
        case .servicesContainer:
            return model.administrators.values.filter { if case .service = $0.role { true } else { false } }
                .sorted { $0.key < $1.key }.map { .service($0.key) }
        default:
            return []
        }
    }
}

/// Department DN strings of one tree version; reset when the version changes.
final class DepartmentDNCache: @unchecked Sendable {
    // Safe: every access holds the lock.
    private let lock = NSLock()
    private var version: UInt64 = .max
    private var dns: [DepartmentID: String] = [:]

    func dn(_ id: DepartmentID, version: UInt64, _ compute: () -> String) -> String {
        lock.lock()
        if version == self.version, let hit = dns[id] {
            lock.unlock()
            return hit
        }
        lock.unlock()
        let value = compute()
        lock.lock()
        if version != self.version {
            self.version = version
            dns = [:]
        }
        dns[id] = value
        lock.unlock()
        return value
    }
}
