import Tensor

extension Model {
    /// Layer i's place in a pass of `batch` images.
    func context(_ i: Int, batch: Int, threads: Int) -> LayerContext {
        var context = LayerContext(batch: batch, input: inputShape(of: i), output: shapes[i], threads: threads)
        context.fusesNext = fusesNext(i)
        context.fusedIntoPrevious = i > 0 && fusesNext(i - 1)
        return context
    }

    /// Whether layer i also computes layer i + 1 (a convolution and its ReLU in one kernel).
    func fusesNext(_ i: Int) -> Bool {
        i + 1 < layers.count && layers[i].layer.fuses(layers[i + 1].layer)
    }

    /// Evaluation-mode forward pass of a normalised `[N, C, H, W]` batch: dropout off, batch norm on running
    /// statistics. Returns `[N, classes]` logits.
    func forwardEval(_ input: Tensor, threads: Int) -> Tensor {
        var x = input
        for i in layers.indices {
            x = layers[i].layer.forward(x, parameters: parameters[i],
                                        context: context(i, batch: input.shape[0], threads: threads))
        }
        return x
    }

    /// Training-mode forward pass: random draws (one dropout key per dropout layer) from `rng` in layer order;
    /// batch-norm running statistics updated. Returns the logits and what each layer saved for `backward`.
    mutating func forwardTraining(_ input: Tensor, rng: inout SeededGenerator, threads: Int)
        -> (logits: Tensor, caches: [any Sendable])
    {
        var x = input
        var caches: [any Sendable] = []
        caches.reserveCapacity(layers.count)
        for i in layers.indices {
            let step = layers[i].layer.forwardTraining(x, parameters: &parameters[i],
                                                       context: context(i, batch: input.shape[0], threads: threads),
                                                       rng: &rng)
            x = step.output
            caches.append(step.saved)
        }
        return (x, caches)
    }

    /// Gradients of every layer's trainable tensors given d(loss)/d(logits), by the parameters' names.
    func backward(_ caches: [any Sendable], outputGradient: Tensor, threads: Int) -> [LayerParameters] {
        var grads = [LayerParameters](repeating: LayerParameters(), count: layers.count)
        var dy = outputGradient
        let n = outputGradient.shape[0]
        // Layers before the first trainable one need no input gradient.
        let firstTrainable = parameters.firstIndex { $0.entries.contains(where: \.trainable) } ?? layers.count
        for i in stride(from: layers.count - 1, through: firstTrainable, by: -1) {
            var context = context(i, batch: n, threads: threads)
            context.needsInputGradient = i > firstTrainable
            if context.fusesNext { context.fusedSaved = caches[i + 1] }
            let g = layers[i].layer.backward(dy, saved: caches[i], parameters: parameters[i], context: context)
            grads[i] = g.parameters
            if let dx = g.input { dy = dx }
        }
        return grads
    }
}
