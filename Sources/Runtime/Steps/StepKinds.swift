import StepDSL

/// The step kinds, one line each, in the order docs/DSL.md's reference lists them. A new kind is a file in this
/// folder (a `StepKindDefinition`) and a line here.
package enum StepKinds {
    static let all: [any StepKindDefinition.Type] = [
        LoadStep.self,
        PreprocessStep.self,
        BuildStep.self,
        TrainStep.self,
        EvaluateStep.self,
        PlotStep.self,
        CompareStep.self,
        SaveStep.self,
        AugmentWithFeedbackStep.self,
        FinetuneStep.self,
    ]

    /// The kinds' declarations, the table the step language checks workflows against.
    package static let schema = StepSchema(all.map { $0.schema })

    private static let byName: [String: any StepKindDefinition.Type] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.schema.kind.rawValue, $0) })

    /// The definition of a checked step's kind (the checker accepts only kinds of `schema`).
    static func definition(of kind: StepKind) -> any StepKindDefinition.Type {
        guard let definition = byName[kind.rawValue] else {
            preconditionFailure("step kind '\(kind)' is not among StepKinds.all")
        }
        return definition
    }

    /// Runs one step.
    static func run(_ step: Step, inputs: [ArtifactValue], context: StepContext) throws -> [ArtifactValue] {
        try definition(of: step.kind).interpret(step, inputs: StepInputs(step: step, values: inputs), context: context)
    }
}

extension Step {
    /// The definition of the step's kind.
    var definition: any StepKindDefinition.Type { StepKinds.definition(of: kind) }
}
