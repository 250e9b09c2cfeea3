import Directory
import Testing

@Suite struct IndexTests {
    @Test func lookupsByAccountMailMobileAndName() {
        var m = sampleModel()
        #expect(m.member("ZHANGSAN001")?.name == "张三")
        #expect(m.member(email: "ZS@EXAMPLE.COM")?.account.value == "zhangsan001")
        #expect(m.member(mobile: "138 0013 8000")?.account.value == "zhangsan001")
        #expect(m.members(named: "张三").map(\.account.value) == ["zhangsan001"])
        #expect(m.members(named: "zhang san").map(\.account.value) == ["zhangsan001"])
        #expect(m.members(named: "ZhangSan").map(\.account.value) == ["zhangsan001"])
        #expect(m.members(named: "zs").map(\.account.value) == ["zhangsan001"])
        #expect(m.members(namePrefix: "张").map(\.account.value) == ["zhangsan001"])
        #expect(m.members(namePrefix: "zha").map(\.account.value) == ["zhangsan001"])
        #expect(m.members(namePrefix: "l").map(\.account.value) == ["lisi"])
        #expect(m.members(namePrefix: "x").isEmpty)
        m.run(.updateMember(acct("zhangsan001"), fields: [.name: "张伟"]))
        #expect(m.members(named: "张三").isEmpty)
        #expect(m.members(namePrefix: "zhang w").map(\.account.value) == ["zhangsan001"])
        m.run(.depart(acct("zhangsan001")))
        m.run(.erase(acct("zhangsan001")))
        #expect(m.members(namePrefix: "zhang").isEmpty)
        #expect(m.member(email: "zs@example.com") == nil)
    }

    @Test func prefixIndexKeepsOrderAndDuplicatesOut() {
        var index = PrefixIndex()
        index.insert("zhangsan", account: "b")
        index.insert("zhangsan", account: "a")
        index.insert("zhangsan", account: "a")
        index.insert("zhao", account: "c")
        index.insert("li", account: "d")
        #expect(index.exact("zhangsan") == ["a", "b"])
        #expect(index.prefix("zh") == ["a", "b", "c"])
        #expect(index.count == 4)
        index.remove("zhangsan", account: "a")
        #expect(index.prefix("zh") == ["b", "c"])
        var built = PrefixIndex()
        built.build([("zhao", "c"), ("zhangsan", "b"), ("li", "d")])
        #expect(built.prefix("zh") == ["b", "c"])
    }

    /// Tens of thousands of writes, so that chunks and pages split and empty out, checked against
    /// a plain sorted list; a snapshot taken half-way is unchanged by the writes after it.
    @Test func prefixIndexAgreesWithASortedListThroughSplitsAndRemovals() {
        var rng = SplitMix(state: 42)
        var index = PrefixIndex()
        var reference = Set<[String]>()
        let letters = Array("abcz")
        func randomKey() -> String {
            String((0..<Int.random(in: 1...5, using: &rng)).map { _ in letters.randomElement(using: &rng)! })
        }
        var snapshot = PrefixIndex()
        var snapshotReference = Set<[String]>()
        for step in 0..<40_000 {
            let key = randomKey(), account = "u\(Int.random(in: 0..<300, using: &rng))"
            if Int.random(in: 0..<3, using: &rng) == 0, let victim = reference.randomElement(using: &rng) {
                index.remove(victim[0], account: victim[1])
                reference.remove(victim)
            } else {
                index.insert(key, account: account)
                reference.insert([key, account])
            }
            if step == 20_000 {
                snapshot = index
                snapshotReference = reference
            }
        }
        func expected(_ ref: Set<[String]>, _ prefix: String) -> [String] {
            ref.filter { $0[0].hasPrefix(prefix) }.sorted { $0[0] != $1[0] ? $0[0] < $1[0] : $0[1] < $1[1] }.map { $0[1] }
        }
        #expect(index.count == reference.count)
        for prefix in ["a", "b", "z", "ab", "zz", "abc", "cz", "azcb", "c"] {
            #expect(index.prefix(prefix) == expected(reference, prefix), "\(prefix)")
            #expect(snapshot.prefix(prefix) == expected(snapshotReference, prefix), "snapshot \(prefix)")
            // Counted and visited by the range the binary searches find, without comparing keys.
            #expect(index.count(prefix: prefix) == expected(reference, prefix).count, "count \(prefix)")
            var hashes: [Int] = []
            index.visit(prefix: prefix) { hash, account in
                hashes.append(hash)
                #expect(hash == DirectoryModel.accountHash(account()))
            }
            #expect(hashes == expected(reference, prefix).map(DirectoryModel.accountHash), "visit \(prefix)")
        }
        for key in ["a", "ab", "zzz", "cab"] {
            #expect(index.exact(key) == reference.filter { $0[0] == key }.map { $0[1] }.sorted(), "\(key)")
        }
        // Everything removed: the index is empty again.
        for pair in reference { index.remove(pair[0], account: pair[1]) }
        #expect(index.count == 0 && index.prefix("a").isEmpty)
    }
}
