/// Random geometric distortions applied to each training image, each drawn uniformly from ±its maximum.
/// Zero turns a distortion off.
public struct AugmentationSpec: Sendable, Hashable {
    /// Whole-pixel translation in each axis.
    public var maxShift: Int
    public var maxRotationDegrees: Float
    /// Relative scale change: 0.1 draws a zoom factor in [0.9, 1.1].
    public var maxZoom: Float

    public init(maxShift: Int = 0, maxRotationDegrees: Float = 0, maxZoom: Float = 0) {
        self.maxShift = maxShift
        self.maxRotationDegrees = maxRotationDegrees
        self.maxZoom = maxZoom
    }

    public var isIdentity: Bool { maxShift == 0 && maxRotationDegrees == 0 && maxZoom == 0 }
}
