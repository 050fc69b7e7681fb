import Foundation

/// The datasets the load step reads: both are four IDX files of 28x28 images with labels 0...9.
public enum DatasetKind: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"

    /// Where Debian's dataset-fashion-mnist package installs Fashion-MNIST: its folder unless `--data` names one.
    public static let fashionDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// What label `i` means: the digit itself for MNIST, the garment for Fashion-MNIST.
    public var classNames: [String] {
        switch self {
        case .mnist: (0...9).map(String.init)
        case .fashionMNIST: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        }
    }

    /// The folder to read. `--data` names it for either dataset; without `--data`, `STEPWISE_DATA` and
    /// `./data/mnist` are MNIST's locations, so Fashion-MNIST is read from `fashionDirectory` instead (it would
    /// otherwise silently read the digits). `chosen` is the folder the runner resolved, `withoutFlag` the one it
    /// would have resolved without `--data`; a `--data` equal to that counts as not given.
    public func directory(chosen: URL, withoutFlag: URL) -> URL {
        guard self == .fashionMNIST else { return chosen }
        return chosen.standardizedFileURL.path == withoutFlag.standardizedFileURL.path ? Self.fashionDirectory : chosen
    }
}
