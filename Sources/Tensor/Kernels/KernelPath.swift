import CBLAS
import CKernels
import Foundation
import StepwiseErrors

/// Which compiled copy of the engine's hot loops (`CKernels`) runs: chosen once per process from the CPU
/// (CPUID, through the compiler runtime's `__builtin_cpu_supports`), or forced with `STEPWISE_KERNELS`.
///
/// Each path gives fixed results for a seed and thread count, but the paths differ from each other in the last
/// bits (vector width changes the weight gradient's partial sums; the portable path rounds each product), so
/// the path is part of every cache key (`Engine.identity`).
public enum KernelPath: String, CaseIterable, Sendable, CustomStringConvertible {
    /// AVX-512 F/BW/DQ/VL with FMA: 16-float vectors.
    case avx512
    /// AVX2 with FMA: 8-float vectors.
    case avx2
    /// Baseline x86-64 (SSE2) or any other CPU: 4-float vectors, no fused multiply-add.
    case portable

    /// The environment variable that forces a path.
    public static let environmentVariable = "STEPWISE_KERNELS"

    public var description: String { rawValue }

    package var code: Int32 {
        switch self {
        case .avx512: Int32(CK_PATH_AVX512)
        case .avx2: Int32(CK_PATH_AVX2)
        case .portable: Int32(CK_PATH_PORTABLE)
        }
    }

    /// Whether this CPU and its operating system can run the path.
    public var isSupported: Bool { ck_path_supported(code) != 0 }

    /// The paths this machine can run, fastest first.
    public static var supported: [KernelPath] { allCases.filter(\.isSupported) }

    /// The fastest path this machine can run.
    public static var best: KernelPath { supported.first ?? .portable }

    /// The path named by `STEPWISE_KERNELS` (nil when unset or empty), or an error naming what is wrong.
    public static func fromEnvironment(_ environment: [String: String]) throws(KernelPathError) -> KernelPath? {
        guard let name = environment[environmentVariable], !name.isEmpty else { return nil }
        guard let path = KernelPath(rawValue: name.lowercased()) else { throw .unknown(name) }
        guard path.isSupported else { throw .unsupported(path, cpu: Engine.cpuModel, best: best) }
        return path
    }

    /// The process's path: `STEPWISE_KERNELS` if it names one this CPU runs, else the best one. (The CLI refuses
    /// an unknown or unsupported name before anything runs: `fromEnvironment`.)
    public static let selected: KernelPath =
        (try? fromEnvironment(ProcessInfo.processInfo.environment)).flatMap { $0 } ?? best

    /// A path set for the current task by `using(_:_:)`, overriding `selected` (tests run every path).
    @TaskLocal static var override: KernelPath?

    /// The path kernels called now use: read once on the calling thread at the start of each kernel call.
    public static var current: KernelPath { override ?? selected }

    /// Runs `body` with `path` as the current path (of this task; kernels read it before they fan out).
    public static func using<T>(_ path: KernelPath, _ body: () throws -> T) rethrows -> T {
        precondition(path.isSupported, "kernel path \(path) is not supported on this CPU")
        return try $override.withValue(path, operation: body)
    }
}

/// Why `STEPWISE_KERNELS` cannot be used.
public enum KernelPathError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case unsupported(KernelPath, cpu: String, best: KernelPath)

    public var description: String {
        switch self {
        case let .unknown(name):
            "\(KernelPath.environmentVariable)=\(name) is not a kernel path; use "
                + KernelPath.allCases.map(\.rawValue).joined(separator: ", ")
        case let .unsupported(path, cpu, best):
            "\(KernelPath.environmentVariable)=\(path) cannot run on this CPU (\(cpu)); it supports "
                + KernelPath.supported.map(\.rawValue).joined(separator: ", ") + " (the default is \(best))"
        }
    }
}

/// What decides the engine's numbers, for cache keys, benchmarks and run manifests.
public enum Engine {
    /// Bump whenever a kernel's results change (another summation order, another mask, another update rule):
    /// it is part of every cache key, so entries computed by an earlier engine are not served.
    /// `EngineNumericsTests` fails when the recorded weights of a tiny training run change while it did not move.
    ///
    /// 1: the first versioned engine: direct convolutions in CKernels, per-path lane sums for the weight gradient,
    /// counter-based dropout masks, Adam in PyTorch's order of operations.
    /// 2: GELU in CKernels (erf from one vector exponential, within 1.5e-7) instead of the C library's `erff`.
    public static let numericsVersion = 2

    /// The CPU's model name (Linux: the first "model name" of /proc/cpuinfo), or "unknown CPU".
    public static let cpuModel: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                let name = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { return name }
            }
        }
        return "unknown CPU"
    }()

    /// The kernel set OpenBLAS chose for this CPU (it has its own run-time dispatch); dense layers and the
    /// convolutions' input gradients go through it, so it decides some of the bits too.
    public static let blasCore: String = openblas_get_corename().map { String(cString: $0) } ?? "unknown"

    /// Everything about the engine that changes its numbers: version, kernel path, OpenBLAS kernels.
    public static var identity: String {
        "engine \(numericsVersion), \(KernelPath.current) kernels, OpenBLAS \(blasCore)"
    }
}

extension KernelPathError: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
