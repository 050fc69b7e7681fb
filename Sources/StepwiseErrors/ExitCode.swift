/// The exit statuses of `stepwise` (README.md, "Exit status"). Each module's error types say which one a command
/// ends with when the error stops it (`ExitCoded`), so the command-line tool maps any error without knowing the
/// module it came from.
public enum ExitCode {
    /// A step or command failed.
    public static let failure: Int32 = 1
    /// A usage, step-file or validation error, or an input the command cannot use: nothing ran.
    public static let usage: Int32 = 2
    /// Another run holds the lock.
    public static let locked: Int32 = 3
    /// Data missing or corrupt: the MNIST files, a model file.
    public static let badData: Int32 = 4

    /// A run stopped by `signal` (SIGINT: 130, SIGTERM: 143).
    public static func interrupted(by signal: Int32) -> Int32 { 128 + signal }
}

/// An error that carries the exit status `stepwise` ends with when the error stops a command.
public protocol ExitCoded: Error {
    var exitCode: Int32 { get }
}
