import ActivationAnalysis
import ActivationStatistics
import Testing

@Suite("Driver model: the lasso's folds and the joint fit share one pool")
struct DriverPoolTests {
    @Test(arguments: [1, 2, 5, 10, 11])
    func everyTaskComesBackInTaskOrderWithTheJointFit(tasks: Int) {
        let joint = LogisticRegression().fit(x: [[0], [1], [0], [1], [2], [0]], y: [false, true, true, false, true, false])
        let (byTask, other) = DriverModel.crossValidationPool(tasks: tasks, fold: { t in [Double(t), Double(t) / 2] },
                                                             alongside: { (joint, false) })
        #expect(byTask == (0..<tasks).map { [Double($0), Double($0) / 2] })
        #expect(other?.fit == joint)
        #expect(other?.penalised == false)
    }
}
