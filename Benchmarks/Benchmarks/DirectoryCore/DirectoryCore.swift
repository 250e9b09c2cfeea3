import Benchmark
import Directory
import Foundation
import Storage

/// A deterministic organisation of `members` members in about 4 000 departments.
func generatedOrganization(members: Int) -> DirectoryModel {
    var model = DirectoryModel(organization: "基准公司")
    var seed: UInt64 = 42
    func next() -> UInt64 {
        seed &+= 0x9E37_79B9_7F4A_7C15
        var z = seed
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    var id: Int64 = 2
    var leaves: [DepartmentID] = []
    for a in 0..<10 {
        let top = DepartmentID(id); id += 1
        model.put(Department(id: top, name: "事业部\(a)", parent: .root, order: a, scope: .department))
        for b in 0..<20 {
            let mid = DepartmentID(id); id += 1
            model.put(Department(id: mid, name: "区域\(b)", parent: top, order: b))
            for c in 0..<19 {
                let leaf = DepartmentID(id); id += 1
                model.put(Department(id: leaf, name: "网点\(c)", parent: mid, order: c, scope: c % 3 == 0 ? .subdepartment : .inherit))
                leaves.append(leaf)
            }
        }
    }
    let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉梅建国志强文斌海燕春梅")
    var list: [Member] = []
    list.reserveCapacity(members)
    for i in 0..<members {
        let r = next()
        let name = String(surnames[Int(r % UInt64(surnames.count))]) + String(given[Int((r >> 8) % UInt64(given.count))])
            + ((r >> 16) % 2 == 0 ? String(given[Int((r >> 24) % UInt64(given.count))]) : "")
        let account = String(format: "u%06d", i)
        var m = Member(
            account: try! Account(parsing: account), name: name, departments: [leaves[Int((r >> 32) % UInt64(leaves.count))]],
            mobile: "1\(String(format: "%010d", 3_000_000_000 + i))", email: "\(account)@example.com", title: "职员")
        m.passwordHash = "{SSHA}x"
        list.append(m)
    }
    model.bulkLoad(members: list)
    _ = model.takeChanges()
    return model
}

let databasePath = "/tmp/roster-bench-100k.sqlite"

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(3))
    let model = generatedOrganization(members: 100_000)
    let accounts = (0..<1000).map { String(format: "u%06d", $0 * 97) }

    Benchmark("Start-up load: 100 000 members, 4 000 departments from SQLite",
              configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(60), maxIterations: 3)) { benchmark in
        benchmark.startMeasurement()
        let store = try SQLiteStore(path: databasePath)
        blackHole(try store.load())
        benchmark.stopMeasurement()
    } setup: {
        if !FileManager.default.fileExists(atPath: databasePath) {
            _ = try SQLiteStore.create(path: databasePath, baseDN: "dc=example,dc=com", model: model)
        }
    }

    Benchmark("Lookup by account (100 000 members)") { benchmark in
        for i in benchmark.scaledIterations { blackHole(model.member(accounts[i % accounts.count])) }
    }

    Benchmark("Lookup by mail (100 000 members)") { benchmark in
        for i in benchmark.scaledIterations { blackHole(model.member(email: accounts[i % accounts.count] + "@example.com")) }
    }

    Benchmark("Lookup by mobile (100 000 members)") { benchmark in
        for i in benchmark.scaledIterations { blackHole(model.member(mobile: "1\(String(format: "%010d", 3_000_000_000 + (i * 97) % 100_000))")) }
    }

    Benchmark("Name prefix lookup: 张 (about 7 000 matches)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(model.members(namePrefix: "张").count) }
    }

    Benchmark("Name prefix lookup: pinyin zhangw") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(model.members(namePrefix: "zhangw").count) }
    }

    let visibility = Visibility(viewer: .member(model.member("u000001")!.account), model: model)
    let sample = Array(model.allMembers.prefix(10_000))
    Benchmark("Visibility decision per member entry (1 000 members per iteration)") { benchmark in
        for _ in benchmark.scaledIterations {
            var seen = 0
            for m in sample.prefix(1000) where visibility.canSee(member: m) { seen += 1 }
            blackHole(seen)
        }
    }

    Benchmark("Command: update a member's title (100 000 members, in memory)") { benchmark in
        var m = model
        let ctx = CommandContext(actor: "bench", source: "bench")
        for i in benchmark.scaledIterations {
            blackHole(try m.apply(.updateMember(try Account(parsing: accounts[i % accounts.count]), fields: [.title: "经理\(i)"]), by: ctx))
        }
    }
}
