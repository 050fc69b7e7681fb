import Tensor

/// Batch normalisation over the channel axis of `[N, C, S]` data (S = H*W for 2-D, 1 for 1-D), as PyTorch's
/// `BatchNorm1d/2d`: training normalises with the batch's biased variance and moves the running statistics
/// toward the batch's mean and unbiased variance by `momentum`; evaluation uses the running statistics.
enum BatchNorm {
    struct Saved: Sendable {
        var normalized: Tensor
        var invStd: [Float]
    }

    static func dims(_ x: Tensor) -> (n: Int, c: Int, s: Int) {
        (x.shape[0], x.shape[1], x.shape.dropFirst(2).reduce(1, *))
    }

    static func forwardTraining(_ x: Tensor, params: inout LayerParameters, eps: Float, momentum: Float)
        -> (Tensor, Saved)
    {
        let (n, c, s) = dims(x)
        let m = n * s
        var mean = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
        var xhat = [Float](repeating: 0, count: x.count)
        var y = [Float](repeating: 0, count: x.count)
        let gamma = params.weight!.scalars, beta = params.bias!.scalars
        var runMean = params.runningMean!.scalars, runVar = params.runningVar!.scalars
        for ch in 0..<c {
            var sum = 0.0
            for i in 0..<n { for j in 0..<s { sum += Double(x.scalars[(i * c + ch) * s + j]) } }
            let mu = sum / Double(m)
            var sq = 0.0
            for i in 0..<n {
                for j in 0..<s {
                    let d = Double(x.scalars[(i * c + ch) * s + j]) - mu
                    sq += d * d
                }
            }
            let variance = sq / Double(m)
            let inv = 1 / (variance + Double(eps)).squareRoot()
            mean[ch] = Float(mu)
            invStd[ch] = Float(inv)
            for i in 0..<n {
                for j in 0..<s {
                    let k = (i * c + ch) * s + j
                    let h = Float((Double(x.scalars[k]) - mu) * inv)
                    xhat[k] = h
                    y[k] = gamma[ch] * h + beta[ch]
                }
            }
            let unbiased = m > 1 ? sq / Double(m - 1) : variance
            runMean[ch] = (1 - momentum) * runMean[ch] + momentum * Float(mu)
            runVar[ch] = (1 - momentum) * runVar[ch] + momentum * Float(unbiased)
        }
        params.runningMean = Tensor(shape: [c], scalars: runMean)
        params.runningVar = Tensor(shape: [c], scalars: runVar)
        return (Tensor(shape: x.shape, scalars: y), Saved(normalized: Tensor(shape: x.shape, scalars: xhat),
                                                          invStd: invStd))
    }

    static func forwardEval(_ x: Tensor, params: LayerParameters, eps: Float) -> Tensor {
        let (n, c, s) = dims(x)
        let gamma = params.weight!.scalars, beta = params.bias!.scalars
        let rm = params.runningMean!.scalars, rv = params.runningVar!.scalars
        var y = x.scalars
        for ch in 0..<c {
            let scale = gamma[ch] / (rv[ch] + eps).squareRoot()
            let shift = beta[ch] - rm[ch] * scale
            for i in 0..<n { for j in 0..<s { y[(i * c + ch) * s + j] = y[(i * c + ch) * s + j] * scale + shift } }
        }
        return Tensor(shape: x.shape, scalars: y)
    }

    /// `dx = gamma * invStd / M * (M dy - sum(dy) - xhat * sum(dy * xhat))`.
    static func backward(_ dy: Tensor, saved: Saved, gamma: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let (n, c, s) = dims(dy)
        let m = Float(n * s)
        var dGamma = [Float](repeating: 0, count: c), dBeta = [Float](repeating: 0, count: c)
        var dx = [Float](repeating: 0, count: dy.count)
        for ch in 0..<c {
            var sumDy = 0.0, sumDyX = 0.0
            for i in 0..<n {
                for j in 0..<s {
                    let k = (i * c + ch) * s + j
                    sumDy += Double(dy.scalars[k])
                    sumDyX += Double(dy.scalars[k]) * Double(saved.normalized.scalars[k])
                }
            }
            dGamma[ch] = Float(sumDyX)
            dBeta[ch] = Float(sumDy)
            let factor = gamma.scalars[ch] * saved.invStd[ch] / m
            for i in 0..<n {
                for j in 0..<s {
                    let k = (i * c + ch) * s + j
                    dx[k] = factor * (m * dy.scalars[k] - Float(sumDy) - saved.normalized.scalars[k] * Float(sumDyX))
                }
            }
        }
        return (Tensor(shape: dy.shape, scalars: dx), Tensor(shape: [c], scalars: dGamma),
                Tensor(shape: [c], scalars: dBeta))
    }
}
