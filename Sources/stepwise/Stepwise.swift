import ArgumentParser

@main
struct Stepwise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepwise",
        abstract: "Run the MNIST digit-classifier workflows: train, retrain from feedback, predict.",
        version: "0.1.0",
        subcommands: [Bench.self]
    )
}
