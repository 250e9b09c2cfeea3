import Directory
import Foundation
import Testing

/// `department add A->B->C --parents` is one command: all or nothing (issue 8, item 7).
@Suite struct DepartmentPathTests {
    @Test func aPathIsCreatedWholeReusingWhatExists() throws {
        var m = sampleModel()
        let r = try m.apply(
            .createDepartmentPath(parents: ["营销中心", "华北区"], leaf: DepartmentDraft(name: "北京", parent: .root, order: 3, scope: .subdepartment)),
            by: admin)
        #expect(r.target == "营销中心->华北区->北京")
        #expect(r.after["created"] == "营销中心->华北区;营销中心->华北区->北京")
        #expect(m.department(atPath: ["营销中心", "华北区", "北京"])?.scope == .subdepartment)
        #expect(m.department(atPath: ["营销中心", "华北区", "北京"])?.order == 3)
        #expect(m.department(atPath: ["营销中心", "华北区"])?.scope == .inherit, "levels above get the defaults")
        #expect(m.children(of: .root).count == 2, "营销中心 was reused")
    }

    @Test func aPathWhoseThirdLevelBreaksARuleLeavesNoLevelBehind() {
        var m = sampleModel()
        let before = m.dump
        let error = m.run(.createDepartmentPath(parents: ["华东区", "上海"], leaf: DepartmentDraft(name: "浦东*", parent: .root)))
        #expect(error?.hasPrefix("department: ") == true)
        #expect(m.department(atPath: ["华东区"]) == nil)
        #expect(m.department(atPath: ["华东区", "上海"]) == nil)
        #expect(m.dump == before)
        // A level-16 leaf: the first levels would have been fine.
        var deep = (1...14).map { "L\($0)" }
        deep.removeLast()
        #expect(m.run(.createDepartmentPath(parents: deep + ["L14"], leaf: DepartmentDraft(name: "L15", parent: .root))) == nil)
        #expect(m.run(.createDepartmentPath(parents: ["X1", "X2"], leaf: DepartmentDraft(name: "X3", parent: m.department(atPath: deep + ["L14"])!.id)))
            != nil)
        #expect(m.department(atPath: deep + ["L14", "X1"]) == nil)
    }

    @Test(arguments: StoreConformanceTests.kinds)
    func aBrokenPathStoresNothing(kind: StoreKind) throws {
        let (store, reopen) = try kind.make(sampleModel())
        let service = try DirectoryService(store: store)
        let sequence = service.sequence
        #expect(throws: DirectoryError.self) {
            try service.execute(.createDepartmentPath(parents: ["华东区", "上海"], leaf: DepartmentDraft(name: "浦东|", parent: .root)), by: admin)
        }
        #expect(service.sequence == sequence)
        let reloaded = try DirectoryService(store: try reopen()).live.snapshot()
        #expect(reloaded.department(atPath: ["华东区"]) == nil)
    }
}
