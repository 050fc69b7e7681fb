/// The kinds of step a workflow is made of, as written at the start of a step file's header.
public enum StepKind: String, CaseIterable, Sendable, Hashable {
    case load
    case preprocess
    case build
    case train
    case evaluate
    case plot
    case save
    case augmentWithFeedback = "augment-with-feedback"
    case finetune

    /// The kind's slots, parameters and documentation.
    public var schema: KindSchema { StepSchema.schema(for: self) }
}
