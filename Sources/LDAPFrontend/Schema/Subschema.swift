/// The subschema subentry `cn=Subschema` (RFC 4512 §4.2), built from ``SchemaDefinitions``.
enum Subschema {
    static let definitions: (attributeTypes: [String], objectClasses: [String], syntaxes: [String], matchingRules: [String]) = (
        SchemaDefinitions.attributeTypes.map(\.rendered),
        SchemaDefinitions.objectClasses.map(\.rendered),
        SchemaDefinitions.syntaxes.map { "( \($0.0) DESC '\($0.1)' )" },
        SchemaDefinitions.matchingRules.map { "( \($0.0) NAME '\($0.1)' SYNTAX \($0.2) )" }
    )

    static func entry() -> Entry {
        var e = Entry(dn: DIT.subschemaDN.description)
        e.add("objectClass", ["top", "subentry", "subschema", "extensibleObject"])
        e.add("cn", "Subschema")
        e.add("subtreeSpecification", "{}")
        e.add("attributeTypes", definitions.attributeTypes)
        e.add("objectClasses", definitions.objectClasses)
        e.add("ldapSyntaxes", definitions.syntaxes)
        e.add("matchingRules", definitions.matchingRules)
        e.add("entryDN", DIT.subschemaDN.description)
        e.add("structuralObjectClass", "subentry")
        e.add("subschemaSubentry", DIT.subschemaDN.description)
        return e
    }
}
