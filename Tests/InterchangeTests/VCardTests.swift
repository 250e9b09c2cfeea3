import Directory
import Foundation
import Interchange
import Testing
import TestSupport

/// vCard 4.0 (RFC 6350) cards against hand-written expectations, and read back by an independent
/// parser (Python, written from the RFC, not from the builder).
@Suite struct VCardTests {
    static let ctx = CommandContext(actor: "test", source: "test")

    /// 示例公司 > 营销中心 > 大客户部, with 张三 in 大客户部 and 欧阳娜娜 at the root.
    static func directory() throws -> DirectoryService {
        let service = try DirectoryService(store: InMemoryStore(DirectoryModel(organization: "示例公司")))
        try service.execute(.createDepartmentPath(parents: ["营销中心"], leaf: DepartmentDraft(name: "大客户部", parent: .root)), by: ctx)
        let dept = try #require(service.live.snapshot().department(atPath: ["营销中心", "大客户部"]))
        try service.execute(
            .createMember(
                account: "zhangsan", fields: [
                    .name: "张三", .mobile: "13800000000", .email: "zhangsan@example.com", .phone: "010-1234",
                    .phone2: "010-5678", .title: "经理, 销售; 大客户", .address: "北京市\n朝阳区 1 号",
                    .birthday: "1990-01-15", .remarks: "back\\slash", .gender: "男", .nickname: "小张",
                ], departments: [dept.id], passwordHash: nil), by: ctx)
        try service.execute(
            .createMember(account: "ouyang", fields: [.name: "欧阳娜娜", .email: "ny@example.com"], departments: [], passwordHash: nil),
            by: ctx)
        return service
    }

    static let everything = Set(MemberField.allCases)

    @Test func writesEveryPropertyWithRFC6350Escaping() throws {
        let model = try Self.directory().live.snapshot()
        let m = try #require(model.member("zhangsan"))
        let card = VCard.card(for: m, in: model, fields: Self.everything)
        let expected = [
            "BEGIN:VCARD",
            "VERSION:4.0",
            "FN:张三",
            "N:张;三;;;",
            "NICKNAME:小张",
            "GENDER:M",
            "TEL;TYPE=cell:13800000000",
            "TEL;TYPE=work:010-1234",
            "TEL;TYPE=work:010-5678",
            "EMAIL;TYPE=work:zhangsan@example.com",
            "ORG:示例公司;营销中心;大客户部",
            "TITLE:经理\\, 销售\\; 大客户",
            "ADR;TYPE=work:;;北京市\\n朝阳区 1 号;;;;",
            "BDAY:19900115",
            "NOTE:back\\\\slash",
            "UID:urn:uuid:\(m.uuid.uuidString.lowercased())",
            "END:VCARD",
        ].map { $0 + "\r\n" }.joined()
        #expect(card == expected)
    }

    @Test func compoundSurnameAndHiddenFieldsAreLeftOut() throws {
        let model = try Self.directory().live.snapshot()
        let m = try #require(model.member("zhangsan"))
        // A viewer who may see only the name, the title and the department.
        let card = VCard.card(for: m, in: model, fields: [.name, .title, .department])
        #expect(!card.contains("TEL"))
        #expect(!card.contains("EMAIL"))
        #expect(!card.contains("NOTE"))
        #expect(!card.contains("BDAY"))
        #expect(card.contains("ORG:示例公司;营销中心;大客户部\r\n"))
        let ouyang = try #require(model.member("ouyang"))
        let c2 = VCard.card(for: ouyang, in: model, fields: [.name, .email])
        #expect(c2.contains("\r\nN:欧阳;娜娜;;;\r\n"))
        #expect(c2.contains("\r\nORG:示例公司\r\n"))
    }

