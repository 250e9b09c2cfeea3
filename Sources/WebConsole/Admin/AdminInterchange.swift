import Directory
import Foundation
import Hummingbird
import Interchange
import NIOCore
import Synchronization

// MARK: - /admin/interchange: the template, an import (upload, summary, error report), an export

extension WebApp {
    func addAdminInterchangeRoutes(to router: Router<WebContext>) {
        let base = AdminSection.interchange.path
        router.get(RouterPath(base)) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .interchange)
            return self.interchangePage(request, context, admin)
        }
        router.get(RouterPath(base + "/template")) { request, context -> Response in
            _ = try self.requireAdmin(request, context, section: .interchange)
            let bytes = try await self.offLoop { try XLSXWriter.write(TemplateColumns.template()) }
            return Self.download(bytes, filename: "roster-template.xlsx", type: Self.xlsxType)
        }
        router.post(RouterPath(base + "/import")) { request, context -> Response in
            try await self.importUpload(request, context)
        }
        router.get(RouterPath(base + "/report")) { request, context -> Response in
            let admin = try self.requireAdmin(request, context, section: .interchange)
            guard let id = request.formQueryValue("id"), let report = self.importReports.report(id, owner: admin.key, now: self.sessions.clock())
            else { throw WebError.notFound }
            return Self.download(report.bytes, filename: report.filename, type: Self.xlsxType)
        }
        router.get(RouterPath(base + "/export")) { request, context -> Response in
            try await self.export(request, context)
        }
    }

    static let xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// A file to save: `Content-Disposition: attachment` with the name in RFC 6266/5987 form.
    static func download(_ bytes: Data, filename: String, type: String) -> Response {
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 ? Character($0) : "_" })
        let encoded = queryEncode(filename)
        return Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func interchangePage(
        _ request: Request, _ context: WebContext, _ admin: AdminRequest, result: HTML? = nil, failure: AdminFailure? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let w = context.words
        let base = AdminSection.interchange.path
        let departments = Self.administeredDepartments(admin)
        let options = Self.departmentOptions(departments, selected: [])
        let body: HTML = """
            <h1>\(w[.adminInterchange])</h1>\(result)
            <section class="import"><h2>\(w[.importTitle])</h2>
            <p><a href="\(base)/template" class="button" download>\(w[.downloadTemplate])</a></p>
            <form method="post" action="\(base)/import" enctype="multipart/form-data">\(Page.csrfField(context))\
            <label class="field">\(w[.importFile])<input type="file" name="file" accept=".xlsx,.csv" required>\
            \(Self.fieldError(failure, "file"))</label>
            <label><input type="checkbox" name="update" value="1"> \(w[.importUpdate])</label>
            <label><input type="checkbox" name="dryRun" value="1"> \(w[.importDryRun])</label>
            <label class="field">\(w[.importPlaceholder])<input name="placeholderEmail" placeholder="{account}@example.com">\
            \(Self.fieldError(failure, "placeholderEmail"))</label>
            \(Self.fieldError(failure, "form"))<button type="submit">\(w[.importRun])</button></form></section>
            <section class="export"><h2>\(w[.exportTitle])</h2>
            <form method="get" action="\(base)/export">\
            <label class="field">\(w[.departments])<select name="department">\(options)</select></label>
            <label class="field">\(w[.exportFormat])<select name="format"><option value="xlsx">Excel (.xlsx)</option>\
            <option value="csv">CSV</option><option value="vcf">vCard (.vcf)</option></select></label>
            <button type="submit">\(w[.exportRun])</button></form></section>
            """
        return adminPage(request, context, admin, section: .interchange, title: w[.adminInterchange], body: body, status: status)
    }

    /// An upload of the template (.xlsx or .csv), imported by ``SpreadsheetImport/run`` with the
    /// administrator's context, off the event loop: the domain decides each row (a sub-admin's
    /// rows outside its subtrees are errors in the report).
    func importUpload(_ request: Request, _ context: WebContext) async throws -> Response {
        let admin = try requireAdmin(request, context, section: .interchange)
        let w = context.words
        guard let upload = context.upload, let file = upload.file("file"), let name = file.filename, !name.isEmpty, !file.body.isEmpty
        else {
            return interchangePage(
                request, context, admin, failure: AdminFailure(field: "file", message: w[.importNoFile]), status: .unprocessableContent)
        }
        let filename = String(name.prefix(100))
        let placeholder = context.form["placeholderEmail"]?.trimmingWhitespace
        let options = SpreadsheetImportOptions(
            update: context.form["update"] == "1", dryRun: context.form["dryRun"] == "1",
            placeholderEmail: placeholder?.isEmpty == false ? placeholder : nil,
            limits: SpreadsheetLimits(maxFileSize: limits.maxUploadBytes), errorReportFormat: .xlsx)
        var importContext = admin.commandContext
        importContext.source = "\(context.source) import \(filename)"
        let ctx = importContext
        let hasher = authenticator.hasher
        let service = directory
        let data = file.body
        let outcome: Result<ImportReport, InterchangeError> = try await offLoop {
            do throws(InterchangeError) {
                return .success(
                    try SpreadsheetImport.run(data: data, filename: filename, options: options, service: service, context: ctx, hasher: hasher))
            } catch {
                return .failure(error)
            }
        }
        let report: ImportReport
        switch outcome {
        case .success(let r): report = r
        case .failure(let error):
            return interchangePage(
                request, context, admin, failure: AdminFailure(field: "file", message: error.message), status: .unprocessableContent)
        }
        var reportLink: HTML? = nil
        if let bytes = report.errorReport {
            let stem = filename.split(separator: ".").dropLast().joined(separator: ".")
            let id = importReports.keep(
                bytes, filename: "\(stem.isEmpty ? "import" : stem)-errors.xlsx", owner: admin.key, now: sessions.clock())
            reportLink =
                "<p><a href=\"\(AdminSection.interchange.path)/report?id=\(id)\" class=\"button\" data-report download>\(w[.importReport])</a></p>"
        }
        let failures = report.failures.prefix(50).map { f -> HTML in
            "<tr data-row=\"\(f.row)\"><td>\(f.row)</td><td>\(f.account)</td><td>\(f.reason)</td></tr>"
        }
        let table: HTML? =
            failures.isEmpty
            ? nil
            : """
            <table class="failures"><thead><tr><th>\(w[.importRow])</th><th>\(w[.account])</th><th>\(w[.importReason])</th></tr></thead>\
            <tbody>\(failures)</tbody></table>
            """
        let result: HTML = """
            <section class="import-result" data-import-result>\
            <h2>\(report.dryRun ? w[.importDryRunDone] : w[.importDone]) · \(filename)</h2>
            <dl class="summary"><dt>\(w[.importCreated])</dt><dd data-count="created">\(report.created)</dd>\
            <dt>\(w[.importUpdated])</dt><dd data-count="updated">\(report.updated)</dd>\
            <dt>\(w[.importUnchanged])</dt><dd data-count="unchanged">\(report.unchanged)</dd>\
            <dt>\(w[.importErrors])</dt><dd data-count="errors">\(report.failed)</dd>\
            <dt>\(w[.importDepartments])</dt><dd data-count="departments">\(report.departmentsCreated)</dd></dl>
            \(table)\(reportLink)</section>
            """
        logger.info(
            "web import", metadata: ["admin": "\(admin.name)", "file": "\(filename)", "summary": "\(report.summary)"])
        return interchangePage(request, context, admin, result: result)
    }

    /// The directory or a subtree the administrator administers, as the template (xlsx, csv) or
    /// vCards (every field but the password: an administrator sees them all in scope).
    func export(_ request: Request, _ context: WebContext) async throws -> Response {
        let admin = try requireAdmin(request, context, section: .interchange)
        let raw = request.formQueryValue("department") ?? String(DepartmentID.root.rawValue)
        guard let n = Int64(raw) else { throw WebError(.badRequest, "export: department \(raw.prefix(20)) is not an id") }
        guard admin.administers(DepartmentID(n)) else {
            throw WebError(.forbidden, "export: department \(n) is not administered by \(admin.name)")
        }
        let id = DepartmentID(n)
        let model = admin.model
        let stem = id == .root ? "roster" : "roster-\(model.department(id)?.name ?? "export")"
        switch request.formQueryValue("format") ?? "xlsx" {
        case "xlsx":
            let bytes = try await offLoop { try SpreadsheetExport.write(model, department: id, format: .xlsx) }
            return Self.download(bytes, filename: stem + ".xlsx", type: Self.xlsxType)
        case "csv":
            let bytes = try await offLoop { try SpreadsheetExport.write(model, department: id, format: .csv) }
            return Self.download(bytes, filename: stem + ".csv", type: "text/csv; charset=utf-8")
        case "vcf":
            let text = try await offLoop { () -> String in
                var seen = Set<String>()
                var members: [Member] = []
                for d in model.subtree(of: id) {
                    for m in model.members(in: d) where m.isActive && seen.insert(m.account.key).inserted { members.append(m) }
                }
                return VCard.cards(for: members, in: model, fields: Set(MemberField.allCases).subtracting([.password]))
            }
            return Self.download(Data(text.utf8), filename: stem + ".vcf", type: "text/vcard; charset=utf-8")
        default:
            throw WebError(.badRequest, "export: unknown format")
        }
    }
}

