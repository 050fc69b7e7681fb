/// The model's architecture as a table: what the report prints under "Model".
public struct ModelSummary: Sendable, Equatable, Codable {
    public struct Row: Sendable, Equatable, Codable {
        /// Human-readable layer, e.g. "conv2d 1→32 3x3".
        public var name: String
        /// Output shape for one image, e.g. [32, 26, 26].
        public var outputShape: [Int]
        public var parameters: Int

        public init(name: String, outputShape: [Int], parameters: Int) {
            self.name = name
            self.outputShape = outputShape
            self.parameters = parameters
        }
    }

    public var rows: [Row]
    public var totalParameters: Int
    /// Floating-point operations for one forward pass of one image (a multiply-add counts as 2).
    public var flopsPerImage: Int

    public init(rows: [Row], totalParameters: Int, flopsPerImage: Int) {
        self.rows = rows
        self.totalParameters = totalParameters
        self.flopsPerImage = flopsPerImage
    }
}
