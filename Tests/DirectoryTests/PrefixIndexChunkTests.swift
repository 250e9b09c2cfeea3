import Directory
import Testing

/// The prefix index across its chunk boundaries: thousands of keys in one bucket, inserted in a
/// scrambled order, looked up and removed, against a plain sorted list.
@Suite struct PrefixIndexChunkTests {
    @Test func lookupsAcrossChunksMatchASortedList() {
        var index = PrefixIndex()
        var reference: [(String, String)] = []
        var rng = SplitMix(state: 7)
        let syllables = ["zhang", "zhao", "zhou", "zheng", "zhu", "zeng", "zou"]
        for i in 0..<6000 {
            let key = syllables[Int(rng.next() % 7)] + String(rng.next() % 300)
            let account = "u\(i % 4000)"
            index.insert(key, account: account)
            if !reference.contains(where: { $0 == (key, account) }) { reference.append((key, account)) }
        }
        func expected(_ p: String) -> [String] {
            reference.filter { $0.0.hasPrefix(p) }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.1)
        }
        #expect(index.count == reference.count)
        for p in ["z", "zh", "zhang", "zhang1", "zhang12", "zou299", "zz", "a"] { #expect(index.prefix(p) == expected(p), "\(p)") }
        #expect(index.exact("zhao17") == reference.filter { $0.0 == "zhao17" }.map(\.1).sorted())
        // Remove every other entry: chunks shrink and empty ones go.
        for (n, (key, account)) in reference.enumerated() where n % 2 == 0 { index.remove(key, account: account) }
        reference = reference.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(index.count == reference.count)
        for p in ["z", "zhang", "zheng2", "zou"] { #expect(index.prefix(p) == expected(p), "\(p)") }
        var built = PrefixIndex()
        built.build(reference + reference)
        #expect(built.count == reference.count)
        for p in ["z", "zhang", "zhu1"] { #expect(built.prefix(p) == expected(p), "\(p)") }
    }
}
