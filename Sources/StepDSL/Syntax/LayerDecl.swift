/// One line of a build step's body, with where it was written. The runtime turns these into layers,
/// working out channel and feature counts from the input shape, and reports shape errors at `range`
/// through `Step.diagnostic(_:at:)`.
public enum LayerDecl: Sendable, Hashable {
    public enum Activation: String, Sendable, Hashable, CaseIterable {
        case relu, gelu
    }

    /// `conv OUT KxK [stride S] [padding P|same] [relu|gelu]`; `same` is resolved to `(K - 1) / 2`.
    case conv(outChannels: Int, kernelSize: Int, stride: Int, padding: Int, activation: Activation?,
              range: SourceRange)
    /// `maxpool K [stride S]`; the stride defaults to K.
    case maxpool(kernelSize: Int, stride: Int, range: SourceRange)
    /// `dropout P` with 0 ≤ P < 1.
    case dropout(p: Double, range: SourceRange)
    case flatten(range: SourceRange)
    /// `dense UNITS [relu|gelu]`.
    case dense(units: Int, activation: Activation?, range: SourceRange)
    /// `batchnorm`: 2-D after convolutions, 1-D after flatten; the runtime decides from the shape.
    case batchnorm(range: SourceRange)
    /// A standalone `relu` or `gelu` line.
    case activation(Activation, range: SourceRange)

    /// Where the line was written in the step file.
    public var range: SourceRange {
        switch self {
        case .conv(_, _, _, _, _, let range), .maxpool(_, _, let range), .dropout(_, let range),
             .flatten(let range), .dense(_, _, let range), .batchnorm(let range), .activation(_, let range):
            range
        }
    }

    /// The line in one canonical spelling, the same however it was written: `conv 32 3x3 relu` for
    /// `conv 32 3 padding 0 relu`, `conv 32 3x3 padding 1` for `conv 32 3x3 padding same`, `maxpool 2` for
    /// `maxpool 2 stride 2`, `dropout 0.25` for `dropout 0.250`. Options at their defaults are left out; the others
    /// come in the order stride, padding, activation. Cache keys and plan reasons use it.
    public var canonical: String {
        switch self {
        case let .conv(out, kernel, stride, padding, activation, _):
            var words = ["conv", String(out), "\(kernel)x\(kernel)"]
            if stride != 1 { words += ["stride", String(stride)] }
            if padding != 0 { words += ["padding", String(padding)] }
            if let activation { words.append(activation.rawValue) }
            return words.joined(separator: " ")
        case let .maxpool(kernel, stride, _):
            return stride == kernel ? "maxpool \(kernel)" : "maxpool \(kernel) stride \(stride)"
        case let .dropout(p, _):
            return "dropout " + ParameterValue.decimal(p).description
        case .flatten:
            return "flatten"
        case let .dense(units, activation, _):
            return "dense \(units)" + (activation.map { " " + $0.rawValue } ?? "")
        case .batchnorm:
            return "batchnorm"
        case let .activation(activation, _):
            return activation.rawValue
        }
    }

    /// The layer names a build body may use.
    static let keywords = ["conv", "maxpool", "dropout", "flatten", "dense", "batchnorm", "relu", "gelu"]
}
