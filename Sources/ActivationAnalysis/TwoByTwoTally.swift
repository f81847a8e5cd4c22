import ActivationStatistics

extension TwoByTwoTable {
    /// The 2×2 table of `customers`: reached the rule or not, against renewed or churned. Every customer of the
    /// group counts once; callers pass decided customers only.
    package init(tallying customers: some Sequence<Int>, reached: (Int) -> Bool, renewed: (Int) -> Bool) {
        var a = 0, b = 0, c = 0, d = 0
        for i in customers {
            switch (reached(i), renewed(i)) {
            case (true, true): a += 1
            case (true, false): b += 1
            case (false, true): c += 1
            case (false, false): d += 1
            }
        }
        self.init(reachedRenewed: a, reachedChurned: b, notReachedRenewed: c, notReachedChurned: d)
    }
}
