extension QRCode {
    /// The symbol as an SVG picture: one path of unit squares, with the four-module quiet zone
    /// the standard asks for (§6.3.8), scaled by the viewer.
    public func svg(quietZone: Int = 4) -> String {
        let extent = size + 2 * quietZone
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x: x, y: y] else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < size && self[x: x + run, y: y] { run += 1 }
                path += "M\(x + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(extent) \(extent)" shape-rendering="crispEdges">\
            <rect width="\(extent)" height="\(extent)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }

    /// The symbol as a plain PBM image (P1), `scale` pixels per module, with the quiet zone.
    public func pbm(scale: Int = 4, quietZone: Int = 4) -> String {
        let extent = (size + 2 * quietZone) * scale
        var out = "P1\n\(extent) \(extent)\n"
        for py in 0..<extent {
            var line = ""
            line.reserveCapacity(extent * 2)
            for px in 0..<extent {
                let x = px / scale - quietZone, y = py / scale - quietZone
                let on = x >= 0 && y >= 0 && x < size && y < size && self[x: x, y: y]
                line += on ? "1 " : "0 "
            }
            out += line + "\n"
        }
        return out
    }
}
