import Benchmark
import Directory
import LDAPFrontend
import LDAPProtocol
import Logging

/// Whole searches through the frontend (session → planner → visibility → entries → BER-ready
/// messages) over 100 000 members, as an administrator and as a member.
struct AnyHasher: PasswordHasher {
    func hash(_ password: String) -> String { "{X}" }
    func verify(_ password: [UInt8], against stored: String) -> Bool { false }
}

func organization() -> DirectoryModel {
    var model = DirectoryModel(organization: "基准公司")
    var seed: UInt64 = 7
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
                model.put(Department(id: leaf, name: "网点\(c)", parent: mid, order: c))
                leaves.append(leaf)
            }
        }
    }
    let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉梅建国志文斌海燕春")
    var list: [Member] = []
    for i in 0..<100_000 {
        let r = next()
        let name = String(surnames[Int(r % UInt64(surnames.count))]) + String(given[Int((r >> 8) % UInt64(given.count))])
            + ((r >> 16) % 2 == 0 ? String(given[Int((r >> 24) % UInt64(given.count))]) : "")
        let account = "u\(100_000 + i)"
        list.append(Member(
            account: try! Account(parsing: account), name: name, departments: [leaves[Int((r >> 32) % UInt64(leaves.count))]],
            mobile: "13\(900_000_000 + i)", email: "\(account)@example.com", title: "职员"))
    }
    model.bulkLoad(members: list)
    model.put(Administrator(name: "admin", role: .superAdmin))
    _ = model.takeChanges()
    return model
}


let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(3))
    let model = organization()
    let frontend = Frontend(
        configuration: FrontendConfiguration(baseDN: try! DistinguishedName(parsing: "dc=example,dc=com")),
        directory: LiveDirectory(model), hasher: AnyHasher(), logger: Logger(label: "bench"))

    func request(_ filter: String, _ attributes: [String] = ["cn", "mail", "mobile", "title"]) -> LDAPMessage {
        LDAPMessage(messageID: 2, .searchRequest(SearchRequest(
            baseObject: "dc=example,dc=com", scope: .wholeSubtree, sizeLimit: 100, filter: try! Filter(parsing: filter),
            attributes: attributes)))
    }

    // An administrator's session (what a service account or an admin tool sees).
    let admin = frontend.adminSessionForBenchmarks()
    for (name, filter) in [
        ("uid equality", "(uid=u150000)"), ("mail equality", "(mail=u150000@example.com)"),
        ("mobile equality", "(mobile=13950000000)"), ("cn prefix 张伟 (address book)", "(|(cn=张伟*)(mail=张伟*))"),
        ("cn prefix pinyin zhangw (address book)", "(&(mail=*)(|(mail=zhangw*)(cn=zhangw*)))"),
    ] {
        let message = request(filter)
        Benchmark("Search, admin: \(name)") { benchmark in
            var s = admin
            for _ in benchmark.scaledIterations { blackHole(s.receive(message)) }
        }
    }
}
