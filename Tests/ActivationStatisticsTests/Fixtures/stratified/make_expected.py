# Reference answers for Mantel-Haenszel / Breslow-Day from statsmodels (run once; the numbers are committed).
import json, numpy as np, statsmodels, scipy
from statsmodels.stats.contingency_tables import StratifiedTable
from scipy.stats import chi2
cases = {
  # tables as [[reached_renewed, reached_churned], [not_reached_renewed, not_reached_churned]]
  "homogeneous": [[[40, 5], [30, 25]], [[80, 12], [50, 40]], [[20, 4], [10, 9]]],
  "heterogeneous": [[[40, 5], [30, 25]], [[20, 20], [22, 18]], [[30, 3], [5, 12]]],
  "with_empty_stratum": [[[15, 2], [10, 12]], [[0, 0], [5, 5]], [[25, 6], [14, 13]]],
}
out = {"generated_by": {"statsmodels": statsmodels.__version__, "scipy": scipy.__version__}, "cases": {}}
for name, tables in cases.items():
    informative = [t for t in tables if min(np.array(t).sum(axis=0).min(), np.array(t).sum(axis=1).min()) > 0]
    st = StratifiedTable([np.array(t, dtype=float) for t in informative])
    ci = st.oddsratio_pooled_confint(alpha=0.05)
    bd = st.test_equal_odds(adjust=False)
    out["cases"][name] = {"tables": tables, "mh_odds_ratio": st.oddsratio_pooled, "mh_ci": [ci[0], ci[1]],
                          "breslow_day_statistic": bd.statistic, "breslow_day_p": bd.pvalue,
                          "df": len(informative) - 1}
out["chi2_sf"] = [{"x": x, "df": k, "p": float(chi2.sf(x, k))} for x, k in [(0.5, 1), (3.84, 1), (10.0, 2), (25.0, 4), (1e-3, 3), (60.0, 7), (2.0, 10)]]
print(json.dumps(out, indent=1))
