import Directory
import LDAPProtocol
import Logging
import PasswordHashing
import Testing

@testable import LDAPFrontend

/// A write read against one model and committed against a newer one: what a node of a
/// PostgreSQL cluster (or a server following the CLI) sees when another writer deleted the
/// department between the request and the commit (found by review of issue 13, F5: the add got
/// constraintViolation "no department with id 7").
@Suite struct StaleReadWriteTests {
    static let context = CommandContext(actor: "cn=admin,dc=example,dc=com", source: "test", role: .superAdmin)

    @Test func anAddIntoADepartmentDeletedMeanwhileIsNoSuchObject() throws {
        var before = demoModel
        let school = try #require(before.department(atPath: ["育才学校"]))
        _ = try before.apply(.createDepartment(DepartmentDraft(name: "临时组", parent: school.id)), by: Self.context)
        let temporary = try #require(before.department(atPath: ["育才学校", "临时组"]))
        var after = before
        _ = try after.apply(.deleteDepartment(temporary.id), by: Self.context)
        // Reads see the department; the writer's store no longer has it.
        let reads = try DirectoryService(store: InMemoryStore(before))
        let writes = try DirectoryService(store: InMemoryStore(after))
        let frontend = Frontend(
            configuration: FrontendConfiguration(baseDN: try DistinguishedName(parsing: "dc=example,dc=com")),
            directory: reads.live, writer: writes, hasher: StandardPasswordHasher(rounds: 1000), logger: Logger(label: "test"))
        var session = LDAPSession(frontend: frontend)
        #expect(session.bind("cn=admin,dc=example,dc=com", "secret").resultCode == .success)
        let out = session.send(3, .addRequest(AddRequest(
            entry: "uid=late1,ou=临时组,ou=育才学校,dc=example,dc=com",
            attributes: [
                PartialAttribute("objectClass", strings: ["inetOrgPerson"]), PartialAttribute("cn", strings: ["迟到"]),
                PartialAttribute("sn", strings: ["迟"]), PartialAttribute("mail", strings: ["late1@example.com"]),
            ])))
        guard case .addResponse(let r) = out.first?.protocolOp else {
            Issue.record("no add response: \(out)")
            return
        }
        #expect(r.resultCode == .noSuchObject)
        #expect(r.diagnosticMessage == "department: it no longer exists (deleted by another writer meanwhile)")
        #expect(writes.live.snapshot().member(try Account(parsing: "late1").key) == nil)
    }
}
