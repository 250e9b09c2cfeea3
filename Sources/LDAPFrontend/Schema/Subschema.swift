/// The subschema subentry `cn=Subschema` (RFC 4512 §4.2).
enum Subschema {
    static func entry() -> Entry {
        var e = Entry(dn: DIT.subschemaDN.description)
        e.add("objectClass", ["top", "subentry", "subschema", "extensibleObject"])
        e.add("cn", "Subschema")
        e.add("entryDN", DIT.subschemaDN.description)
        e.add("structuralObjectClass", "subentry")
        return e
    }
}
