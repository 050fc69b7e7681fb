/// Lower and upper bounds of a decimal parameter, each optional and open or closed.
public struct DecimalBounds: Sendable, Hashable {
    public let lower: Double?
    public let lowerInclusive: Bool
    public let upper: Double?
    public let upperInclusive: Bool

    public init(lower: Double? = nil, lowerInclusive: Bool = true, upper: Double? = nil, upperInclusive: Bool = true) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
    }

    public static let any = DecimalBounds()
    public static let positive = DecimalBounds(lower: 0, lowerInclusive: false)
    public static let nonNegative = DecimalBounds(lower: 0)
    /// 0 ≤ x < 1: momentum, label smoothing, dropout.
    public static let unitOpen = DecimalBounds(lower: 0, upper: 1, upperInclusive: false)
    public static func closed(_ lower: Double, _ upper: Double) -> DecimalBounds {
        DecimalBounds(lower: lower, upper: upper)
    }

    public func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if let lower, lowerInclusive ? value < lower : value <= lower { return false }
        if let upper, upperInclusive ? value > upper : value >= upper { return false }
        return true
    }

    var phrase: String {
        compact.isEmpty ? "a decimal number" : "a decimal number \(compact)"
    }

    /// "> 0", "≥ 0", "0...45", "0..<1".
    var compact: String {
        switch (lower, upper) {
        case (nil, nil): ""
        case (let lower?, nil): (lowerInclusive ? ">= " : "> ") + Self.format(lower)
        case (nil, let upper?): (upperInclusive ? "<= " : "< ") + Self.format(upper)
        case (let lower?, let upper?):
            lowerInclusive
                ? "\(Self.format(lower))\(upperInclusive ? "..." : "..<")\(Self.format(upper))"
                : "> \(Self.format(lower)) and \(upperInclusive ? "<=" : "<") \(Self.format(upper))"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