    @Test func foldsAt75OctetsWithoutSplittingUTF8() {
        // 30 CJK characters: 5 + 90 octets; each is 3 octets, so a cut inside one would be wrong.
        let line = "NOTE:" + String(repeating: "汉", count: 30)
        let folded = VCard.fold(line)
        let physical = folded.components(separatedBy: "\r\n").dropLast()
        #expect(physical.count == 2)
        // 5 + 23×3 = 74 octets (a 24th character would make 77); then a space and the other 7.
        #expect(physical[0] == "NOTE:" + String(repeating: "汉", count: 23))
        #expect(physical[1] == " " + String(repeating: "汉", count: 7))
        for p in physical { #expect(p.utf8.count <= 75) }
        // ASCII: exactly 75 octets on the first line, 74 + the space on the next.
        let ascii = VCard.fold(String(repeating: "a", count: 160)).components(separatedBy: "\r\n")
        #expect(ascii[0].utf8.count == 75)
        #expect(ascii[1] == " " + String(repeating: "a", count: 74))
        #expect(ascii[2] == " " + String(repeating: "a", count: 11))
    }

    /// A second program reads the cards: unfolds (RFC 6350 §3.2), checks CRLF, octet limits and
    /// UTF-8, splits properties and unescapes values, and prints what it read.
    @Test func anIndependentParserReadsTheCards() throws {
        let service = try Self.directory()
        let model = service.live.snapshot()
        var m = try #require(model.member("zhangsan"))
        m.remarks = String(repeating: "很长的备注，", count: 20) + "end"
        let text = VCard.cards(for: [m, try #require(model.member("ouyang"))], in: model, fields: Self.everything)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vcard-\(UUID().uuidString).vcf")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = #"""
        import sys, json
        raw = open(sys.argv[1], 'rb').read()
        assert raw.endswith(b'\r\n'), 'no final CRLF'
        phys = raw.split(b'\r\n')[:-1]
        for p in phys:
            assert b'\n' not in p and b'\r' not in p, 'bare line break'
            assert len(p) <= 75, 'line longer than 75 octets: %d' % len(p)
            p.decode('utf-8')  # every physical line is valid UTF-8 on its own
        logical = []
        for p in phys:
            if p.startswith(b' '):
                logical[-1] += p[1:]
            else:
                logical.append(p)
        def unescape(v):
            out, i = '', 0
            while i < len(v):
                c = v[i]
                if c == '\\' and i + 1 < len(v):
                    n = v[i+1]; out += '\n' if n in 'nN' else n; i += 2
                else:
                    out += c; i += 1
            return out
        def split(v, sep):
            parts, cur, i = [], '', 0
            while i < len(v):
                if v[i] == '\\' and i + 1 < len(v): cur += v[i:i+2]; i += 2; continue
                if v[i] == sep: parts.append(cur); cur = ''
                else: cur += v[i]
                i += 1
            parts.append(cur)
            return parts
        cards, card = [], None
        for l in logical:
            l = l.decode('utf-8')
            name, _, value = l.partition(':')
            prop = name.split(';')[0].upper()
            if prop == 'BEGIN': card = {}; continue
            if prop == 'END': cards.append(card); continue
            if prop in ('N', 'ORG', 'ADR'):
                card.setdefault(prop, []).append([unescape(x) for x in split(value, ';')])
            else:
                card.setdefault(name, []).append(unescape(value))
        print(json.dumps(cards, ensure_ascii=False))
        """#
        let r = try runProgram("/usr/bin/python3", ["-c", script, file.path])
        #expect(r.status == 0, "\(r.err)")
        let cards = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]])
        #expect(cards.count == 2)
        #expect(cards[0]["VERSION"] as? [String] == ["4.0"])
        #expect(cards[0]["FN"] as? [String] == ["张三"])
        #expect(cards[0]["N"] as? [[String]] == [["张", "三", "", "", ""]])
        #expect(cards[0]["TITLE"] as? [String] == ["经理, 销售; 大客户"])
        #expect(cards[0]["ADR"] as? [[String]] == [["", "", "北京市\n朝阳区 1 号", "", "", "", ""]])
        #expect(cards[0]["NOTE"] as? [String] == [m.remarks ?? ""])
        #expect(cards[0]["TEL;TYPE=cell"] as? [String] == ["13800000000"])
        #expect(cards[0]["ORG"] as? [[String]] == [["示例公司", "营销中心", "大客户部"]])
        #expect(cards[1]["FN"] as? [String] == ["欧阳娜娜"])
    }
}

/// Runs a program and returns its exit status and output.
func runProgram(_ path: String, _ args: [String], input: Data? = nil, environment: [String: String]? = nil) throws
    -> (status: Int32, out: String, err: String)
{
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let input { inp.fileHandleForWriting.write(input) }
    try? inp.fileHandleForWriting.close()
    // Read both pipes concurrently so neither fills up.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = readAll(err.fileHandleForReading)
        group.leave()
    }
    let outData = readAll(out.fileHandleForReading)
    group.wait()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
