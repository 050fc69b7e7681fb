import Tensor

extension LayerSpec {
    /// A short name for summaries and messages, e.g. `conv2d(1->32, 3x3)`.
    public var name: String {
        switch self {
        case let .conv2d(i, o, k, s, p):
            "conv2d(\(i)->\(o), \(k)x\(k)\(s != 1 ? ", stride \(s)" : "")\(p != 0 ? ", padding \(p)" : ""))"
        case .relu: "relu"
        case .gelu: "gelu"
        case let .maxpool2d(k, s): "maxpool2d(\(k)\(s != k ? ", stride \(s)" : ""))"
        case let .dropout(p): "dropout(\(p))"
        case .flatten: "flatten"
        case let .dense(i, o): "dense(\(i)->\(o))"
        case let .batchnorm1d(n, _, _): "batchnorm1d(\(n))"
        case let .batchnorm2d(n, _, _): "batchnorm2d(\(n))"
        }
    }

    /// The per-image output shape for a per-image input shape, or an error saying what does not fit.
    func outputShape(for input: [Int], index: Int) throws -> [Int] {
        func fail(_ what: String) -> ModelError {
            ModelError("layer \(index) (\(name)): \(what), but its input has shape \(input)")
        }
        switch self {
        case let .conv2d(inC, outC, k, s, p):
            guard inC > 0, outC > 0, k > 0, s > 0, p >= 0 else { throw fail("sizes must be positive") }
            guard input.count == 3 else { throw fail("expects a [channels, height, width] input") }
            guard input[0] == inC else { throw fail("expects \(inC) input channels (in_channels=\(input[0]) fits)") }
            let h = (input[1] + 2 * p - k) / s + 1, w = (input[2] + 2 * p - k) / s + 1
            guard input[1] + 2 * p >= k, input[2] + 2 * p >= k, h > 0, w > 0 else {
                throw fail("the \(k)x\(k) kernel is larger than the padded image")
            }
            return [outC, h, w]
        case .relu, .gelu, .dropout:
            if case let .dropout(p) = self, !(p >= 0 && p < 1) { throw fail("p must be in [0, 1), got \(p)") }
            return input
        case let .maxpool2d(k, s):
            guard k > 0, s > 0 else { throw fail("kernel_size and stride must be positive") }
            guard input.count == 3 else { throw fail("expects a [channels, height, width] input") }
            guard input[1] >= k, input[2] >= k else { throw fail("the \(k)x\(k) window is larger than the image") }
            return [input[0], (input[1] - k) / s + 1, (input[2] - k) / s + 1]
        case .flatten:
            return [input.reduce(1, *)]
        case let .dense(inF, outF):
            guard inF > 0, outF > 0 else { throw fail("in_features and out_features must be positive") }
            guard input.count == 1 else { throw fail("expects a flat input (add flatten before it)") }
            guard input[0] == inF else { throw fail("expects in_features=\(inF) (in_features=\(input[0]) fits)") }
            return [outF]
        case let .batchnorm1d(n, eps, _):
            guard input.count == 1, input[0] == n else { throw fail("expects a flat input of \(n) features") }
            guard eps > 0 else { throw fail("eps must be positive") }
            return input
        case let .batchnorm2d(n, eps, _):
            guard input.count == 3, input[0] == n else { throw fail("expects \(n) channels") }
            guard eps > 0 else { throw fail("eps must be positive") }
            return input
        }
    }
}
