import Foundation

/// Number formatting shared by reports, data files and scripts. Locale-independent (always `.` as the
/// decimal point), so `.dat` files parse in gnuplot and reports read the same on every machine.
enum Format {
    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// A fraction as a percentage with two decimals: 0.99123 -> "99.12%".
    static func percent(_ fraction: Double) -> String {
        fixed(fraction * 100, 2) + "%"
    }

    /// Thousands separated by commas: 1199882 -> "1,199,882".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, character) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// Large counts with an SI suffix: 24_000_000 -> "24.0 M".
    static func si(_ value: Int) -> String {
        let v = Double(value)
        if v >= 1e9 { return fixed(v / 1e9, 2) + " G" }
        if v >= 1e6 { return fixed(v / 1e6, 2) + " M" }
        if v >= 1e3 { return fixed(v / 1e3, 1) + " k" }
        return String(value)
    }

    /// Seconds as "0.42 s", "73.1 s" or "12 min 05 s".
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return fixed(seconds, 2) + " s" }
        if seconds < 120 { return fixed(seconds, 1) + " s" }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
