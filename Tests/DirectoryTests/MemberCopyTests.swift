import Directory
import Foundation
import Testing

/// A member's fields are shared between copies until one changes (copy on write): a change to a
/// copy never shows in the original, in a model holding it, or in an older snapshot of the model;
/// equality and hashing compare the fields, not the sharing.
@Suite struct MemberCopyTests {
    @Test func aChangedCopyLeavesTheOriginalAlone() {
        var a = Member(account: acct("copy1"), name: "张三", departments: [.root], mobile: "13800000001", email: "z@example.com")
        a.phone = "010-1"
        let original = a
        var b = a
        #expect(a == b && a.hashValue == b.hashValue)
        b.name = "李四"
        b.departments.append(DepartmentID(7))
        b.security.lockedUntil = Date(timeIntervalSince1970: 5)
        #expect(a.name == "张三" && a.departments == [.root] && a.security.lockedUntil == nil)
        #expect(b.name == "李四" && b.departments == [.root, DepartmentID(7)] && b.security.lockedUntil != nil)
        #expect(a != b)
        // Changed back field by field: equal again without sharing.
        b.name = "张三"
        b.departments = [.root]
        b.security.lockedUntil = nil
        #expect(a == b && a.hashValue == b.hashValue)
        a.mobile = nil
        #expect(a != original && b == original && original.mobile == "13800000001")
        // Every field takes part in equality.
        var c = original
        c.remarks = "x"
        #expect(c != original)
        c = original
        c.status = .departed(at: Date(timeIntervalSince1970: 0), by: "t", previousDepartments: [.root])
        #expect(c != original && !c.isActive && original.isActive)
        c = original
        c.passwordHash = "{SSHA}x"
        #expect(c != original)
    }

    /// The primary department and the active flag (kept beside the fields they come from) follow
    /// every change of the departments and the status, in each copy on its own.
    @Test func primaryDepartmentAndActiveFollowTheirFields() {
        var a = Member(account: acct("copy3"), name: "李雷", departments: [DepartmentID(5), DepartmentID(6)])
        #expect(a.primaryDepartment == DepartmentID(5) && a.isActive)
        var b = a
        b.departments.removeFirst()
        #expect(b.primaryDepartment == DepartmentID(6) && a.primaryDepartment == DepartmentID(5))
        b.departments.insert(DepartmentID(9), at: 0)
        #expect(b.primaryDepartment == DepartmentID(9))
        b.departments = []
        #expect(b.primaryDepartment == .root)
        b.status = .departed(at: Date(timeIntervalSince1970: 1), by: "hr", previousDepartments: [DepartmentID(5)])
        #expect(!b.isActive && a.isActive)
        var c = b
        c.status = .active
        #expect(c.isActive && !b.isActive)
        a.departments[0] = DepartmentID(8)
        #expect(a.primaryDepartment == DepartmentID(8))
        #expect(Member(account: acct("copy4"), name: "x", departments: []).primaryDepartment == .root)
    }

    @Test func aModelAndItsSnapshotsKeepTheirOwnMembers() throws {
        var model = DirectoryModel(organization: "Org")
        var m = Member(account: acct("copy2"), name: "王五")
        model.put(m)
        let snapshot = model
        m.title = "经理"
        #expect(model.member("copy2")?.title == nil)
        model.put(m)
        m.title = "总监"
        #expect(model.member("copy2")?.title == "经理")
        #expect(snapshot.member("copy2")?.title == nil)
        var fetched = try #require(model.member("copy2"))
        fetched.name = "赵六"
        #expect(model.member("copy2")?.name == "王五")
        #expect(model.names(of: acct("copy2"))?.parts.surname == "王")
    }
}
