/// Straightforward loop versions of the optimised kernels, accumulating in Double: the oracle the tests
/// compare `Conv2D`, `MaxPool2D` and `Linear` against. Slow by design; never used for training.
public enum Reference {
    public static func conv2dForward(_ x: Tensor, weight: Tensor, bias: Tensor, geometry g: Conv2DGeometry) -> Tensor {
        var out = [Float](repeating: 0, count: g.batch * g.outImage)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var acc = Double(bias.scalars[o])
                        for c in 0..<g.inChannels {
                            for i in 0..<g.kernel {
                                for j in 0..<g.kernel {
                                    let iy = oy * g.stride + i - g.padding, ix = ox * g.stride + j - g.padding
                                    guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                                    let xv = x.scalars[((n * g.inChannels + c) * g.height + iy) * g.width + ix]
                                    let wv = weight.scalars[((o * g.inChannels + c) * g.kernel + i) * g.kernel + j]
                                    acc += Double(xv) * Double(wv)
                                }
                            }
                        }
                        out[((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox] = Float(acc)
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, scalars: out)
    }

    public static func conv2dBackward(_ x: Tensor, weight: Tensor, outputGradient dy: Tensor, geometry g: Conv2DGeometry)
        -> (input: Tensor, weight: Tensor, bias: Tensor)
    {
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: weight.count)
        var db = [Double](repeating: 0, count: g.outChannels)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let grad = Double(dy.scalars[((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox])
                        db[o] += grad
                        for c in 0..<g.inChannels {
                            for i in 0..<g.kernel {
                                for j in 0..<g.kernel {
                                    let iy = oy * g.stride + i - g.padding, ix = ox * g.stride + j - g.padding
                                    guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                                    let xi = ((n * g.inChannels + c) * g.height + iy) * g.width + ix
                                    let wi = ((o * g.inChannels + c) * g.kernel + i) * g.kernel + j
                                    dw[wi] += grad * Double(x.scalars[xi])
                                    dx[xi] += grad * Double(weight.scalars[wi])
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: x.shape, scalars: dx.map(Float.init)),
                Tensor(shape: weight.shape, scalars: dw.map(Float.init)),
                Tensor(shape: [g.outChannels], scalars: db.map(Float.init)))
    }

    public static func maxPool2dForward(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
        var out = [Float](repeating: 0, count: n * c * oh * ow)
        for p in 0..<(n * c) {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = -Float.infinity
                    for i in 0..<kernel {
                        for j in 0..<kernel {
                            best = max(best, x.scalars[p * h * w + (oy * stride + i) * w + ox * stride + j])
                        }
                    }
                    out[(p * oh + oy) * ow + ox] = best
                }
            }
        }
        return Tensor(shape: [n, c, oh, ow], scalars: out)
    }

    /// `x W^T + b` with Double accumulation.
    public static func linearForward(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (n, inF, outF) = (x.shape[0], weight.shape[1], weight.shape[0])
        var out = [Float](repeating: 0, count: n * outF)
        for i in 0..<n {
            for o in 0..<outF {
                var acc = Double(bias.scalars[o])
                for k in 0..<inF { acc += Double(x.scalars[i * inF + k]) * Double(weight.scalars[o * inF + k]) }
                out[i * outF + o] = Float(acc)
            }
        }
        return Tensor(shape: [n, outF], scalars: out)
    }

    public static func linearBackward(_ x: Tensor, weight: Tensor, outputGradient dy: Tensor)
        -> (input: Tensor, weight: Tensor, bias: Tensor)
    {
        let (n, inF, outF) = (x.shape[0], weight.shape[1], weight.shape[0])
        var dx = [Double](repeating: 0, count: n * inF)
        var dw = [Double](repeating: 0, count: outF * inF)
        var db = [Double](repeating: 0, count: outF)
        for i in 0..<n {
            for o in 0..<outF {
                let g = Double(dy.scalars[i * outF + o])
                db[o] += g
                for k in 0..<inF {
                    dw[o * inF + k] += g * Double(x.scalars[i * inF + k])
                    dx[i * inF + k] += g * Double(weight.scalars[o * inF + k])
                }
            }
        }
        return (Tensor(shape: x.shape, scalars: dx.map(Float.init)),
                Tensor(shape: weight.shape, scalars: dw.map(Float.init)),
                Tensor(shape: [outF], scalars: db.map(Float.init)))
    }
}
