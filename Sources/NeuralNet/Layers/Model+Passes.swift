import Tensor

/// What a layer keeps from the forward pass for the backward pass.
enum LayerCache: Sendable {
    case none
    case input(Tensor)
    case output(Tensor)
    case pool(argmax: [Int32], inputShape: [Int])
    case mask([Float])
    case batchNorm(BatchNorm.Saved)
    case shape([Int])
}

extension Model {
    func convGeometry(_ layer: Int, batch: Int) -> Conv2DGeometry {
        guard case let .conv2d(inC, outC, k, s, p) = layers[layer] else { preconditionFailure("not a conv layer") }
        let input = layer == 0 ? inputShape : shapes[layer - 1]
        return Conv2DGeometry(batch: batch, inChannels: inC, height: input[1], width: input[2],
                              outChannels: outC, kernel: k, stride: s, padding: p)
    }

    /// Whether layer `i` is a convolution directly followed by a ReLU: the two run as one fused kernel.
    func reluFollows(_ i: Int) -> Bool {
        guard case .conv2d = layers[i], i + 1 < layers.count, case .relu = layers[i + 1] else { return false }
        return true
    }

    /// Evaluation-mode forward pass of a normalised `[N, C, H, W]` batch: dropout off, batch norm on running
    /// statistics. Returns `[N, classes]` logits.
    func forwardEval(_ input: Tensor, threads: Int) -> Tensor {
        var x = input
        let n = input.shape[0]
        for (i, layer) in layers.enumerated() {
            let p = parameters[i]
            switch layer {
            case .conv2d:
                x = Conv2D.forward(x, weight: p.weight!, bias: p.bias!, geometry: convGeometry(i, batch: n),
                                   relu: reluFollows(i), threads: threads)
            case .relu:
                if i > 0, reluFollows(i - 1) { break }
                Activation.reluInPlace(&x)
            case .gelu: x = Activation.geluForward(x)
            case let .maxpool2d(k, s): x = MaxPool2D.forward(x, kernel: k, stride: s, threads: threads).output
            case .dropout: break
            case .flatten: x = x.reshaped([n, x.count / max(n, 1)])
            case .dense: x = Linear.forward(x, weight: p.weight!, bias: p.bias!, threads: threads)
            case let .batchnorm1d(_, eps, _), let .batchnorm2d(_, eps, _):
                x = BatchNorm.forwardEval(x, params: p, eps: eps)
            }
        }
        return x
    }

    /// Training-mode forward pass: one dropout key drawn from `rng` per dropout layer, in layer order;
    /// batch-norm running statistics updated. Returns the logits and what each layer needs for `backward`.
    mutating func forwardTraining(_ input: Tensor, rng: inout SeededGenerator, threads: Int)
        -> (logits: Tensor, caches: [LayerCache])
    {
        var x = input
        let n = input.shape[0]
        var caches: [LayerCache] = []
        caches.reserveCapacity(layers.count)
        for (i, layer) in layers.enumerated() {
            switch layer {
            case .conv2d:
                caches.append(.input(x))
                x = Conv2D.forward(x, weight: parameters[i].weight!, bias: parameters[i].bias!,
                                   geometry: convGeometry(i, batch: n), relu: reluFollows(i), threads: threads)
            case .relu:
                if !(i > 0 && reluFollows(i - 1)) { x = Activation.reluForward(x) }
                caches.append(.output(x))
            case .gelu:
                caches.append(.input(x))
                x = Activation.geluForward(x)
            case let .maxpool2d(k, s):
                let shape = x.shape
                let (y, argmax) = MaxPool2D.forward(x, kernel: k, stride: s, threads: threads)
                caches.append(.pool(argmax: argmax, inputShape: shape))
                x = y
            case let .dropout(p):
                let mask = Dropout.forward(&x, p: p, key: rng.next(), threads: threads)
                caches.append(.mask(mask))
            case .flatten:
                caches.append(.shape(x.shape))
                x = x.reshaped([n, x.count / max(n, 1)])
            case .dense:
                caches.append(.input(x))
                x = Linear.forward(x, weight: parameters[i].weight!, bias: parameters[i].bias!, threads: threads)
            case let .batchnorm1d(_, eps, momentum), let .batchnorm2d(_, eps, momentum):
                let (y, saved) = BatchNorm.forwardTraining(x, params: &parameters[i], eps: eps, momentum: momentum)
                caches.append(.batchNorm(saved))
                x = y
            }
        }
        return (x, caches)
    }

    /// Gradients of every layer's weight and bias given d(loss)/d(logits), in `parameters`' layout.
    func backward(_ caches: [LayerCache], outputGradient: Tensor, threads: Int) -> [LayerParameters] {
        var grads = [LayerParameters](repeating: LayerParameters(), count: layers.count)
        var dy = outputGradient
        let n = outputGradient.shape[0]
        // Layers before the first parameterised one need no input gradient.
        let firstTrainable = parameters.firstIndex { $0.weight != nil } ?? layers.count
        var fusedRelu: Tensor?
        for i in stride(from: layers.count - 1, through: firstTrainable, by: -1) {
            let needInput = i > firstTrainable
            switch (layers[i], caches[i]) {
            case let (.relu, .output(y)) where i > 0 && reluFollows(i - 1):
                fusedRelu = y  // masked inside the convolution's backward pass
            case let (.conv2d, .input(x)):
                let g = Conv2D.backward(input: x, weight: parameters[i].weight!, outputGradient: dy,
                                        geometry: convGeometry(i, batch: n), reluOutput: fusedRelu,
                                        inputGradient: needInput, threads: threads)
                fusedRelu = nil
                grads[i] = LayerParameters(weight: g.weight, bias: g.bias)
                if let dx = g.input { dy = dx }
            case let (.relu, .output(y)):
                dy = Activation.reluBackward(output: y, outputGradient: dy)
            case let (.gelu, .input(x)):
                dy = Activation.geluBackward(input: x, outputGradient: dy)
            case let (.maxpool2d, .pool(argmax, shape)):
                dy = MaxPool2D.backward(outputGradient: dy, argmax: argmax, inputShape: shape, threads: threads)
            case let (.dropout, .mask(mask)):
                Dropout.backward(&dy, mask: mask)
            case let (.flatten, .shape(shape)):
                dy = dy.reshaped(shape)
            case let (.dense, .input(x)):
                let g = Linear.backward(input: x, weight: parameters[i].weight!, outputGradient: dy,
                                        inputGradient: needInput, threads: threads)
                grads[i] = LayerParameters(weight: g.weight, bias: g.bias)
                if let dx = g.input { dy = dx }
            case let (.batchnorm1d, .batchNorm(saved)), let (.batchnorm2d, .batchNorm(saved)):
                let g = BatchNorm.backward(dy, saved: saved, gamma: parameters[i].weight!)
                grads[i] = LayerParameters(weight: g.weight, bias: g.bias)
                dy = g.input
            default:
                preconditionFailure("layer \(i) (\(layers[i].name)) has a mismatched forward cache")
            }
        }
        return grads
    }
}
