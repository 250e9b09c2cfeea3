import Hummingbird
import NIOCore

// MARK: - /static/app.css, /static/app.js (compiled into the binary: no CDN, no build step)

extension WebApp {
    func addAssetRoutes(to router: Router<WebContext>) {
        router.get("/static/app.css") { _, _ -> Response in Self.asset(Assets.css + "\n" + Assets.adminOrganizationCSS, type: "text/css; charset=utf-8") }
        router.get("/static/app.js") { _, _ -> Response in Self.asset(Assets.javascript, type: "text/javascript; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

enum Assets {
    /// Phone first: one column, big touch targets; wider screens get a centred column.
    static let css = """
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1d2129;background:#f2f3f5}
        a{color:#1664ff;text-decoration:none}
        nav.top{position:sticky;top:0;z-index:2;display:flex;gap:4px;align-items:center;background:#1664ff;padding:0 8px;min-height:48px}
        nav.top a,nav.top span{color:#fff;padding:12px 8px}
        nav.top .brand{font-weight:600;margin-right:auto}
        main{max-width:760px;margin:0 auto;padding:12px}
        h1{font-size:1.4em;margin:.4em 0}
        h2{font-size:1.05em;margin:1.2em 0 .4em;color:#4e5969}
        form.search{display:flex;gap:8px;position:sticky;top:48px;z-index:1;background:#f2f3f5;padding:4px 0}
        input,button{font:inherit}
        input{width:100%;padding:10px 12px;border:1px solid #c9cdd4;border-radius:8px;background:#fff}
        button,.button{display:inline-block;padding:10px 16px;border:0;border-radius:8px;background:#1664ff;color:#fff;cursor:pointer;white-space:nowrap}
        ul.people,ul.departments{list-style:none;margin:0 0 12px;padding:0;background:#fff;border-radius:10px;overflow:hidden}
        ul.people li a,ul.departments li a{display:flex;align-items:center;gap:12px;padding:10px 14px;color:inherit;border-bottom:1px solid #f2f3f5}
        .avatar{flex:none;display:inline-flex;align-items:center;justify-content:center;width:40px;height:40px;border-radius:50%;background:#1664ff;color:#fff;font-weight:600}
        .avatar.big{width:64px;height:64px;font-size:1.6em}
        .who{display:flex;flex-direction:column;min-width:0}
        .who .sub{color:#86909c;font-size:.85em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .pin{font-size:.7em;color:#f77234}
        ul.departments .name{margin-right:auto}
        .count{color:#86909c;font-size:.85em}
        nav.az{display:flex;flex-wrap:wrap;gap:4px}
        nav.az a{display:inline-block;min-width:36px;text-align:center;padding:6px;border-radius:6px;background:#fff}
        nav.az a.current{background:#1664ff;color:#fff}
        .crumbs{color:#86909c;font-size:.9em}
        article.card{background:#fff;border-radius:12px;padding:16px}
        article.card header{display:flex;gap:16px;align-items:center}
        article.card .account{color:#86909c;margin:0}
        .actions{display:flex;flex-wrap:wrap;gap:8px}
        dl{margin:0}
        .field{display:flex;gap:12px;padding:8px 0;border-bottom:1px solid #f2f3f5}
        .field dt,.field>span:first-child{flex:0 0 6em;color:#86909c}
        .field dd{margin:0;word-break:break-all}
        figure.qr{text-align:center;margin:16px 0 0}
        figure.qr img{width:240px;height:240px;max-width:100%}
        figcaption{color:#86909c;font-size:.85em}
        section.signin,section.profile,section.error{background:#fff;border-radius:12px;padding:16px;max-width:480px;margin:24px auto}
        section.profile{max-width:none;margin:0}
        label{display:block;margin:10px 0}
        label.field{display:block}
        .field-error,p.error{display:block;color:#f53f3f;font-size:.9em}
        .field.readonly{flex-wrap:wrap}
        .field.readonly>span:nth-child(2){flex:1 1 0;min-width:0;overflow-wrap:anywhere}
        .readonly small{color:#c9cdd4}
        select{font:inherit;width:100%;padding:10px 12px;border:1px solid #c9cdd4;border-radius:8px;background:#fff}
        .notice{background:#e8ffea;color:#00b42a;padding:8px 12px;border-radius:8px}
        .empty{color:#86909c;text-align:center}
        .admin-nav{display:flex;gap:4px;overflow-x:auto;margin:0 0 12px;padding-bottom:4px}
        .admin-nav a{white-space:nowrap;padding:8px 12px;border-radius:8px;background:#fff;color:#1d2129;text-decoration:none}
        .admin-nav a.current{background:#1664ff;color:#fff}
        .admin-body{background:#fff;border-radius:12px;padding:16px;overflow-x:auto}
        .admin-body table{border-collapse:collapse;width:100%}
        .admin-body th,.admin-body td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e6eb;vertical-align:top}
        @media (min-width:900px){main{padding:24px}ul.people{display:grid;grid-template-columns:1fr 1fr}
        .admin{display:flex;gap:16px}.admin-nav{flex-direction:column;min-width:160px}.admin-body{flex:1;min-width:0}}
        """

    /// Search as you type: the search box fetches `/search?q=…&fragment=1` (the results, as the
    /// server renders them) a moment after each keystroke, and replaces the results with it.
    static let javascript = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          var box = document.querySelector("input[data-live]");
          var results = document.getElementById("results");
          if (!box || !results) return;
          var timer = null, latest = 0;
          box.addEventListener("input", function () {
            clearTimeout(timer);
            timer = setTimeout(function () {
              var q = box.value.trim();
              var ticket = ++latest;
              if (!q) { results.innerHTML = ""; return; }
              fetch(box.getAttribute("data-live") + "?fragment=1&q=" + encodeURIComponent(q), {credentials: "same-origin"})
                .then(function (r) { return r.ok ? r.text() : ""; })
                .then(function (html) {
                  if (ticket !== latest) return;
                  var doc = new DOMParser().parseFromString(html, "text/html");
                  var fresh = doc.getElementById("results");
                  results.replaceChildren.apply(results, fresh ? Array.from(fresh.childNodes) : []);
                  if (fresh) results.setAttribute("data-count", fresh.getAttribute("data-count") || "0");
                  if (history.replaceState) history.replaceState(null, "", "/search?q=" + encodeURIComponent(q));
                });
            }, 150);
          });
        });
        """
}
