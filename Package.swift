// swift-tools-version:6.1
import PackageDescription

/// Release builds need AVX2/FMA code generation: without `-target-cpu`, SIMD fused multiply-adds in the
/// hand-written kernels lower to `fmaf` library calls. haswell (AVX2 + FMA) covers every x86 server CPU since 2015.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"], .when(configuration: .release)),
    .enableUpcomingFeature("ExistentialAny"),
]
let fastC: [CSetting] = [
    .unsafeFlags(["-O3", "-march=x86-64-v3"], .when(configuration: .release)),
]
/// The engine's Swift code compiles for baseline x86-64, so one binary runs on every x86-64 CPU: its hot loops
/// live in CKernels, compiled per instruction set and picked at run time (Sources/Tensor/Kernels/KernelPath.swift).
let engine: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Stepwise",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stepwise", targets: ["stepwise"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libpng-dev, zlib1g-dev).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The engine's hot loops in C, one copy per instruction set (AVX-512, AVX2 + FMA, portable).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        // Numeric core: tensors, kernels, safetensors files.
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"], swiftSettings: engine),
        // Layers, losses, optimizers, training loop.
        .target(name: "NeuralNet", dependencies: ["Tensor"], swiftSettings: engine),
        // MNIST IDX files (gzip or raw), downloads.
        .target(name: "Datasets", dependencies: ["Tensor", "CZlib",
                                                 .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        // PNG in and out (libpng simplified API), MNIST-style digit preprocessing.
        .target(name: "Imaging", dependencies: ["CPNG", "Tensor"], swiftSettings: fastMath),
        // The step language: lexer, parser, AST, diagnostics, step schema. No tensor code.
        .target(name: "StepDSL", swiftSettings: strict),
        // Planner, cache, lock, step interpreters, charts, reports.
        .target(name: "Runtime", dependencies: ["StepDSL", "NeuralNet", "Datasets", "Imaging", "Tensor",
                                                .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        .executableTarget(name: "stepwise", dependencies: [
            "Runtime", "Datasets", "Imaging", "NeuralNet", "Tensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Tensor"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensor", "CZlib"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "StepDSLTests", dependencies: ["StepDSL"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "StepDSL", "Tensor", "NeuralNet", "Datasets"]),
        .testTarget(name: "StepwiseCLITests", dependencies: ["stepwise", "Imaging", "Datasets", "Tensor"]),
    ]
)
