import Benchmark
import BenchmarkSupport
import Directory
import Foundation
import Storage

let databasePath = "/tmp/roster-bench-100k.sqlite"

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(3))
    let model = generatedOrganization(members: 100_000)
    let accounts = (0..<1000).map { "u\(100_000 + $0 * 97)" }

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
        for i in benchmark.scaledIterations { blackHole(model.member(mobile: "13\(900_000_000 + (i * 97) % 100_000)")) }
    }

    Benchmark("Name prefix lookup: 张 (about 7 000 matches)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(model.members(namePrefix: "张").count) }
    }

    Benchmark("Name prefix lookup: pinyin zhangw") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(model.members(namePrefix: "zhangw").count) }
    }

    let visibility = Visibility(viewer: .member(model.member("u100001")!.account), model: model)
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
