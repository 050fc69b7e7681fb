import Foundation

/// Just enough of multipart/form-data (RFC 7578) to take one file field out of a browser's form post.
enum Multipart {
    struct Part {
        var name: String?
        var filename: String?
        var bytes: Data
    }

    static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    /// The part named `file`, else the first part with a file name.
    static func file(in body: Data, boundary: String) -> Part? {
        let parts = self.parts(of: body, boundary: boundary)
        return parts.first { $0.name == "file" } ?? parts.first { $0.filename != nil }
    }

    static func parts(of body: Data, boundary: String) -> [Part] {
        let delimiter = Data("--\(boundary)".utf8)
        let crlf = Data("\r\n".utf8), blank = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        guard var cursor = body.range(of: delimiter)?.upperBound else { return [] }
        while cursor < body.endIndex {
            // After a delimiter: "--" ends the body, else CRLF and the part's headers.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard let headersEnd = body.range(of: blank, in: cursor..<body.endIndex),
                  let next = body.range(of: crlf + delimiter, in: headersEnd.upperBound..<body.endIndex) else { break }
            let headers = String(decoding: body[cursor..<headersEnd.lowerBound], as: UTF8.self)
            var part = Part(bytes: body[headersEnd.upperBound..<next.lowerBound])
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                part.name = parameter("name", in: line)
                part.filename = parameter("filename", in: line)
            }
            parts.append(part)
            cursor = next.upperBound
        }
        return parts
    }

    private static func parameter(_ key: String, in line: Substring) -> String? {
        for item in line.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
