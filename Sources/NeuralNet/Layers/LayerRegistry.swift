import StepDSL

/// Every layer type, one line each. The model-file reader, the step language's checker and build step, and the
/// docs ask it; adding a layer is its own file, its tests and a line here.
public enum LayerRegistry {
    public static let types: [any Layer.Type] = [
        Conv2DLayer.self,
        ReLULayer.self,
        GELULayer.self,
        MaxPool2DLayer.self,
        DropoutLayer.self,
        FlattenLayer.self,
        DenseLayer.self,
        BatchNormLayer.self,
        PatchEmbeddingLayer.self,
        ClassTokenLayer.self,
        PositionEmbeddingLayer.self,
        ClassifierHeadLayer.self,
        LayerNormLayer.self,
        MultiHeadAttentionLayer.self,
        EncoderBlockLayer.self,
    ]

    /// The type that reads model-file type `name`, or nil.
    public static func type(named name: String) -> (any Layer.Type)? {
        types.first { $0.fileTypes.contains(name) }
    }

    /// The layer lines build steps may use, for `WorkflowLoader`.
    public static let language = LayerLanguage(types.map { $0.form })

    /// The type whose step-language keyword is `keyword`, or nil.
    public static func type(keyword: String) -> (any Layer.Type)? {
        types.first { $0.form.keyword == keyword }
    }

    /// Every model-file type name, in registry order.
    public static var fileTypes: [String] { types.flatMap { $0.fileTypes } }
}
