import Directory
import LDAPProtocol
import Testing

@testable import LDAPFrontend

/// Large index answers to leading substrings are kept for the index's version: a search asked
/// again gets the answer it would compute, with its keys when it wants them, and never an answer
/// of another state of the index — after a rename, in an older snapshot, in a divergent copy.
@Suite struct PrefixAnswersTests {
    /// A model with `n` members named 张…, whose pinyin all start with "zh" (several index entries
    /// each: the kept answers need at least ``PrefixAnswers/smallestKept``).
    static func model(_ n: Int) -> DirectoryModel {
        var model = DirectoryModel(organization: "Org")
        let given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")
        for i in 0..<n {
            let name = "张" + String(given[i % given.count]) + String(given[(i / given.count) % given.count])
            model.put(Member(account: try! Account(parsing: "zh\(i)"), name: name, email: "zh\(i)@example.com"))
        }
        return model
    }

    static let large = model(1200)

    func planned(_ filter: String, _ model: DirectoryModel, limit: Int) throws -> (Set<Int>, Set<String>?) {
        let c = try #require(SearchPlanner(model: model).candidates(try Filter(parsing: filter), keepKeysUpTo: limit))
        return (Set(c.hashes.values), c.keys.map(Set.init))
    }

    @Test func aKeptAnswerIsTheComputedOne() throws {
        let model = Self.large
        #expect(model.accountEntryCount(namePrefix: "zh") >= PrefixAnswers.smallestKept)
        for filter in ["(cn=zh*)", "(|(cn=zh*)(mail=zh*)(sn=zh*))", "(sn=zhang*)", "(mail=zh*)", "(&(cn=zh*)(mail=zh1*))", "(cn=张*)"] {
            for limit in [1, 100, 5000, Int.max] {
                PrefixAnswers.forgetAll()
                let fresh = try planned(filter, model, limit: limit)
                let first = try planned(filter, model, limit: limit)  // kept now
                let again = try planned(filter, model, limit: limit)
                #expect(first == fresh && again == fresh, "\(filter) \(limit)")
                // Kept under one limit, asked under another.
                for other in [1, 100, 5000, Int.max] {
                    #expect(try planned(filter, model, limit: other) == { PrefixAnswers.forgetAll(); return try planned(filter, model, limit: other) }(), "\(filter) \(limit) \(other)")
                }
            }
        }
        // 1 200 accounts: keys given up to the limit, not beyond.
        PrefixAnswers.forgetAll()
        #expect(try planned("(cn=zh*)", model, limit: 5000).1?.count == 1200)
        #expect(try planned("(cn=zh*)", model, limit: 100).1 == nil)
        #expect(try planned("(cn=zh*)", model, limit: 5000).1?.count == 1200)
    }

    @Test func aRenameOrACopyNeverReadsAnotherStatesAnswer() throws {
        var model = Self.large
        let snapshot = model
        let before = try planned("(cn=zh*)", model, limit: .max).0
        #expect(before.count == 1200)
        var m = try #require(model.member("zh7"))
        m.name = "李四"
        model.put(m)
        var copy = snapshot
        var other = try #require(copy.member("zh8"))
        other.name = "王五"
        copy.put(other)
        for _ in 0..<2 {
            let renamed = try planned("(cn=zh*)", model, limit: .max)
            #expect(renamed.0.count == 1199 && !(renamed.1?.contains("zh7") ?? true) && renamed.1?.contains("zh8") == true)
            #expect(try planned("(cn=李*)", model, limit: .max).1 == ["zh7"])
            let old = try planned("(cn=zh*)", snapshot, limit: .max)
            #expect(old.0 == before && old.1?.contains("zh7") == true)
            let diverged = try planned("(cn=zh*)", copy, limit: .max)
            #expect(diverged.0.count == 1199 && diverged.1?.contains("zh7") == true && !(diverged.1?.contains("zh8") ?? true))
        }
        // A changed e-mail address: the mail index's answer moves with it.
        let mails = try planned("(mail=zh1*)", model, limit: .max).1 ?? []
        var n = try #require(model.member("zh10"))
        n.email = "other@example.com"
        model.put(n)
        #expect(try planned("(mail=zh1*)", model, limit: .max).1 == mails.subtracting(["zh10"]))
        // A removed member (the index only loses entries).
        var newest = Self.model(1200)
        _ = try planned("(|(cn=zh*)(mail=zh*))", newest, limit: .max)
        newest.removeMember(try Account(parsing: "zh9"))
        let removed = try planned("(|(cn=zh*)(mail=zh*))", newest, limit: .max)
        #expect(removed.1?.contains("zh9") == false && removed.0.count == 1199)
    }
}
