import Datasets
import Foundation
import Imaging
import Testing

/// predict, feedback and retrain through the real binary, on a model trained on small synthetic data.
@Suite("predict, feedback and retrain (synthetic data)")
struct FeedbackLoopTests {
    /// A test digit of `data` drawn the way an upload might be: dark ink on light paper, 3x larger, off-centre.
    static func upload(_ index: Int, from data: URL, to url: URL) throws -> Int {
        let test = try MNIST.load(directory: data, split: .test, limit: index + 1)
        let digit = Array(test.image(index))
        var canvas = GrayImage(width: 120, height: 100, pixels: [UInt8](repeating: 235, count: 120 * 100))
        for y in 0..<84 {
            for x in 0..<84 {
                let ink = digit[(y / 3) * 28 + x / 3]
                canvas[x + 30, y + 8] = 235 - UInt8(Int(ink) * 220 / 255)
            }
        }
        try PNG.write(canvas, to: url)
        return Int(test.labels[index])
    }

    @Test func predictFeedbackRetrain() throws {
        let project = try ScratchProject()
        let trained = try project.stepwise(["run", "train"] + smallTrainRun)
        try #require(trained.status == 0, "\(trained.stderr)")

        // predict --json: one object per image with the contract's fields; a bad file is reported, the rest classified.
        let images = (0..<3).map { project.url("upload-\($0).png") }
        let labels = try images.enumerated().map { try Self.upload($0.offset, from: project.data.directory, to: $0.element) }
        let bogus = project.url("notes.png")
        try Data("this is text".utf8).write(to: bogus)
        let predicted = try project.stepwise(["predict", "--json"] + images.map(\.path) + [bogus.path])
        #expect(predicted.status == 1)
        #expect(predicted.stderr.contains("notes.png"))
        #expect(predicted.stderr.contains("not a PNG"))
        let objects = try predicted.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 3)
        for (object, url) in zip(objects, images) {
            #expect(object["file"] as? String == url.path)
            #expect((object["probabilities"] as? [Double])?.count == 10)
            #expect((object["top3"] as? [[String: Any]])?.count == 3)
            let label = try #require(object["label"] as? Int)
            let confidence = try #require(object["confidence"] as? Double)
            #expect((0...9).contains(label) && (0...1).contains(confidence))
        }

        // A JPEG of the same upload reads the same way; --explain writes the 28x28 the model saw for each input,
        // named from the input (the second upload-0 gets -2).
        let png = try ImageFile.read(contentsOf: images[0])
        let jpeg = project.url("upload-0.jpg")
        try JPEG.encode(gray: png.pixels, width: png.width, height: png.height, quality: 85).write(to: jpeg)
        let seen = project.url("seen")
        let explained = try project.stepwise(["predict", "--json", "--explain", seen.path, images[0].path, jpeg.path])
        #expect(explained.status == 0, "\(explained.stderr)")
        let both = try explained.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(both.map { $0["explained"] as? String } == [seen.appendingPathComponent("upload-0.png").path,
                                                            seen.appendingPathComponent("upload-0-2.png").path])
        #expect(both[0]["label"] as? Int == both[1]["label"] as? Int)
        for name in ["upload-0.png", "upload-0-2.png"] {
            let image = try ImageFile.read(contentsOf: seen.appendingPathComponent(name))
            #expect(image.width == 28 && image.height == 28 && image.pixels.max() == 255)
        }
        let jpegFeedback = try project.stepwise(["feedback", jpeg.path, "--label", String(labels[0]), "--predicted", String((labels[0] + 1) % 10),
                                                 "--folder", project.url("jpeg-feedback").path])
        #expect(jpegFeedback.status == 0, "\(jpegFeedback.stderr)")
        let jpegEntries = try FileManager.default.contentsOfDirectory(atPath: project.url("jpeg-feedback").path).filter { !$0.hasPrefix(".") }
        #expect(jpegEntries.count == 1)
        if let entry = jpegEntries.first {
            let files = try FileManager.default.contentsOfDirectory(atPath: project.url("jpeg-feedback/\(entry)").path)
            #expect(files.sorted() == ["digit.png", "original.jpg", "record.json"])
        }

        // feedback: stored once, with its record; the same image again is not stored twice.
        let wrong = (labels[0] + 1) % 10
        let stored = try project.stepwise(["feedback", images[0].path, "--label", String(labels[0]), "--predicted", String(wrong)])
        #expect(stored.status == 0, "\(stored.stderr)")
        let again = try project.stepwise(["feedback", images[0].path, "--label", String(labels[0]), "--predicted", String(wrong)])
        #expect(again.stdout.contains("already stored"))
        let folder = project.url("incorrect_predictions")
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        #expect(entries.count == 1)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(entries[0]).appendingPathComponent("record.json"))) as? [String: Any]
        #expect(record?["true_label"] as? Int == labels[0])
        #expect(record?["predicted_label"] as? Int == wrong)
        #expect(PNG.decodeIfPossible(folder.appendingPathComponent(entries[0]).appendingPathComponent("digit.png"))?.width == 28)

        // Two feedback commands at the same moment both land.
        let racers = [1, 2].map { i in
            let p = CLI.process(["feedback", images[i].path, "--label", String(labels[i]), "--predicted", String((labels[i] + 3) % 10)],
                                in: project.root)
            p.standardOutput = FileHandle.nullDevice
            return p
        }
        for p in racers { try p.run() }
        for p in racers { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.count == 3)

        // A damaged file in the folder is skipped and reported, never fatal.
        try Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2]).write(to: folder.appendingPathComponent("broken_true3.png"))
        let retrain = ["--set", "load.limit=700", "--set", "load.test_limit=300", "--set", "augment-with-feedback.replay=300",
                       "--set", "augment-with-feedback.oversample=8", "--set", "finetune.epochs=1"]
        let first = try project.stepwise(["run", "retrain"] + retrain)
        #expect(first.status == 0, "\(first.stderr)")
        let report = try project.read("Outputs/retrain/report.md")
        #expect(report.contains("broken_true3.png"))
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: project.url("Outputs/retrain/metrics.json"))) as? [String: Any]
        #expect(metrics?["test_accuracy"] is Double)

        // Nothing new since: the next retrain is a no-op.
        let second = try project.stepwise(["run", "retrain"] + retrain)
        #expect(second.status == 0)
        #expect(second.stderr.contains("nothing new"), "\(second.stderr)")
        // Other settings are not "nothing new": the retrain runs.
        let changed = try project.stepwise(["run", "retrain"] + retrain.map { $0 == "finetune.epochs=1" ? "finetune.epochs=2" : $0 })
        #expect(changed.status == 0)
        #expect(!changed.stderr.contains("nothing new"))
        #expect(changed.stderr.contains("finetune: running"))
    }
}

extension PNG {
    static func decodeIfPossible(_ url: URL) -> GrayImage? {
        try? read(contentsOf: url)
    }
}
