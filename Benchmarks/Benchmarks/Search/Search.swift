import Benchmark
import BenchmarkSupport
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

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(3))
    let model = generatedOrganization(members: 100_000, subdepartmentEvery: Int.max)
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
            for _ in benchmark.scaledIterations { blackHole(s.respond(to: message)) }
        }
    }
}
