extension DigitPreprocessor {
    /// The whole image resized to 28x28, nothing else: no compositing of transparency (the stored luminance is
    /// used, as an image library's plain grey conversion does), no inversion, no cropping, no centring. It is the
    /// baseline that shows what MNIST-style preprocessing is worth on real uploads; a model trained on MNIST
    /// expects white ink on black, so dark ink on paper mostly fails here, as it would in a naive pipeline.
    /// Shrinking averages the area under each output pixel; enlarging interpolates linearly. An empty image
    /// gives 784 zeros.
    public static func plainResize(_ image: GrayImage) -> [UInt8] {
        guard image.width > 0, image.height > 0 else {
            return [UInt8](repeating: 0, count: side * side)
        }
        let source = image.pixels.map(Float.init)
        let resized = Resampler.resize(source, width: image.width, height: image.height, toWidth: side, toHeight: side)
        return resized.map { UInt8(max(0, min(255, $0.rounded()))) }
    }
}
