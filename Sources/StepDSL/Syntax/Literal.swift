/// The literal forms values are written in: integers (`12`, `60_000`), decimals (`0.001`, `1e-3`), fractions
/// (`1/255`), booleans (`true/false/yes/no/on/off`) and sizes (`3x3`, `1x28x28`).
enum Literal {
    /// Digits with single underscores between groups, optionally after a minus sign; nil if it overflows.
    static func integer(_ text: String) -> Int? {
        var scalars = Substring(text)
        var negative = false
        if scalars.first == "-" { negative = true; scalars = scalars.dropFirst() }
        guard let first = scalars.first, first.isASCII, first.isNumber, scalars.last != "_" else { return nil }
        var digits = ""
        var previousUnderscore = false
        for character in scalars {
            if character == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            guard character.isASCII, character.isNumber else { return nil }
            previousUnderscore = false
            digits.append(character)
        }
        guard let magnitude = Int(digits) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// An integer, a decimal with a digit before any point (`0.5`, `1e-3`, `2.5E+2`) or a fraction `a/b` of two
    /// such numbers. Infinite or NaN results are rejected.
    static func decimal(_ text: String) -> Double? {
        if let slash = text.firstIndex(of: "/") {
            guard let numerator = plainDecimal(String(text[..<slash])),
                  let denominator = plainDecimal(String(text[text.index(after: slash)...])),
                  denominator != 0 else { return nil }
            let value = numerator / denominator
            return value.isFinite ? value : nil
        }
        return plainDecimal(text)
    }

    private static func plainDecimal(_ text: String) -> Double? {
        if let integer = integer(text) { return Double(integer) }
        var body = Substring(text)
        if body.first == "-" { body = body.dropFirst() }
        // Double(_:) also accepts forms such as "inf", "nan", "0x1p3" and ".5"; allow only plain decimals.
        guard let first = body.first, first.isASCII, first.isNumber,
              body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E"
                                                || $0 == "-" || $0 == "+") }),
              let value = Double(text), value.isFinite else { return nil }
        return value
    }

    static func boolean(_ text: String) -> Bool? {
        switch text {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    /// Positive integers joined by `x` (`1x28x28`); a single positive integer is a one-dimensional size.
    static func size(_ text: String) -> [Int]? {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count <= 8 else { return nil }
        var dims: [Int] = []
        for part in parts {
            guard let value = integer(String(part)), value > 0 else { return nil }
            dims.append(value)
        }
        return dims
    }
}
