import Hummingbird

// MARK: - /admin (the admin console: departments, members, import, field policy, audit…)

extension WebApp {
    /// The admin console's routes, under `/admin` (built on this foundation by its own change).
    func addAdminRoutes(to router: Router<WebContext>) {}
}
