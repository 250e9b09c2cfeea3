public import Directory

/// The benchmarks' deterministic organisation: `members` members in 4 010 departments (10
/// business units × 20 regions × 19 depots), names from common Chinese surnames, one mobile and
/// one mail each.
public func generatedOrganization(members: Int, accountPrefix: String = "u", subdepartmentEvery: Int = 3) -> DirectoryModel {
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
        let top = DepartmentID(id)
        id += 1
        model.put(Department(id: top, name: "事业部\(a)", parent: .root, order: a, scope: .department))
        for b in 0..<20 {
            let mid = DepartmentID(id)
            id += 1
            model.put(Department(id: mid, name: "区域\(b)", parent: top, order: b))
            for c in 0..<19 {
                let leaf = DepartmentID(id)
                id += 1
                model.put(Department(id: leaf, name: "网点\(c)", parent: mid, order: c, scope: c % subdepartmentEvery == 0 ? .subdepartment : .inherit))
                leaves.append(leaf)
            }
        }
    }
    let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉梅建国志文斌海燕春")
    var list: [Member] = []
    list.reserveCapacity(members)
    for i in 0..<members {
        let r = next()
        let name = String(surnames[Int(r % UInt64(surnames.count))]) + String(given[Int((r >> 8) % UInt64(given.count))])
            + ((r >> 16) % 2 == 0 ? String(given[Int((r >> 24) % UInt64(given.count))]) : "")
        let account = accountPrefix + String(100_000 + i)
        var m = Member(
            account: try! Account(parsing: account), name: name, departments: [leaves[Int((r >> 32) % UInt64(leaves.count))]],
            mobile: "13\(900_000_000 + i)", email: "\(account)@example.com", title: "职员")
        m.passwordHash = "{SSHA}x"
        list.append(m)
    }
    model.bulkLoad(members: list)
    model.put(Administrator(name: "admin", role: .superAdmin))
    _ = model.takeChanges()
    return model
}
