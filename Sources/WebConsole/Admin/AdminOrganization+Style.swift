// MARK: - The organisation pages' styles (served after the site's own, in /static/app.css)

extension Assets {
    /// The tree's indentation by depth (no inline styles: the CSP allows none), marks, forms.
    static let adminOrganizationCSS: String = {
        var css = """
            td.tree a{font-weight:500}
            .mark{font-size:.75em;padding:1px 6px;border-radius:4px;background:#f2f3f5;color:#4e5969;margin-left:4px}
            .mark.hidden{background:#fff7e8;color:#d25f00}
            td.num{text-align:right;white-space:nowrap}
            .admin-form{margin:8px 0 16px}
            .admin-form label{display:block;margin:8px 0}
            .admin-form label.check{display:flex;gap:8px;align-items:center}
            .admin-form label.check input{width:auto}
            .admin-form textarea{font:inherit;width:100%;padding:10px 12px;border:1px solid #c9cdd4;border-radius:8px}
            .admin-form fieldset{border:1px solid #e5e6eb;border-radius:8px;margin:8px 0}
            .admin-form fieldset select{margin:4px 0}
            form.filter{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;margin-bottom:12px}
            form.filter label{margin:0}
            .pager{display:flex;gap:12px;align-items:center;margin:12px 0}
            .batch{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
            .batch-summary{background:#f7f8fa;border-radius:8px;padding:8px 12px;margin-bottom:12px}
            button.danger,.button.danger{background:#f53f3f}
            .status.departed{color:#f53f3f}
            table.members input[type=checkbox]{width:auto}
            table.members th,table.members td{white-space:nowrap}
            table.members td:nth-child(4){white-space:normal;min-width:12em}
            """
        for depth in 1...15 { css += "\ntd.tree.depth-\(depth){padding-left:\(8 + depth * 18)px}" }
        return css
    }()
}
