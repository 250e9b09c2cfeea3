import Directory
import Foundation
import Interchange

// Spreadsheet import/export/template/reconcile (xlsx, csv). Placeholder until implemented.
extension ImportCommand {
    func runSpreadsheetImport() throws { throw CLIError("import: xlsx/csv is not implemented yet") }
}

extension ExportCommand {
    func runSpreadsheetExport() throws { throw CLIError("export: xlsx/csv is not implemented yet") }
}

extension TemplateCommand {
    func runTemplate() throws { throw CLIError("template: not implemented yet") }
}

extension ReconcileCommand {
    func runReconcile() throws { throw CLIError("reconcile: not implemented yet") }
}