/// Import error reports waiting to be downloaded: in memory, each owned by the administrator who
/// imported (another one gets a 404), found by a random id (never a path from the client),
/// expiring after ``lifetime``; at most ``maxReports`` and ``maxBytes`` in all (the oldest go
/// first).
final class ImportReportStore: Sendable {
    struct Report: Sendable {
        var owner: String
        var filename: String
        var bytes: Data
        var created: Date
    }

    /// Seconds a report is kept (default 30 minutes).
    let lifetime: Double
    let maxReports: Int
    let maxBytes: Int
    private let reports = Mutex<[(id: String, report: Report)]>([])

    init(lifetime: Double = 1800, maxReports: Int = 64, maxBytes: Int = 64 * 1024 * 1024) {
        self.lifetime = lifetime
        self.maxReports = maxReports
        self.maxBytes = maxBytes
    }

    /// Keeps a report; returns its id.
    func keep(_ bytes: Data, filename: String, owner: String, now: Date) -> String {
        let id = SessionStore.token()
        reports.withLock { list in
            list.removeAll { now.timeIntervalSince($0.report.created) > lifetime }
            list.append((id, Report(owner: owner, filename: filename, bytes: bytes, created: now)))
            var total = list.reduce(0) { $0 + $1.report.bytes.count }
            while list.count > maxReports || (total > maxBytes && list.count > 1) {
                total -= list[0].report.bytes.count
                list.removeFirst()
            }
        }
        return id
    }

    /// The report of this id if `owner` made it and it has not expired.
    func report(_ id: String, owner: String, now: Date) -> Report? {
        reports.withLock { list in
            guard let r = list.first(where: { $0.id == id })?.report, r.owner == owner,
                now.timeIntervalSince(r.created) <= lifetime
            else { return nil }
            return r
        }
    }
}
