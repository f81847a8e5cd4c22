/// The follow-up rule, defined once for every stage: past the first window, activity is kept in two counts per
/// customer and behaviour, "to the horizon" and "after it", so that activation rates "within 90 days" and "ever" can
/// be reported while memory stays customers × behaviours. The horizon is day 90 from signup, or the window's end when
/// the window is longer.
package enum FollowUp {
    /// The longer horizon activation rates are reported at, besides the first window and "ever".
    package static let days = 90

    /// Days since signup that the first follow-up count covers: `max(windowDays, 90)`. Day `horizon` itself and
    /// later fall in the second count.
    package static func horizon(windowDays: Int) -> Int { max(windowDays, days) }
}
