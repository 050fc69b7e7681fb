/// The two halves MNIST ships: 60,000 training and 10,000 test images.
public enum MNISTSplit: String, Sendable, CaseIterable, CustomStringConvertible {
    case train
    case test

    /// The prefix of the split's file names (`train-…`, `t10k-…`).
    var filePrefix: String {
        switch self {
        case .train: "train"
        case .test: "t10k"
        }
    }

    public var description: String { rawValue }
}
