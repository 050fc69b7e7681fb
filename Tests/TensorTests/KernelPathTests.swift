import Testing
@testable import Tensor

/// Choosing the kernel path, and what the paths must agree on.
struct KernelPathTests {
    @Test func environmentNamesAPathOrIsRefused() throws {
        #expect(try KernelPath.fromEnvironment([:]) == nil)
        #expect(try KernelPath.fromEnvironment(["STEPWISE_KERNELS": ""]) == nil)
        #expect(try KernelPath.fromEnvironment(["STEPWISE_KERNELS": "Portable"]) == .portable)
        let error = #expect(throws: KernelPathError.self) {
            try KernelPath.fromEnvironment(["STEPWISE_KERNELS": "sse9"])
        }
        #expect(error?.description == "STEPWISE_KERNELS=sse9 is not a kernel path; use avx512, avx2, portable")
        for path in KernelPath.allCases where !path.isSupported {
            #expect(throws: KernelPathError.unsupported(path, cpu: Engine.cpuModel, best: KernelPath.best)) {
                try KernelPath.fromEnvironment(["STEPWISE_KERNELS": path.rawValue])
            }
        }
        #expect(KernelPathError.unsupported(.avx512, cpu: "Old CPU", best: .portable).description.hasPrefix(
            "STEPWISE_KERNELS=avx512 cannot run on this CPU (Old CPU); it supports "))
    }

    @Test func everyMachineRunsThePortablePathAndTheBestIsSupported() {
        #expect(KernelPath.portable.isSupported)
        #expect(KernelPath.best.isSupported && KernelPath.supported.first == KernelPath.best)
        #expect(KernelPath.using(.portable) { KernelPath.current } == .portable)
        #expect(Engine.identity.hasPrefix("engine \(Engine.numericsVersion), \(KernelPath.current) kernels, OpenBLAS "))
    }

    /// Dropout masks are integer hashes and Adam avoids fused multiply-adds, so they are the same bits on every
    /// path (the convolutions are not: vector width and fused multiply-adds change their last bits).
    @Test func dropoutAndAdamGiveTheSameBitsOnEveryPath() {
        let n = 1003
        let results = KernelPath.supported.map { path in
            KernelPath.using(path) { () -> ([Float], [Float]) in
                let mask = Dropout.mask(count: n, p: 0.3, key: 99)
                var p = KernelTests.random([n], seed: 30).scalars, m = KernelTests.random([n], seed: 31).scalars
                var v = KernelTests.random([n], seed: 32).scalars.map(abs)
                let g = KernelTests.random([n], seed: 33).scalars
                p.withUnsafeMutableBufferPointer { pb in
                    m.withUnsafeMutableBufferPointer { mb in
                        v.withUnsafeMutableBufferPointer { vb in
                            g.withUnsafeBufferPointer { gb in
                                Adam.update(path: path, pb.baseAddress!, gb.baseAddress!, mb.baseAddress!, vb.baseAddress!,
                                            count: n, b1: 0.9, b2: 0.999, l2: 0.01, stepSize: 0.001, bc2Root: 0.5,
                                            eps: 1e-8)
                            }
                        }
                    }
                }
                return (mask, p + m + v)
            }
        }
        for (path, result) in zip(KernelPath.supported, results) {
            #expect(result.0 == results[0].0, "\(path) dropout")
            #expect(result.1 == results[0].1, "\(path) Adam")
        }
        // Adam against its definition, in Double.
        let p0 = KernelTests.random([n], seed: 30).scalars, m0 = KernelTests.random([n], seed: 31).scalars
        let v0 = KernelTests.random([n], seed: 32).scalars.map(abs), g0 = KernelTests.random([n], seed: 33).scalars
        for j in [0, 7, 500, n - 1] {
            let g = Double(g0[j]) + 0.01 * Double(p0[j])
            let m = 0.9 * Double(m0[j]) + 0.1 * g, v = 0.999 * Double(v0[j]) + 0.001 * g * g
            let p = Double(p0[j]) - 0.001 * m / (v.squareRoot() / 0.5 + 1e-8)
            #expect(abs(Double(results[0].1[j]) - p) < 1e-6)
        }
    }
}

extension KernelPathTests {
    /// Max pooling selects, so every path must give the reference's values, argmax and gradient exactly: odd
    /// plane sizes (a dropped last row and column), ties (first wins), NaN and infinities.
    @Test(arguments: [[1, 1, 2, 2], [2, 3, 7, 9], [3, 5, 28, 28], [1, 64, 13, 13], [2, 1, 3, 41]])
    func maxPoolIsTheReferenceOnEveryPath(shape: [Int]) {
        var x = KernelTests.random(shape, seed: 40)
        for i in stride(from: 0, to: x.count, by: 5) { x.scalars[i] = x.scalars[max(i - 1, 0)] }  // ties
        if x.count > 20 {
            x.scalars[11] = .nan
            x.scalars[17] = .infinity
            x.scalars[19] = -.infinity
        }
        let (oh, ow) = (shape[2] / 2, shape[3] / 2), planes = shape[0] * shape[1], plane = shape[2] * shape[3]
        // The rule, written out: windows read row by row; the first NaN wins, else the first strict maximum.
        var values = [Float](), winners = [Int32]()
        for p in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let r0 = 2 * oy * shape[3] + 2 * ox, r1 = r0 + shape[3]
                    var at = r0
                    for o in [r0 + 1, r1, r1 + 1] where !x.scalars[p * plane + at].isNaN {
                        let v = x.scalars[p * plane + o]
                        if v.isNaN || v > x.scalars[p * plane + at] { at = o }
                    }
                    values.append(x.scalars[p * plane + at])
                    winners.append(Int32(at))
                }
            }
        }
        let dy = KernelTests.random([shape[0], shape[1], oh, ow], seed: 41)
        var expected = [Float](repeating: 0, count: x.count)
        for i in 0..<dy.count { expected[(i / (oh * ow)) * plane + Int(winners[i])] += dy.scalars[i] }
        for path in KernelPath.supported {
            KernelPath.using(path) {
                let (y, argmax) = MaxPool2D.forward(x, kernel: 2, stride: 2, threads: 2)
                #expect(y.shape == [shape[0], shape[1], oh, ow], "\(path)")
                #expect(zip(y.scalars, values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(path) values")
                #expect(argmax == winners, "\(path) argmax")
                let dx = MaxPool2D.backward(outputGradient: dy, argmax: argmax, inputShape: shape, threads: 2)
                #expect(dx.scalars == expected, "\(path) gradient")
            }
        }
    }
}
