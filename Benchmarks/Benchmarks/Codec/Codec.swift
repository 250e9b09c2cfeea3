import BER
import Benchmark
import LDAPProtocol

/// The address-book lookup a mail client sends as the user types.
let searchBytes: [UInt8] = LDAPMessage(
    messageID: 42,
    .searchRequest(
        SearchRequest(
            baseObject: "dc=example,dc=com", scope: .wholeSubtree, sizeLimit: 100,
            filter: .or([
                .substrings(SubstringFilter("cn", any: [Array("zhang".utf8)])),
                .substrings(SubstringFilter("mail", any: [Array("zhang".utf8)])),
                .substrings(SubstringFilter("sn", initial: Array("zhang".utf8))),
            ]),
            attributes: ["cn", "mail", "mobile", "title"]))
).berEncoded

/// A member entry as the server returns it: 15 attributes.
let entry = LDAPMessage(
    messageID: 42,
    .searchResultEntry(
        SearchResultEntry(
            objectName: "uid=zhangsan001,ou=工业制造,ou=大客户部,ou=营销中心,dc=example,dc=com",
            attributes: [
                PartialAttribute("objectClass", strings: ["top", "person", "organizationalPerson", "inetOrgPerson", "rosterMember"]),
                PartialAttribute("uid", strings: ["zhangsan001"]),
                PartialAttribute("cn", strings: ["张三"]),
                PartialAttribute("displayName", strings: ["张三"]),
                PartialAttribute("sn", strings: ["张"]),
                PartialAttribute("givenName", strings: ["三"]),
                PartialAttribute("mail", strings: ["zhangsan001@example.com"]),
                PartialAttribute("mobile", strings: ["13800138000"]),
                PartialAttribute("telephoneNumber", strings: ["010-12345678", "010-87654321"]),
                PartialAttribute("title", strings: ["大客户经理"]),
                PartialAttribute("ou", strings: ["工业制造", "市场部"]),
                PartialAttribute("departmentNumber", strings: ["12", "7"]),
                PartialAttribute("postalAddress", strings: ["北京市朝阳区建国路 1 号"]),
                PartialAttribute("description", strings: ["负责华北区制造业客户"]),
                PartialAttribute("rosterWeChatID", strings: ["zhangsan-work"]),
            ])))

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3))

    Benchmark("Decode SearchRequest (3-way OR substring filter)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try LDAPMessage(berEncoded: searchBytes[...]))
        }
    }

    Benchmark("Encode SearchResultEntry (15 attributes)") { benchmark in
        for _ in benchmark.scaledIterations {
            var s = BERSerializer(capacity: 512)
            entry.encode(into: &s)
            blackHole(s.bytes)
        }
    }
}
