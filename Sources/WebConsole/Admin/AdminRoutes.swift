import Hummingbird

// MARK: - /admin (the admin console: departments, members, import, field policy, audit…)

extension WebApp {
    /// The admin console's routes, under `/admin`. Every page starts with ``requireAdmin(_:_:section:)``
    /// and every change is a domain command run by ``runAdmin(_:_:)``.
    func addAdminRoutes(to router: Router<WebContext>) {
        router.get("/admin") { request, context -> Response in
            _ = try self.requireAdmin(request, context)
            return Page.redirect(AdminSection.departments.path)
        }
        addAdminOrganizationRoutes(to: router)
        addAdminOperationsRoutes(to: router)
    }
}
