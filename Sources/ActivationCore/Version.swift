import Foundation

/// The tool's identity.
public enum ActivationDiscovery {
    public static let version = "0.1.0"
}
