import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationPipeline

extension DataFiles {
    /// `drivers.csv`: one row per behaviour of the joint driver model, in the feature table's order.
    public static func drivers(_ result: PipelineResult) -> String {
        var csv = CSVWriter(header: ["behaviour", "group", "role", "joint_coef", "joint_ci_low", "joint_ci_high", "joint_p",
                                     "l1_coef", "univariate_coef", "pooled_auc", "stratified_auc", "correlated_with", "window_days", "joint_p_holm"])
        let model = result.drivers
        for e in model.estimates {
            csv.row([e.behaviour, e.groupLead, e.role.rawValue, Format.exact(e.jointCoefficient),
                     Format.exact(e.jointInterval?.lowerBound), Format.exact(e.jointInterval?.upperBound), Format.exact(e.jointPValue),
                     Format.exact(e.l1Coefficient), Format.exact(e.univariateCoefficient), Format.exact(e.pooledAUC.auc),
                     Format.exact(e.stratifiedAUC), e.correlatedWith.joined(separator: ";"), String(model.windowDays),
                     Format.exact(e.jointPAdjusted)])
        }
        return csv.text
    }
}
