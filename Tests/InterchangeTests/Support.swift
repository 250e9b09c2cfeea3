import Directory
import Foundation
import Interchange
import PasswordHashing
import Storage
import Testing
import TestSupport

/// The context imports run in, in these tests.
let importContext = CommandContext(actor: "cli:test", source: "import test", role: .superAdmin)

/// A real hasher, cheap enough for debug builds.
let testHasher = StandardPasswordHasher(rounds: 1000)

/// A directory with only its root department.
func emptyService(organization: String = "示例公司") throws -> DirectoryService {
    try DirectoryService(store: InMemoryStore(DirectoryModel(organization: organization)))
}

/// Imports `text` as a CSV file.
@discardableResult
func importCSV(
    _ text: String, into service: DirectoryService, _ options: SpreadsheetImportOptions = SpreadsheetImportOptions(),
    filename: String = "members.csv"
) throws -> ImportReport {
    try SpreadsheetImport.run(
        data: Data(text.utf8), filename: filename, options: options, service: service, context: importContext, hasher: testHasher)
}

/// Imports bytes (an xlsx or a CSV).
@discardableResult
func importFile(
    _ data: Data, filename: String, into service: DirectoryService, _ options: SpreadsheetImportOptions = SpreadsheetImportOptions()
) throws -> ImportReport {
    try SpreadsheetImport.run(data: data, filename: filename, options: options, service: service, context: importContext, hasher: testHasher)
}

/// The refusal of a whole file.
func refusal(_ body: () throws -> Any) -> InterchangeError? {
    do {
        _ = try body()
        return nil
    } catch let e as InterchangeError {
        return e
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

extension DirectoryService {
    var model: DirectoryModel { live.snapshot() }

    /// A member's department paths as the template writes them.
    func paths(_ account: String) -> [String] {
        let m = model
        return m.member(account)?.departments.map { m.pathString(of: $0) } ?? []
    }
}

/// A scratch directory.
func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-interchange-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs a program; returns its status and output.
@discardableResult
func runTool(_ path: String, _ arguments: [String], in dir: URL? = nil, environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if let dir { p.currentDirectoryURL = dir }
    var env = ProcessInfo.processInfo.environment
    env["ROSTER_PASSWORD_ROUNDS"] = "1000"
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = readAll(out.fileHandleForReading)
    let e = readAll(err.fileHandleForReading)
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Runs a Python script (the system's python3, standard library only) in `dir`.
func python(_ script: String, in dir: URL) throws {
    let file = dir.appendingPathComponent("script-\(UUID().uuidString).py")
    try script.write(to: file, atomically: true, encoding: .utf8)
    let r = try runTool("/usr/bin/python3", [file.path], in: dir)
    #expect(r.status == 0, "python: \(r.err)")
}

/// LibreOffice, when installed (scripts/test.sh installs it).
var soffice: String? {
    ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/lib/libreoffice/program/soffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
}
