import Hummingbird

// MARK: - /admin/departments, /admin/members, /admin/search

extension WebApp {
    /// The department tree, the members and the advanced search.
    func addAdminOrganizationRoutes(to router: Router<WebContext>) {
        addAdminDepartmentRoutes(to: router)
        addAdminMemberRoutes(to: router)
        addAdminSearchRoutes(to: router)
    }
}
