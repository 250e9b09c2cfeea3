import Hummingbird

// MARK: - /admin/interchange, /admin/fields, /admin/groups, /admin/administrators, /admin/audit

extension WebApp {
    /// Import and export, the field policy, groups, administrators and the audit log.
    func addAdminOperationsRoutes(to router: Router<WebContext>) {}
}
