/// How a layer is written in a build step: `conv 32 3x3 stride 2 padding same relu`. A keyword, required
/// arguments in order, optional `name value` options in any order, and at most one flag word from a set
/// (an activation). The step language knows no layer by itself: the layers that exist (each declaring its form)
/// are given to `WorkflowLoader`, and `LayerParser` reads every line through its form.
public struct LayerForm: Sendable {
    /// The values an argument takes.
    public enum Kind: Sendable, Hashable {
        /// A whole number in 1...100000.
        case count
        /// A square kernel: `3x3` or `3`, written back as `3x3`.
        case kernel
        /// A square window: `2` or `2x2`, written back as `2`.
        case window
        /// A decimal in 0..<1 (`0.25`, `1/4`).
        case probability
        /// Pixels (0 or more) or `same`, which needs the odd `kernel_size` argument and means `(K - 1) / 2`.
        case padding
    }

    public struct Argument: Sendable {
        public let name: String
        public let kind: Kind
        /// Words for messages: `the output channel count of a conv layer`.
        public let what: String
        /// An example line for a missing value: `conv 32 3x3`.
        public let example: String
        /// The value when left out (options only); `defaultFrom` names an argument whose value is the default.
        public let defaultValue: Int?
        public let defaultFrom: String?

        public init(_ name: String, _ kind: Kind, what: String, example: String, default defaultValue: Int? = nil,
                    defaultFrom: String? = nil) {
            (self.name, self.kind, self.what, self.example) = (name, kind, what, example)
            (self.defaultValue, self.defaultFrom) = (defaultValue, defaultFrom)
        }
    }

    public let keyword: String
    public let positional: [Argument]
    public let options: [Argument]
    /// Flag words (`relu`, `gelu`), at most one per line, stored under `flagName`.
    public let flags: [String]
    public let flagName: String
    /// `conv OUT KxK [stride S] [padding P|same] [relu|gelu]`
    public let usage: String

    public init(_ keyword: String, positional: [Argument] = [], options: [Argument] = [], flags: [String] = [],
                flagName: String = "activation", usage: String) {
        (self.keyword, self.positional, self.options) = (keyword, positional, options)
        (self.flags, self.flagName, self.usage) = (flags, flagName, usage)
    }
}

/// One value of a layer line.
public enum LayerArgument: Sendable, Hashable {
    case int(Int)
    case decimal(Double)
    case word(String)

    var canonical: String {
        switch self {
        case let .int(n): String(n)
        case let .decimal(x): ParameterValue.decimal(x).description
        case let .word(w): w
        }
    }
}

/// The layers a build step may use, by keyword.
public struct LayerLanguage: Sendable {
    public let forms: [LayerForm]

    public init(_ forms: [LayerForm]) {
        self.forms = forms
    }

    func form(_ keyword: String) -> LayerForm? { forms.first { $0.keyword == keyword } }
    var keywords: [String] { forms.map(\.keyword) }
}
