/// What flows between steps. The runtime decides the representation; the language only checks that a step
/// reads an artifact of the type its slot expects.
public enum ArtifactType: String, CaseIterable, Sendable, Hashable {
    /// Labelled 28x28 images (MNIST splits, the held-out validation set, feedback images).
    case dataset
    /// A model: layers and weights.
    case model
    /// Per-epoch training metrics.
    case history
    /// Test metrics, confusion matrix, misclassified examples.
    case evaluation
    /// Rendered charts.
    case charts
    /// A model file written to disk.
    case saved
}
