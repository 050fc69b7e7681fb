import Foundation

/// A sweep as a Kubernetes Indexed Job: `completions` is the number of points, each pod runs
/// `stepwise sweep … --point $JOB_COMPLETION_INDEX` in the project folder, mounted from a persistent volume
/// claim every pod shares (Outputs/ and its cache on it), at most `jobs` pods at once. A failed point does not
/// stop the others (`backoffLimitPerIndex: 0`, `maxFailedIndexes` = all). Kubernetes has no dependent job: once
/// the Job has ended, `stepwise sweep … --id <id> --report` writes the report (the manifest's comment says so).
public struct KubernetesSweep: Sendable {
    public let sweep: Sweep
    public let image: String
    public let claim: String
    public let jobs: Int?
    /// Where the claim is mounted in the pods: the project folder.
    public static let mountPath = "/project"

    public init(sweep: Sweep, image: String, claim: String, jobs: Int?) {
        self.sweep = sweep
        self.image = image
        self.claim = claim
        self.jobs = jobs
    }

    /// A DNS-1123 name: lower case, digits and '-', at most 63 characters.
    var jobName: String {
        let raw = "stepwise-sweep-\(sweep.workflowName)-\(sweep.id)".lowercased()
            .map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(String(raw).prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// A YAML double-quoted string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public var manifest: String {
        // In the pod, the project is the mount; --project given to this command would name a path on this machine.
        var options = sweep.options
        options.projectFlag = nil
        let inPod = try? Sweep(projectRoot: sweep.projectRoot, options: options, id: sweep.id)
        let words = ["stepwise"] + (inPod ?? sweep).arguments(point: nil).dropLast()
        let command = words.map(RunOptions.shellQuoted).joined(separator: " ") + " --point \"$JOB_COMPLETION_INDEX\""
        let report = words.map(RunOptions.shellQuoted).joined(separator: " ") + " --report"
        let count = sweep.grid.count
        return """
            # Sweep \(sweep.id) of \(sweep.workflowName): \(count) points, one per completion index.
            # kubectl apply -f this file; when the Job has ended, write the report (in the project folder):
            #   \(report)
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: \(jobName)
              labels:
                app.kubernetes.io/name: stepwise
                stepwise/sweep: \(Self.quoted(sweep.id))
            spec:
              completionMode: Indexed
              completions: \(count)
              parallelism: \(jobs ?? count)
              backoffLimitPerIndex: 0
              maxFailedIndexes: \(count)
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: point
                      image: \(Self.quoted(image))
                      workingDir: \(Self.mountPath)
                      command: ["/bin/sh", "-c", \(Self.quoted("exec " + command))]
                      resources:
                        requests:
                          cpu: \(Self.quoted(String(sweep.options.threads)))
                      volumeMounts:
                        - name: project
                          mountPath: \(Self.mountPath)
                  volumes:
                    - name: project
                      persistentVolumeClaim:
                        claimName: \(Self.quoted(claim))

            """
    }
}
