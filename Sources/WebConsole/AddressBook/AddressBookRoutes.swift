import Directory
import Foundation
import Hummingbird
import NIOCore

// MARK: - The address book: /, /search, /az/LETTER, /org, /departments/ID, /people/ACCOUNT(.vcf, /qr.svg)

extension WebApp {
    func addAddressBookRoutes(to router: Router<WebContext>) {
        router.get("/") { request, context -> Response in
            let book = AddressBook(visibility: try self.signedIn(request, context))
            return self.homePage(request, context, book)
        }
        router.get("/search") { request, context -> Response in
            let book = AddressBook(visibility: try self.signedIn(request, context))
            let q = String((request.formQueryValue("q") ?? "").prefix(100))
            let results = self.searchResults(context, book, q)
            if request.uri.queryParameters["fragment"] != nil { return Page.html(results) }
            let body: HTML = "\(self.searchForm(context, q))\(results)"
            return Page(title: q.isEmpty ? context.words[.search] : q, body: body).response(request, context)
        }
        router.get("/az/:letter") { request, context -> Response in
            let book = AddressBook(visibility: try self.signedIn(request, context))
            // The router hands over the segment as sent: `#` arrives as `%23` (found by review).
            guard let raw = context.parameters.get("letter")?.removingPercentEncoding, raw.count == 1, let letter = raw.uppercased().first,
                letter == "#" || (letter.isASCII && letter.isLetter)
            else { throw WebError.notFound }
            let people = book.index().first { $0.letter == letter }?.people ?? []
            let body: HTML = """
                \(self.searchForm(context, ""))\(self.letterBar(book, current: letter))
                <h2 class="letter">\(String(letter))</h2>\(self.personList(context, book, people))
                """
            return Page(title: String(letter), body: body).response(request, context)
        }
        router.get("/org") { request, context -> Response in
            let book = AddressBook(visibility: try self.signedIn(request, context))
            return try self.departmentPage(request, context, book, .root)
        }
        router.get("/departments/:id") { request, context -> Response in
            let book = AddressBook(visibility: try self.signedIn(request, context))
            guard let raw = context.parameters.get("id"), let n = Int64(raw) else { throw WebError.notFound }
            return try self.departmentPage(request, context, book, DepartmentID(n))
        }
        router.get("/people/:account") { request, context -> Response in
            let book = AddressBook(visibility: try self.signedIn(request, context))
            let raw = context.parameters.get("account") ?? ""
            if let m = book.member(raw) { return self.cardPage(request, context, book, m) }
            if raw.hasSuffix(".vcf"), let m = book.member(String(raw.dropLast(4))) { return self.vCardResponse(book, m) }
            throw WebError.notFound
        }
        router.get("/people/:account/qr.svg") { request, context -> Response in
            let book = AddressBook(visibility: try self.signedIn(request, context))
            guard let m = book.member(context.parameters.get("account") ?? "") else { throw WebError.notFound }
            // Encoding a QR code costs milliseconds: off the event loop, so a burst of them does
            // not stall every other page (found by review).
            let text = ContactCard.vCard(of: m, book: book)
            let svg = try await self.offLoop { ContactCard.qrSVG(text) ?? "<svg xmlns=\"http://www.w3.org/2000/svg\"/>" }
            return Response(
                status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: svg)))
        }
    }

    // MARK: - Pieces

    func searchForm(_ context: WebContext, _ q: String) -> HTML {
        let w = context.words
        return """
            <form class="search" method="get" action="/search" role="search">\
            <input type="search" name="q" id="q" value="\(q)" placeholder="\(w[.searchHint])" aria-label="\(w[.search])" \
            autocomplete="off" autocapitalize="none" data-live="/search">\
            <button type="submit">\(w[.search])</button></form>
            """
    }

    func searchResults(_ context: WebContext, _ book: AddressBook, _ q: String) -> HTML {
        guard !q.isEmpty else { return "<div id=\"results\" aria-live=\"polite\"></div>" }
        let (people, more) = book.search(q, limit: limits.maxSearchResults)
        let list: HTML =
            people.isEmpty
            ? "<p class=\"empty\">\(context.words[.noResults])</p>" : personList(context, book, people)
        let moreHTML: HTML? = more ? "<p class=\"more\">…</p>" : nil
        return "<div id=\"results\" aria-live=\"polite\" data-count=\"\(people.count)\">\(list)\(moreHTML)</div>"
    }

    func letterBar(_ book: AddressBook, current: Character?) -> HTML {
        let letters = book.index().map(\.letter)
        let links = letters.map { l -> HTML in
            let s = String(l)
            let path = l == "#" ? "/az/%23" : "/az/\(s)"
            return l == current ? "<a href=\"\(path)\" class=\"current\">\(s)</a>" : "<a href=\"\(path)\">\(s)</a>"
        }
        return "<nav class=\"az\" aria-label=\"A–Z\">\(links)</nav>"
    }

    func personList(_ context: WebContext, _ book: AddressBook, _ people: [Member]) -> HTML {
        let items = people.map { m -> HTML in
            let department = book.departments(of: m).first?.name
            let title = book.visibility.canSee(field: .title, of: m) ? m.title : nil
            let sub = [title, department].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
            let pinned: HTML? = m.pinned ? " <span class=\"pin\">\(context.words[.pinned])</span>" : nil
            return """
                <li class="person" data-account="\(m.account.value)"><a href="/people/\(m.account.value)">\
                <span class="avatar" aria-hidden="true">\(Self.avatarText(m.name))</span>\
                <span class="who"><span class="name">\(m.name)</span>\(pinned)<span class="sub">\(sub)</span></span></a></li>
                """
        }
        return "<ul class=\"people\">\(items)</ul>"
    }

    /// The last character of a Han name (as Chinese address books show it), else the first letter.
    static func avatarText(_ name: String) -> String {
        let t = name.trimmingWhitespace
        if let f = t.unicodeScalars.first, Pinyin.isHan(f), let last = t.last { return String(last) }
        return t.first.map { String($0).uppercased() } ?? "?"
    }

    func departmentRows(_ context: WebContext, _ departments: [AddressBook.DepartmentSummary]) -> HTML {
        let w = context.words
        let rows = departments.map { s -> HTML in
            """
            <li class="department" data-department="\(s.department.id.rawValue)"><a href="/departments/\(s.department.id.rawValue)">\
            <span class="name">\(s.department.name)</span>\
            <span class="count" title="\(w[.directCount]) \(s.direct)"><span class="subtree">\(s.subtree)</span> \(w[.headCount])\
            \(s.direct > 0 ? "<span class=\"direct\"> · \(w[.directCount]) \(s.direct)</span>" as HTML : .empty)</span></a></li>
            """
        }
        return "<ul class=\"departments\">\(rows)</ul>"
    }

    func homePage(_ request: Request, _ context: WebContext, _ book: AddressBook) -> Response {
        let w = context.words
        let top = book.children(of: .root)
        let rootMembers = book.members(in: .root)
        let body: HTML = """
            \(searchForm(context, ""))<div id="results" aria-live="polite"></div>
            <h2>\(w[.azIndex])</h2>\(letterBar(book, current: nil))
            <h2><a href="/org">\(w[.organization])</a></h2>\(departmentRows(context, top))
            \(rootMembers.isEmpty ? HTML.empty : personList(context, book, rootMembers))
            """
        return Page(title: w[.addressBook], body: body).response(request, context)
    }

    func departmentPage(_ request: Request, _ context: WebContext, _ book: AddressBook, _ id: DepartmentID) throws -> Response {
        let w = context.words
        guard let summary = book.summary(id) else { throw WebError.notFound }
        let crumbs = book.path(to: id).map { d -> HTML in
            d.id == id ? "<span>\(d.name)</span>" : "<a href=\"\(d.id == .root ? "/org" : "/departments/\(d.id.rawValue)")\">\(d.name)</a>"
        }
        let leaders = summary.department.leaders.compactMap { book.member($0.value) }
        let leaderHTML: HTML? =
            leaders.isEmpty
            ? nil
            : "<p class=\"leaders\">\(w[.leader]): \(HTML.join(leaders.map { l -> HTML in "<a href=\"/people/\(l.account.value)\" data-account=\"\(l.account.value)\">\(l.name)</a>" }, separator: "、"))</p>"
        let body: HTML = """
            <nav class="crumbs">\(HTML.join(crumbs, separator: " › "))</nav>
            <h1 data-department="\(id.rawValue)">\(summary.department.name) <span class="count">\(summary.subtree) \(w[.headCount])\
            </span></h1>\(leaderHTML)
            \(departmentRows(context, book.children(of: id)))
            \(personList(context, book, book.members(in: id)))
            """
        return Page(title: summary.department.name, body: body).response(request, context)
    }

    func cardPage(_ request: Request, _ context: WebContext, _ book: AddressBook, _ m: Member) -> Response {
        let w = context.words
        let rows = book.visibleFields(of: m).map { (f, v) -> HTML in
            let value: HTML
            switch f {
            case .mobile, .phone, .phone2:
                value = "<a href=\"tel:\(AddressBook.phoneKey(v))\">\(v)</a>"
            case .email:
                value = "<a href=\"mailto:\(v)\">\(v)</a>"
            default:
                value = "\(v)"
            }
            return "<div class=\"field\" data-field=\"\(f.rawValue)\"><dt>\(w.field(f))</dt><dd>\(value)</dd></div>"
        }
        let departments = book.departments(of: m).map { d -> HTML in
            let names = book.path(to: d.id).dropFirst().map(\.name).joined(separator: " › ")
            return "<a href=\"\(d.id == .root ? "/org" : "/departments/\(d.id.rawValue)")\">\(names.isEmpty ? d.name : names)</a>"
        }
        let leader: HTML? = book.leader(of: m).map { l in
            "<div class=\"field\" data-field=\"leader\"><dt>\(w[.leader])</dt><dd><a href=\"/people/\(l.account.value)\" data-account=\"\(l.account.value)\">\(l.name)</a></dd></div>"
        }
        var actions: [HTML] = []
        if let mobile = m.mobile, book.visibility.canSee(field: .mobile, of: m) {
            actions.append("<a class=\"button\" href=\"tel:\(AddressBook.phoneKey(mobile))\">\(w[.call])</a>")
        }
        if let email = m.email, book.visibility.canSee(field: .email, of: m) {
            actions.append("<a class=\"button\" href=\"mailto:\(email)\">\(w[.mail])</a>")
        }
        actions.append("<a class=\"button\" id=\"vcard\" href=\"/people/\(m.account.value).vcf\" download>\(w[.saveContact])</a>")
        let body: HTML = """
            <article class="card" data-account="\(m.account.value)">
            <header><span class="avatar big" aria-hidden="true">\(Self.avatarText(m.name))</span>\
            <div><h1 class="name">\(m.name)</h1><p class="account">\(m.account.value)</p></div></header>
            <p class="actions">\(actions)</p>
            <dl>\(leader)<div class="field" data-field="department"><dt>\(w.field(.department))</dt><dd>\(HTML.join(departments, separator: "<br>"))</dd></div>\(rows)</dl>
            <figure class="qr"><img src="/people/\(m.account.value)/qr.svg" alt="\(w[.qrCode])" width="240" height="240">\
            <figcaption>\(w[.qrCode]) · \(w[.qrHint])</figcaption></figure>
            </article>
            """
        return Page(title: m.name, body: body).response(request, context)
    }

    func vCardResponse(_ book: AddressBook, _ m: Member) -> Response {
        let text = ContactCard.vCard(of: m, book: book)
        let filename = m.account.value + ".vcf"
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/vcard; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\"",
                .cacheControl: "no-store",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
