import Testing
@testable import Tensor

/// Optimised kernels against the Double-accumulating loops in `Reference`, over odd sizes, batch 1,
/// strides, padding, and thread counts that leave uneven shards.
struct KernelTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
    }

    /// Runs `body` once per kernel path this CPU supports, with that path current.
    static func onEveryPath(_ body: (KernelPath) throws -> Void) rethrows {
        for path in KernelPath.supported { try KernelPath.using(path) { try body(path) } }
    }

    static func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape)
        var worst: Float = 0
        for (x, y) in zip(a.scalars, b.scalars) {
            worst = max(worst, abs(x - y) / max(1, abs(y)))
        }
        return worst
    }

    static let convCases: [Conv2DGeometry] = [
        Conv2DGeometry(batch: 1, inChannels: 1, height: 28, width: 28, outChannels: 32, kernel: 3),
        Conv2DGeometry(batch: 3, inChannels: 5, height: 9, width: 7, outChannels: 4, kernel: 3, stride: 2, padding: 1),
        Conv2DGeometry(batch: 5, inChannels: 3, height: 11, width: 13, outChannels: 7, kernel: 5, stride: 1, padding: 2),
        Conv2DGeometry(batch: 2, inChannels: 2, height: 6, width: 6, outChannels: 3, kernel: 1, stride: 3, padding: 0),
        Conv2DGeometry(batch: 4, inChannels: 32, height: 8, width: 8, outChannels: 64, kernel: 3, stride: 1, padding: 0),
        Conv2DGeometry(batch: 3, inChannels: 2, height: 5, width: 5, outChannels: 2, kernel: 3, stride: 1, padding: 3),
        // Output planes of 900 make groups of two images, so shards end in a partial group.
        Conv2DGeometry(batch: 7, inChannels: 2, height: 30, width: 30, outChannels: 5, kernel: 3, stride: 1, padding: 1),
        // Tap counts that are not a multiple of three (2 and 4), an even kernel, one-pixel-wide outputs.
        Conv2DGeometry(batch: 2, inChannels: 2, height: 5, width: 4, outChannels: 6, kernel: 1),
        Conv2DGeometry(batch: 3, inChannels: 1, height: 7, width: 2, outChannels: 9, kernel: 2),
        // m1's second convolution, batch 5 (a partial group and uneven shards).
        Conv2DGeometry(batch: 5, inChannels: 32, height: 26, width: 26, outChannels: 64, kernel: 3),
        // Rows wider than a 48-column block, channels not a multiple of four.
        Conv2DGeometry(batch: 2, inChannels: 3, height: 5, width: 61, outChannels: 13, kernel: 3, padding: 1),
    ]

    @Test(arguments: convCases, [1, 2, 3])
    func conv2dForwardMatchesReference(g: Conv2DGeometry, threads: Int) {
        Self.onEveryPath { path in
            let x = Self.random(g.inputShape, seed: 1), w = Self.random(g.weightShape, seed: 2)
            let b = Self.random([g.outChannels], seed: 3)
            let fast = Conv2D.forward(x, weight: w, bias: b, geometry: g, threads: threads)
            let slow = Reference.conv2dForward(x, weight: w, bias: b, geometry: g)
            #expect(Self.maxRelativeError(fast, slow) < 1e-5, "\(path)")
        }
    }

    @Test(arguments: convCases, [1, 2, 3])
    func conv2dBackwardMatchesReference(g: Conv2DGeometry, threads: Int) throws {
        try Self.onEveryPath { path in
            let x = Self.random(g.inputShape, seed: 4), w = Self.random(g.weightShape, seed: 5)
            let dy = Self.random(g.outputShape, seed: 6)
            let fast = Conv2D.backward(input: x, weight: w, outputGradient: dy, geometry: g, inputGradient: true,
                                       threads: threads)
            let slow = Reference.conv2dBackward(x, weight: w, outputGradient: dy, geometry: g)
            let dx = try #require(fast.input)
            #expect(Self.maxRelativeError(dx, slow.input) < 3e-5, "\(path)")  // sums of up to 576 products
            #expect(Self.maxRelativeError(fast.weight, slow.weight) < 1e-4, "\(path)")
            #expect(Self.maxRelativeError(fast.bias, slow.bias) < 1e-4, "\(path)")
            let noInput = Conv2D.backward(input: x, weight: w, outputGradient: dy, geometry: g, inputGradient: false,
                                          threads: threads)
            #expect(noInput.input == nil, "\(path)")
            #expect(noInput.weight == fast.weight, "\(path)")
        }
    }

    /// The fused ReLU: the forward pass clamps at zero, the backward pass masks the gradient by the output.
    @Test(arguments: [convCases[0], convCases[2], convCases[6], convCases[9]], [1, 2])
    func conv2dWithFusedReluMatchesReference(g: Conv2DGeometry, threads: Int) throws {
        try Self.onEveryPath { path in
            let x = Self.random(g.inputShape, seed: 16), w = Self.random(g.weightShape, seed: 17)
            let b = Self.random([g.outChannels], seed: 18), dy = Self.random(g.outputShape, seed: 19)
            let y = Conv2D.forward(x, weight: w, bias: b, geometry: g, relu: true, threads: threads)
            let linear = Reference.conv2dForward(x, weight: w, bias: b, geometry: g)
            #expect(y.scalars.contains(0) && y.scalars.contains { $0 > 0 }, "\(path)")
            #expect(Self.maxRelativeError(y, Tensor(shape: linear.shape, scalars: linear.scalars.map { max($0, 0) })) < 1e-5, "\(path)")
            let fast = Conv2D.backward(input: x, weight: w, outputGradient: dy, geometry: g, reluOutput: y,
                                       inputGradient: true, threads: threads)
            let masked = Tensor(shape: dy.shape, scalars: zip(dy.scalars, y.scalars).map { $1 > 0 ? $0 : 0 })
            let slow = Reference.conv2dBackward(x, weight: w, outputGradient: masked, geometry: g)
            let dx = try #require(fast.input)
            #expect(Self.maxRelativeError(dx, slow.input) < 3e-5, "\(path)")  // sums of up to 576 products
            #expect(Self.maxRelativeError(fast.weight, slow.weight) < 1e-4, "\(path)")
            #expect(Self.maxRelativeError(fast.bias, slow.bias) < 1e-4, "\(path)")
        }
    }

    @Test(arguments: [([1, 1, 4, 4], 2, 2), ([3, 5, 7, 9], 2, 2), ([2, 3, 9, 8], 3, 2), ([1, 2, 5, 5], 3, 3)], [1, 2])
    func maxPoolMatchesReferenceAndRoutesGradient(pool: ([Int], Int, Int), threads: Int) {
        let (shape, kernel, stride) = pool
        let x = Self.random(shape, seed: 7)
        let (y, argmax) = MaxPool2D.forward(x, kernel: kernel, stride: stride, threads: threads)
        #expect(y == Reference.maxPool2dForward(x, kernel: kernel, stride: stride))
        let dy = Self.random(y.shape, seed: 8)
        let dx = MaxPool2D.backward(outputGradient: dy, argmax: argmax, inputShape: shape, threads: threads)
        // Every output's gradient lands on an input equal to that output's maximum; nothing else is touched.
        let plane = shape[2] * shape[3], outPlane = y.shape[2] * y.shape[3]
        var expected = [Float](repeating: 0, count: x.count)
        for i in 0..<y.count {
            let p = i / outPlane
            let target = p * plane + Int(argmax[i])
            #expect(x.scalars[target] == y.scalars[i])
            expected[target] += dy.scalars[i]
        }
        #expect(dx.scalars == expected)
        #expect(abs(dx.scalars.reduce(0, +) - dy.scalars.reduce(0, +)) < 1e-4)
    }

    @Test(arguments: [(1, 7, 3), (5, 9216, 128), (64, 33, 10), (3, 1, 1), (17, 129, 65), (3, 33, 10)], [1, 2, 4])
    func linearMatchesReference(sizes: (Int, Int, Int), threads: Int) throws {
        let (n, inF, outF) = sizes
        let x = Self.random([n, inF], seed: 9), w = Self.random([outF, inF], seed: 10)
        let b = Self.random([outF], seed: 11), dy = Self.random([n, outF], seed: 12)
        let y = Linear.forward(x, weight: w, bias: b, threads: threads)
        #expect(Self.maxRelativeError(y, Reference.linearForward(x, weight: w, bias: b)) < 1e-4)
        let fast = Linear.backward(input: x, weight: w, outputGradient: dy, inputGradient: true, threads: threads)
        let slow = Reference.linearBackward(x, weight: w, outputGradient: dy)
        #expect(Self.maxRelativeError(try #require(fast.input), slow.input) < 1e-4)
        #expect(Self.maxRelativeError(fast.weight, slow.weight) < 1e-4)
        #expect(Self.maxRelativeError(fast.bias, slow.bias) < 1e-4)
    }

    @Test func activationsMatchDefinitions() {
        let x = Tensor(shape: [6], scalars: [-3, -0.5, 0, 0.25, 1, 4])
        #expect(Activation.reluForward(x).scalars == [0, 0, 0, 0.25, 1, 4])
        let y = Activation.reluForward(x)
        #expect(Activation.reluBackward(output: y, outputGradient: Tensor(repeating: 2, shape: [6])).scalars
                == [0, 0, 0, 2, 2, 2])
        // 0.5 x (1 + erf(x / sqrt 2)) from Python's math.erf, to 7 places.
        let torchGelu: [Float] = [-0.0040497, -0.1542688, 0, 0.1496766, 0.8413447, 3.9998733]
        for (a, b) in zip(Activation.geluForward(x).scalars, torchGelu) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func shardsCoverEveryIndexOnce() {
        for count in [0, 1, 2, 7, 64] {
            for parts in [1, 2, 3, 8] {
                let shards = Parallel.shards(count: count, parts: parts)
                #expect(shards.flatMap { Array($0) } == Array(0..<count))
                #expect(shards.allSatisfy { !$0.isEmpty })
                #expect(shards.count <= parts)
            }
        }
    }

    @Test func kernelsAreDeterministicForAThreadCount() {
        Self.onEveryPath { path in
            let g = Conv2DGeometry(batch: 9, inChannels: 4, height: 12, width: 12, outChannels: 8, kernel: 3)
            let x = Self.random(g.inputShape, seed: 13), w = Self.random(g.weightShape, seed: 14)
            let dy = Self.random(g.outputShape, seed: 15)
            let a = Conv2D.backward(input: x, weight: w, outputGradient: dy, geometry: g, inputGradient: true, threads: 2)
            let b = Conv2D.backward(input: x, weight: w, outputGradient: dy, geometry: g, inputGradient: true, threads: 2)
            #expect(a.weight.scalars == b.weight.scalars && a.input == b.input && a.bias == b.bias, "\(path)")
        }
    }
}

