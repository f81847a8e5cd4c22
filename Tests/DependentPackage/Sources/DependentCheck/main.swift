import Foundation
import ActivationPipeline
import ActivationReport

// Runs the pipeline on the files named on the command line through the public API only, and prints the proposal.
let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    print("usage: DependentCheck CUSTOMERS EVENTS OUT")
    exit(64)
}
let configuration = PipelineConfiguration(customersPath: arguments[1], eventPaths: [arguments[2]], outputDirectory: arguments[3])
let result = try Pipeline.run(configuration)
print(result.proposal.chosen?.candidate.rule ?? "no proposal")
