// swift-tools-version:6.1
import PackageDescription

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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libpng-dev, zlib1g-dev, libturbojpeg0-dev).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        // gnuplot-iostream (Debian: libgnuplot-iostream-dev, header only, on Boost) behind a C function.
        .target(name: "CGnuplot", cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("boost_iostreams"), .linkedLibrary("boost_system"),
                                 .linkedLibrary("boost_filesystem")]),

        // The exit statuses, and the protocol by which each module's errors carry theirs to the command line.
        .target(name: "StepwiseErrors", swiftSettings: strict),
        // The engine's hot loops in C, one copy per instruction set (AVX-512, AVX2 + FMA, portable).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        // Numeric core: tensors, kernels, safetensors files.
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels", "StepwiseErrors"], swiftSettings: engine),
        // Layers (each with its step-language form), losses, optimizers, training loop.
        .target(name: "NeuralNet", dependencies: ["Tensor", "StepDSL", "StepwiseErrors"], swiftSettings: engine),
        // MNIST IDX files (gzip or raw), downloads.
        .target(name: "Datasets", dependencies: ["Tensor", "CZlib", "StepwiseErrors",
                                                 .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        // PNG in and out (libpng simplified API), JPEG in (TurboJPEG API, EXIF orientation), MNIST-style digit
        // preprocessing. It decodes uploads, so it is built with bounds checks on (no -Ounchecked).
        .target(name: "Imaging", dependencies: ["CPNG", "CJPEG", "Tensor", "StepwiseErrors"], swiftSettings: strict),
        // The step language: lexer, parser, AST, diagnostics, step schema. No tensor code and no layer: the
        // layers (NeuralNet) declare their line forms, and the checker is given them.
        .target(name: "StepDSL", dependencies: ["StepwiseErrors"], swiftSettings: strict),
        // Planner, cache, lock, step interpreters, charts, reports.
        .target(name: "Runtime", dependencies: ["StepDSL", "NeuralNet", "Datasets", "Imaging", "Tensor", "CGnuplot", "StepwiseErrors",
                                                .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        // `stepwise serve`: the page, the JSON API, the prediction log (SQLite / PostgreSQL), model hot reload.
        .target(name: "Server", dependencies: [
            "Runtime", "Imaging", "NeuralNet", "Tensor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "SQLiteNIO", package: "sqlite-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Ink", package: "Ink"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], resources: [.embedInCode("Page")], swiftSettings: strict),
        .executableTarget(name: "stepwise", dependencies: [
            "Runtime", "Server", "Datasets", "Imaging", "NeuralNet", "Tensor", "StepwiseErrors",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // Test fixtures shared by the test targets (small IDX files, synthetic MNIST); no product uses it.
        .target(name: "StepwiseTestSupport", dependencies: ["Tensor", "CZlib"], path: "Tests/StepwiseTestSupport",
                swiftSettings: strict),

        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Tensor"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensor", "CZlib", "StepwiseTestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Datasets"]),
        // The language checked against the kinds the runtime defines (StepKinds.schema) and its layers.
        .testTarget(name: "StepDSLTests", dependencies: ["StepDSL", "Runtime", "NeuralNet"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "StepDSL", "Tensor", "NeuralNet", "Datasets", "StepwiseErrors",
                                                         "Imaging", "StepwiseTestSupport"]),
        .testTarget(name: "StepwiseCLITests", dependencies: ["stepwise", "Imaging", "Datasets", "Tensor", "NeuralNet",
                                                             "StepwiseTestSupport"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Runtime", "Imaging", "Tensor", "NeuralNet",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
