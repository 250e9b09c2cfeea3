import Foundation
import Testing

@testable import LDAPFrontend

@Suite struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theSchemaFilesAreGeneratedFromTheSubschemaDefinitions() throws {
        let schema = try String(contentsOf: Self.root.appendingPathComponent("schema/roster.schema"), encoding: .utf8)
        let ldif = try String(contentsOf: Self.root.appendingPathComponent("schema/roster.ldif"), encoding: .utf8)
        #expect(schema == SchemaDefinitions.openLDAPSchema, "schema/roster.schema drifted: run `roster schema > schema/roster.schema`")
        #expect(ldif == SchemaDefinitions.openLDAPConfigLDIF, "schema/roster.ldif drifted: run `roster schema --format ldif > schema/roster.ldif`")
    }

    @Test func everyAttributeRosterServesIsDefinedWithItsOID() {
        let definitions = Dictionary(
            SchemaDefinitions.attributeTypes.flatMap { d in d.names.map { ($0.lowercased(), d) } }, uniquingKeysWith: { a, _ in a })
        for type in AttributeRegistry.all {
            let d = definitions[type.name.lowercased()]
            #expect(d != nil, "\(type.name) has no definition")
            #expect(d?.oid == type.oid, "\(type.name): registry OID \(type.oid) vs schema \(d?.oid ?? "-")")
        }
        for d in SchemaDefinitions.projectAttributeTypes {
            #expect(AttributeRegistry.type(named: d.names[0]) != nil, "\(d.names[0]) is defined but not served")
            #expect(d.oid.hasPrefix(AttributeRegistry.arc + ".1."))
            #expect(!(d.description ?? "").contains("'"), "a quote in DESC breaks slapd's parser")
        }
    }

    @Test func referencesResolve() {
        let attributes = Set(SchemaDefinitions.attributeTypes.flatMap(\.names).map { $0.lowercased() })
        let rules = Set(SchemaDefinitions.matchingRules.map { $0.1.lowercased() })
        let syntaxes = Set(SchemaDefinitions.syntaxes.map(\.0))
        for a in SchemaDefinitions.attributeTypes {
            for rule in [a.equality, a.ordering, a.substr].compactMap({ $0 }) { #expect(rules.contains(rule.lowercased()), "\(a.names[0]): \(rule)") }
            if let sup = a.sup { #expect(attributes.contains(sup.lowercased())) }
            if let syntax = a.syntax { #expect(syntaxes.contains(String(syntax.prefix { $0 != "{" })), "\(a.names[0]): \(syntax)") }
        }
        let classes = Set(SchemaDefinitions.objectClasses.map { $0.name.lowercased() })
        for o in SchemaDefinitions.objectClasses {
            for a in o.must + o.may { #expect(attributes.contains(a.lowercased()), "\(o.name): \(a)") }
            if let sup = o.sup { #expect(classes.contains(sup.lowercased())) }
        }
    }
}
