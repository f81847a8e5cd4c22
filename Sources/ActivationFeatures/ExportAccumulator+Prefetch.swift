import ActivationIngest

/// An export's accumulator starts loading a customer's follow-up counts when the reader sees the customer a few
/// rows ahead (most export rows are follow-up rows, and that increment was their last cache miss).
extension ExportAccumulator: PrefetchingEventSink {}
