import Foundation
import Testing

/// The admin console end to end: `roster serve --demo --http` driven by a real browser
/// (Tests/Browser/admin_console.py: headless chromium through selenium and chromium-driver), its
/// changes read back over LDAP.
@Suite struct AdminOrganizationBrowserTests {
    @Test func theSuperAdminCreatesADepartmentAndAMemberAndDepartsThemAndLDAPAgrees() async throws {
        let binary = try rosterExecutable()
        try await onOwnThread {
            let (p, ldap, web, _) = try startRosterWithWeb(binary, ["serve", "--demo"])
            defer { if p.isRunning { p.terminate() } }
            let script = WebBrowserTests.repository.appendingPathComponent("Tests/Browser/admin_console.py").path
            let shots = WebBrowserTests.repository.appendingPathComponent("docs/screenshots").path
            let r = try run("/usr/bin/python3", [script, web, String(ldap), shots], timeout: 240)
            #expect(r.status == 0, "browser test:\n\(r.out)\n\(r.err)")
            #expect(r.out.contains("0 failed"))
            #expect(!r.out.contains("FAIL"))
        }
    }
}