extension KernelTests {
    /// NaN propagates as in PyTorch (the first NaN in a window wins) on both the 2x2 fast path and the general one.
    @Test(arguments: [(2, 2), (3, 1)])
    func maxPoolPropagatesNaN(window: (Int, Int)) {
        var x = Self.random([1, 1, 6, 6], seed: 21)
        x.scalars[7] = .nan      // row 1, column 1
        x.scalars[8] = .infinity // row 1, column 2
        let (y, argmax) = MaxPool2D.forward(x, kernel: window.0, stride: window.1, threads: 1)
        // Windows that cover (1, 1): one for 2x2 stride 2, four for 3x3 stride 1; each yields NaN from index 7.
        let covering = window.0 == 2 ? [0] : [0, 1, 4, 5]
        for i in 0..<y.count {
            #expect(y.scalars[i].isNaN == covering.contains(i))
            if covering.contains(i) { #expect(argmax[i] == 7) }
        }
    }
}

extension KernelTests {
    @Test func dropoutMaskIsKeyedScaledAndIndependentOfThreads() {
        Self.onEveryPath { path in
            let n = 100_003, p: Float = 0.25
            var one = Self.random([n], seed: 22)
            let original = one
            var three = one
            let mask = Dropout.forward(&one, p: p, key: 42, threads: 1)
            #expect(Dropout.forward(&three, p: p, key: 42, threads: 3) == mask, "\(path)")
            #expect(one == three, "\(path)")
            #expect(mask.allSatisfy { $0 == 0 || $0 == 1 / (1 - p) }, "\(path)")
            let dropped = Double(mask.count { $0 == 0 }) / Double(n)
            #expect(abs(dropped - Double(p)) < 0.01, "\(path)")
            for i in 0..<n { #expect(one.scalars[i] == original.scalars[i] * mask[i]) }
            // Another key gives another mask; p = 0 keeps everything unscaled.
            let other = Dropout.mask(count: n, p: p, key: 43)
            #expect(zip(other, mask).count { $0 != $1 } > n / 4, "\(path)")
            #expect(Dropout.mask(count: 1000, p: 0, key: 7).allSatisfy { $0 == 1 }, "\(path)")
            // Neighbouring indices are not correlated: the drop rate of pairs is close to p squared.
            let pairs = Double((0..<(n - 1)).count { mask[$0] == 0 && mask[$0 + 1] == 0 }) / Double(n - 1)
            #expect(abs(pairs - Double(p * p)) < 0.01, "\(path)")
        }
    }
}

extension KernelTests {
    /// Fewer images than threads split each image's output channels (or a dense layer's outputs) instead of
    /// the batch. A convolution output is computed the same way either way, so its bits do not change; the
    /// dense layer's come from OpenBLAS, whose summation order depends on the shape it is given, so they are
    /// checked against the reference (and are the same from run to run for a thread count).
    @Test func smallBatchesSplitChannelsWithTheSameResults() {
        Self.onEveryPath { path in
            let g = Conv2DGeometry(batch: 1, inChannels: 3, height: 12, width: 11, outChannels: 13, kernel: 3, padding: 1)
            let x = Self.random(g.inputShape, seed: 23), w = Self.random(g.weightShape, seed: 24)
            let b = Self.random([g.outChannels], seed: 25)
            let one = Conv2D.forward(x, weight: w, bias: b, geometry: g, relu: true, threads: 1)
            for threads in [2, 3, 8] {
                #expect(Conv2D.forward(x, weight: w, bias: b, geometry: g, relu: true, threads: threads) == one, "\(path)")
            }
            let v = Self.random([2, 300], seed: 26), dw = Self.random([10, 300], seed: 27), db = Self.random([10], seed: 28)
            let split = Linear.forward(v, weight: dw, bias: db, threads: 4)
            #expect(Linear.forward(v, weight: dw, bias: db, threads: 4) == split, "\(path)")
            #expect(Self.maxRelativeError(split, Reference.linearForward(v, weight: dw, bias: db)) < 1e-5, "\(path)")
        }
    }
}
