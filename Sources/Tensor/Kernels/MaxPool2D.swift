/// Max pooling over NCHW planes (no padding, floor rounding, as PyTorch's `MaxPool2d` defaults).
public enum MaxPool2D {
    public static func outputSize(_ size: Int, kernel: Int, stride: Int) -> Int { (size - kernel) / stride + 1 }

    /// The pooled batch and, per output element, the flat in-plane index of the maximum (first one on ties)
    /// that the backward pass routes the gradient to.
    public static func forward(_ input: Tensor, kernel: Int, stride: Int, threads: Int)
        -> (output: Tensor, argmax: [Int32])
    {
        precondition(input.rank == 4, "maxpool2d expects NCHW input, got \(input.shape)")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let oh = outputSize(h, kernel: kernel, stride: stride), ow = outputSize(w, kernel: kernel, stride: stride)
        let planes = n * c
        let shards = Parallel.shards(count: planes, parts: threads)
        var argmax = [Int32](repeating: 0, count: planes * oh * ow)
        let output = Tensor(shape: [n, c, oh, ow]) { out in
            let y = SharedPointer(out.baseAddress!)
            argmax.withUnsafeMutableBufferPointer { aBuf in
                input.scalars.withUnsafeBufferPointer { inBuf in
                    let a = SharedPointer(aBuf.baseAddress!)
                    let x = SharedReadPointer(inBuf.baseAddress!)
                    Parallel.run(shards.count) { s in
                        for p in shards[s] {
                            let src = x[p * h * w]
                            let dst = y[p * oh * ow], idx = a[p * oh * ow]
                            if kernel == 2 && stride == 2 {
                                pool2x2(src, w, oh, ow, dst, idx)
                                continue
                            }
                            for oy in 0..<oh {
                                for ox in 0..<ow {
                                    var best = -Float.infinity
                                    var bestIndex = (oy * stride) * w + ox * stride
                                    for ki in 0..<kernel {
                                        let row = (oy * stride + ki) * w + ox * stride
                                        for kj in 0..<kernel where src[row + kj] > best || src[row + kj].isNaN {
                                            best = src[row + kj]
                                            bestIndex = row + kj
                                            if best.isNaN { break }
                                        }
                                    }
                                    dst[oy * ow + ox] = best
                                    idx[oy * ow + ox] = Int32(bestIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (output, argmax)
    }

    /// The common 2x2, stride-2 window. Plain `>` comparisons compile to conditional moves (random data makes
    /// branches mispredict half the time); a window holding a NaN (its sum is NaN) takes the rare path, which
    /// keeps the general loop's rule that the first NaN wins.
    @inline(__always)
    static func pool2x2(_ src: UnsafePointer<Float>, _ w: Int, _ oh: Int, _ ow: Int,
                        _ dst: UnsafeMutablePointer<Float>, _ idx: UnsafeMutablePointer<Int32>) {
        for oy in 0..<oh {
            let r0 = 2 * oy * w, r1 = r0 + w
            for ox in 0..<ow {
                let c = 2 * ox
                let a = src[r0 + c], b = src[r0 + c + 1], d = src[r1 + c], e = src[r1 + c + 1]
                var best = a, at = r0 + c
                if b > best { best = b; at = r0 + c + 1 }
                if d > best { best = d; at = r1 + c }
                if e > best { best = e; at = r1 + c + 1 }
                if (a + b + d + e).isNaN {
                    (best, at) = windowWithNaN([r0 + c, r0 + c + 1, r1 + c, r1 + c + 1], src)
                }
                dst[oy * ow + ox] = best
                idx[oy * ow + ox] = Int32(at)
            }
        }
    }

    @inline(never)
    static func windowWithNaN(_ offsets: [Int], _ src: UnsafePointer<Float>) -> (Float, Int) {
        var best = src[offsets[0]], at = offsets[0]
        for o in offsets.dropFirst() where !best.isNaN && (src[o] > best || src[o].isNaN) {
            best = src[o]
            at = o
        }
        return (best, at)
    }

    /// Routes each output gradient to the input element that won the forward pass.
    public static func backward(outputGradient: Tensor, argmax: [Int32], inputShape: [Int], threads: Int) -> Tensor {
        let planes = inputShape[0] * inputShape[1]
        let inPlane = inputShape[2] * inputShape[3]
        let outPlane = outputGradient.count / max(planes, 1)
        precondition(argmax.count == outputGradient.count)
        let shards = Parallel.shards(count: planes, parts: threads)
        var dx = [Float](repeating: 0, count: planes * inPlane)
        dx.withUnsafeMutableBufferPointer { dxBuf in
            argmax.withUnsafeBufferPointer { aBuf in
                outputGradient.scalars.withUnsafeBufferPointer { dyBuf in
                    let d = SharedPointer(dxBuf.baseAddress!)
                    let a = SharedReadPointer(aBuf.baseAddress!)
                    let dy = SharedReadPointer(dyBuf.baseAddress!)
                    Parallel.run(shards.count) { s in
                        for p in shards[s] {
                            let dst = d[p * inPlane], src = dy[p * outPlane], idx = a[p * outPlane]
                            for i in 0..<outPlane { dst[Int(idx[i])] += src[i] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}
