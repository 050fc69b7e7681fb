#if canImport(Glibc)
import Glibc
#endif
import Tensor

/// Seeded shift, rotation and zoom of 8-bit grayscale images, with bilinear sampling; pixels sampled from
/// outside the image are black (MNIST's background).
public enum Augmenter {
    /// One distorted copy of `image` (row-major, `height * width` bytes). The draws, in order: rotation,
    /// zoom, shift x, shift y, each taken from `rng` even when its maximum is zero, so that turning one
    /// distortion on does not change the others' random values.
    public static func augment(_ image: ArraySlice<UInt8>, height: Int, width: Int, spec: AugmentationSpec,
                               rng: inout SeededGenerator) -> [UInt8]
    {
        precondition(image.count == height * width, "\(image.count) pixels for a \(height)x\(width) image")
        let angle = (rng.nextUnitFloat() * 2 - 1) * spec.maxRotationDegrees * Float.pi / 180
        let zoom = 1 + (rng.nextUnitFloat() * 2 - 1) * spec.maxZoom
        let shiftX = Float(Int(rng.nextUnitFloat() * Float(2 * spec.maxShift + 1)) - spec.maxShift)
        let shiftY = Float(Int(rng.nextUnitFloat() * Float(2 * spec.maxShift + 1)) - spec.maxShift)
        if spec.isIdentity { return Array(image) }
        // Inverse map: for each output pixel, where it comes from in the source, about the image centre.
        let cx = Float(width - 1) / 2, cy = Float(height - 1) / 2
        let cosA = cosf(angle) / zoom, sinA = sinf(angle) / zoom
        let base = image.startIndex
        var out = [UInt8](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Float(x) - cx - shiftX, dy = Float(y) - cy - shiftY
                let sx = cosA * dx + sinA * dy + cx
                let sy = -sinA * dx + cosA * dy + cy
                let x0 = Int(floorf(sx)), y0 = Int(floorf(sy))
                let fx = sx - Float(x0), fy = sy - Float(y0)
                func pixel(_ px: Int, _ py: Int) -> Float {
                    guard px >= 0, px < width, py >= 0, py < height else { return 0 }
                    return Float(image[base + py * width + px])
                }
                let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
                let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
                let v = top * (1 - fy) + bottom * fy
                out[y * width + x] = UInt8(min(max(v.rounded(), 0), 255))
            }
        }
        return out
    }
}
