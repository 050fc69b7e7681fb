/// The number and step name in a step file's name: `04-train.step` is step `train`, number 4.
struct StepFileName: Sendable, Hashable {
    let number: Int
    let name: String

    static let fileExtension = ".step"

    /// Why a file name is not a step file name.
    struct Problem: Error {
        let reason: String
    }

    /// Nil when the name is not `NN-name.step`, with the reason.
    static func parse(_ fileName: String) -> Result<StepFileName, Problem> {
        let example = "name it like '04-train.step': a number (steps run in number order), '-', then the step's name"
        guard fileName.hasSuffix(fileExtension) else {
            return .failure(Problem(reason: "'\(fileName)' is not a step file; \(example)"))
        }
        let stem = fileName.dropLast(fileExtension.count)
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, let number = Int(digits) else {
            return .failure(Problem(reason: "step file '\(fileName)' has no number; \(example)"))
        }
        let rest = stem.dropFirst(digits.count)
        guard rest.first == "-" else {
            return .failure(Problem(reason: "step file '\(fileName)' needs a '-' between its number and name; \(example)"))
        }
        let name = String(rest.dropFirst())
        guard let first = name.unicodeScalars.first, first.isASCIILetter,
              name.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
        else {
            return .failure(Problem(reason: "step file '\(fileName)' has an invalid step name '\(name)': start it with a letter "
                                + "and use only letters, digits, '-' and '_'"))
        }
        return .success(StepFileName(number: number, name: name))
    }
}
