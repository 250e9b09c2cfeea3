import Directory
import Foundation
import Interchange

// LDIF import/export, vCard export, WeCom JSON import. Placeholder until implemented.
extension ImportCommand {
    func runLDIFImport() throws { throw CLIError("import: ldif is not implemented yet") }
    func runWeComImport() throws { throw CLIError("import: wecom is not implemented yet") }
}

extension ExportCommand {
    func runLDIFExport() throws { throw CLIError("export: ldif is not implemented yet") }
    func runVCardExport() throws { throw CLIError("export: vcf is not implemented yet") }
}
