/// The `Interchange` target: the directory in and out of files.
///
/// - Spreadsheets (`.xlsx`, `.csv`): the import template, import with an error report, export
///   in the same template, the HR roster reconcile.
/// - LDIF (RFC 2849) import and export, vCard 4.0 export, WeCom `department/list` and
///   `user/list` JSON import.
///
/// Every importer plans against a snapshot of the model and applies through the domain's
/// commands (`DirectoryService`), so the rules, the audit and the change log are the same as for
/// LDAP and the CLI. Callers (the CLI, the web console) pass bytes in and get bytes and reports
/// out; nothing here opens the store.
public enum Interchange {}
