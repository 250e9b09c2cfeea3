import Directory
import Interchange
import Foundation
import Hummingbird

// MARK: - What every admin page shares: who may enter, the admin navigation, running a command

/// The sections of the admin console, in the order of its navigation.
enum AdminSection: String, CaseIterable, Sendable {
    case departments, members, search, interchange, fields, groups, administrators, audit

    /// The path of the section's first page.
    var path: String { "/admin/\(rawValue)" }

    /// Whether only the super admin may open the section (the domain refuses the commands to
    /// anyone else as well; this only decides what the navigation offers and the 403).
    var superAdminOnly: Bool {
        switch self {
        case .fields, .administrators: true
        case .departments, .members, .search, .interchange, .groups, .audit: false
        }
    }

    var word: Word {
        switch self {
        case .departments: .adminDepartments
        case .members: .adminMembers
        case .search: .adminSearch
        case .interchange: .adminInterchange
        case .fields: .adminFields
        case .groups: .adminGroups
        case .administrators: .adminAdministrators
        case .audit: .adminAudit
        }
    }
}

/// The signed-in administrator of an admin request: what they see, their rights, and the
/// context their commands run with (its role is decided again by the domain under the write
/// lock, from the viewer).
struct AdminRequest: Sendable {
    /// What the administrator sees (the model of this request: one snapshot per request).
    let visibility: Visibility
    /// The administrator's key (case-folded name) and name.
    let key: String
    let name: String
    /// The rights the domain gives them now.
    let role: ActorRole
    /// The context for their commands: actor `web:NAME`, source `web ADDRESS:PORT`.
    let commandContext: CommandContext

    var model: DirectoryModel { visibility.model }

    var isSuperAdmin: Bool {
        if case .superAdmin = role { return true }
        return false
    }

    /// Whether the administrator administers department `id` (the domain decides).
    func administers(_ id: DepartmentID) -> Bool { model.mayAdminister(department: id, as: role) }

    /// Whether the administrator administers `member` (the domain decides).
    func administers(_ member: Member) -> Bool { model.mayAdminister(member: member, as: role) }

    /// Whether the administrator sees the member `account` (the domain's visibility; false for
    /// no such member).
    func sees(_ account: Account) -> Bool {
        model.member(account.key).map { visibility.canSee(member: $0) } ?? false
    }
}

/// A refused or failed admin command, for its form: the domain's message and the field it names
/// (`form` when it names none).
struct AdminFailure: Error, Sendable, Hashable {
    var field: String
    /// The domain's message (English; the field placement reads it).
    var message: String
    /// The same rule in Chinese, when the domain gave it.
    var chinese: String?
    var status: HTTPResponse.Status

    init(_ error: DirectoryError) {
        field = error.field?.rawValue ?? "form"
        message = error.message
        chinese = ChineseReasons.text(of: error)
        status = .unprocessableContent
    }

    /// The same failure shown next to another field.
    func placed(_ field: String) -> AdminFailure {
        var f = self
        f.field = field
        return f
    }

    /// The message in the language of the request (the Chinese one when there is one).
    var text: String { Language.current == .zh ? (chinese ?? message) : message }

    init(field: String, message: String, status: HTTPResponse.Status = .unprocessableContent) {
        self.field = field
        self.message = message
        self.status = status
    }
}

extension WebApp {
    /// The administrator signed in to this request, or a refusal: not signed in → the sign-in
    /// page; a member (or a service account) → 403; a sub-admin on a super-admin-only section →
    /// 403.
    func requireAdmin(_ request: Request, _ context: WebContext, section: AdminSection? = nil) throws -> AdminRequest {
        let visibility = try signedIn(request, context)
        guard case .administrator(let key) = visibility.viewer, let admin = visibility.model.administrator(key) else {
            throw WebError(.forbidden, "the admin console is for administrators")
        }
        let role = visibility.model.role(of: visibility.viewer)
        switch role {
        case .superAdmin, .subAdmin: break
        case .member, .readOnly: throw WebError(.forbidden, "not an administrator")
        }
        if section?.superAdminOnly == true, role != .superAdmin {
            throw WebError(.forbidden, "\(section!.rawValue) is for the super admin")
        }
        let ctx = CommandContext(actor: "web:\(admin.name)", source: context.source, viewer: visibility.viewer)
        return AdminRequest(visibility: visibility, key: key, name: admin.name, role: role, commandContext: ctx)
    }

    /// Runs an administrator's command through the domain (off the event loop: it writes to the
    /// store). A ``DirectoryError`` becomes an ``AdminFailure`` for the form that sent it.
    func runAdmin(_ command: DirectoryCommand, _ admin: AdminRequest) async throws -> Result<Void, AdminFailure> {
        do {
            _ = try await offLoop { try self.directory.execute(command, by: admin.commandContext) }
            return .success(())
        } catch var error as DirectoryError {
            // The other member is named only to an administrator who sees them (as over LDAP).
            if let conflict = error.conflict {
                let other = admin.model.member(conflict.account.key)
                if other.map({ !admin.visibility.canSee(member: $0) }) ?? true {
                    error.message = conflict.anonymousMessage
                    error.conflict = nil
                }
            }
            return .failure(AdminFailure(error))
        }
    }

    /// An admin page: the site's layout with the admin navigation (the sections this
    /// administrator may open; the current one marked) above the content.
    func adminPage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, section: AdminSection, title: String, body: HTML,
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let links = AdminSection.allCases.filter { !$0.superAdminOnly || admin.isSuperAdmin }.map { s -> HTML in
            s == section
                ? "<a href=\"\(s.path)\" class=\"current\" aria-current=\"page\">\(w[s.word])</a>"
                : "<a href=\"\(s.path)\">\(w[s.word])</a>"
        }
        let content: HTML = """
            <div class="admin" data-admin-section="\(section.rawValue)"><nav class="admin-nav" aria-label="\(w[.adminConsole])">\
            \(links)</nav><div class="admin-body">\(body)</div></div>
            """
        return Page(title: title, body: content, notice: notice, status: status).response(request, context)
    }

    /// The message of a field's error, next to the field (`id="error-FIELD"`, role alert), or
    /// nothing.
    static func fieldError(_ failure: AdminFailure?, _ field: String) -> HTML? {
        guard let failure, failure.field == field else { return nil }
        // In Chinese, the domain's own words follow (a rule the Chinese table says only broadly
        // keeps its detail).
        let detail: HTML? =
            Language.current == .zh && failure.chinese != nil && failure.chinese != failure.message
            ? " <small lang=\"en\">\(failure.message)</small>" : nil
        return "<span class=\"field-error\" role=\"alert\" id=\"error-\(field)\">\(failure.text)\(detail)</span>"
    }
}
