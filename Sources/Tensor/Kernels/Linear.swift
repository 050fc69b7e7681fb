/// A fully connected layer, `y = x W^T + b` with PyTorch's `[out, in]` weight layout, through OpenBLAS.
///
/// The forward pass and the input gradient split the batch rows across threads; the weight gradient splits
/// the output rows, so no cross-thread reduction is needed and every element has one fixed summation order.
public enum Linear {
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor, threads: Int) -> Tensor {
        let (n, inF, outF) = (input.shape[0], weight.shape[1], weight.shape[0])
        precondition(input.count == n * inF && bias.count == outF,
                     "dense shapes: input \(input.shape), weight \(weight.shape), bias \(bias.shape)")
        // Rows are split across threads; fewer rows than threads (one image to classify) split the outputs.
        let byOutputs = n < threads && outF > 1
        let shards = Parallel.shards(count: byOutputs ? outF : n, parts: threads)
        return Tensor(shape: [n, outF]) { out in
            let y = SharedPointer(out.baseAddress!)
            input.scalars.withUnsafeBufferPointer { xBuf in
                weight.scalars.withUnsafeBufferPointer { wBuf in
                    bias.scalars.withUnsafeBufferPointer { bBuf in
                        let x = SharedReadPointer(xBuf.baseAddress!)
                        let w = SharedReadPointer(wBuf.baseAddress!)
                        let b = SharedReadPointer(bBuf.baseAddress!)
                        Parallel.run(shards.count) { s in
                            let r = shards[s]
                            if byOutputs {
                                for i in 0..<n { y[i * outF + r.lowerBound].update(from: b[r.lowerBound], count: r.count) }
                                GEMM.multiply(transposeA: false, transposeB: true, m: n, n: r.count, k: inF,
                                              a: x.base, lda: inF, b: w[r.lowerBound * inF], ldb: inF,
                                              beta: 1, c: y[r.lowerBound], ldc: outF)
                                return
                            }
                            for i in r { y[i * outF].update(from: b.base, count: outF) }
                            GEMM.multiply(transposeA: false, transposeB: true, m: r.count, n: outF, k: inF,
                                          a: x[r.lowerBound * inF], lda: inF, b: w.base, ldb: inF,
                                          beta: 1, c: y[r.lowerBound * outF], ldc: outF)
                        }
                    }
                }
            }
        }
    }

    public static func backward(input: Tensor, weight: Tensor, outputGradient: Tensor, inputGradient: Bool,
                                threads: Int) -> (input: Tensor?, weight: Tensor, bias: Tensor)
    {
        let (n, inF, outF) = (input.shape[0], weight.shape[1], weight.shape[0])
        precondition(outputGradient.shape == [n, outF] && input.count == n * inF)
        if n == 0 {
            return (inputGradient ? Tensor(zeros: input.shape) : nil, Tensor(zeros: weight.shape), Tensor(zeros: [outF]))
        }
        let rowShards = Parallel.shards(count: n, parts: threads)
        let outShards = Parallel.shards(count: outF, parts: threads)
        var dW = [Float].unfilled(count: outF * inF)  // both products overwrite (beta 0) every row
        var dX = inputGradient ? [Float].unfilled(count: n * inF) : []
        dW.withUnsafeMutableBufferPointer { dwBuf in
            dX.withUnsafeMutableBufferPointer { dxBuf in
                input.scalars.withUnsafeBufferPointer { xBuf in
                    weight.scalars.withUnsafeBufferPointer { wBuf in
                        outputGradient.scalars.withUnsafeBufferPointer { dyBuf in
                            let dw = SharedPointer(dwBuf.baseAddress!)
                            let dx = inputGradient ? SharedPointer(dxBuf.baseAddress!) : nil
                            let x = SharedReadPointer(xBuf.baseAddress!)
                            let w = SharedReadPointer(wBuf.baseAddress!)
                            let dy = SharedReadPointer(dyBuf.baseAddress!)
                            Parallel.run(max(rowShards.count, outShards.count)) { s in
                                if s < outShards.count {
                                    // dW[o-range] = dY[:, o-range]^T * X
                                    let r = outShards[s]
                                    GEMM.multiply(transposeA: true, transposeB: false, m: r.count, n: inF, k: n,
                                                  a: dy[r.lowerBound], lda: outF, b: x.base, ldb: inF,
                                                  beta: 0, c: dw[r.lowerBound * inF], ldc: inF)
                                }
                                if let dx, s < rowShards.count {
                                    // dX[rows] = dY[rows] * W
                                    let r = rowShards[s]
                                    GEMM.multiply(transposeA: false, transposeB: false, m: r.count, n: inF, k: outF,
                                                  a: dy[r.lowerBound * outF], lda: outF, b: w.base, ldb: inF,
                                                  beta: 0, c: dx[r.lowerBound * inF], ldc: inF)
                                }
                            }
                        }
                    }
                }
            }
        }
        // Row by row, so each bias sums its column in row order.
        var dB = [Float](repeating: 0, count: outF)
        dB.withUnsafeMutableBufferPointer { db in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                guard outF > 0 else { return }
                for i in 0..<n { db.baseAddress!.add(dy.baseAddress! + i * outF, count: outF) }
            }
        }
        return (inputGradient ? Tensor(shape: input.shape, scalars: dX) : nil,
                Tensor(shape: weight.shape, scalars: dW), Tensor(shape: [outF], scalars: dB))
    }
}
