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
}
