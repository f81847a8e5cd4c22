"""What a data team would write by hand: pandas for the first-window table, scikit-learn for per-behaviour logistic
fits and AUCs. Writes customer_id,behaviour,day,events,users (the same table as `activation run`'s
first_window_daily.csv without data_end: days 0-29, day 30 = days 30-89, day 90 = later; users = distinct users of
the customer's behaviour in the window) for the checksum. Columns user_id and count are used when the export has them.

usage: pandas_features.py <customers.csv> <events glob> <out.csv> [window]
"""
import glob, sys, time
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

customers_path, events_glob, out = sys.argv[1], sys.argv[2], sys.argv[3]
window = int(sys.argv[4]) if len(sys.argv) > 4 else 30
horizon = max(window, 90)
t0 = time.time()
customers = pd.read_csv(customers_path, dtype={"customer_id": str, "renewed": str, "segment": str})
customers["start"] = pd.to_datetime(customers["signup_date"], utc=True)
events = pd.concat((pd.read_csv(f, dtype={"customer_id": str, "event": str, "timestamp": str, "user_id": str})
                    for f in sorted(glob.glob(events_glob))), ignore_index=True)
events["ts"] = pd.to_datetime(events["timestamp"], utc=True, format="ISO8601")
events["count"] = pd.to_numeric(events["count"]).fillna(1).astype("int64") if "count" in events else 1
df = events.merge(customers[["customer_id", "start"]], on="customer_id", how="inner")
offset = (df["ts"].dt.floor("s") - df["start"]).dt.total_seconds()
df = df[offset >= 0].copy()
offset = offset[df.index]
df["day"] = np.where(offset < window * 86400, offset // 86400, np.where(offset < horizon * 86400, window, horizon)).astype("int64")
daily = df.groupby(["customer_id", "event", "day"], sort=True)["count"].sum().reset_index(name="events")
first = df[df["day"] < window]
if "user_id" in df:
    users = first.groupby(["customer_id", "event"])["user_id"].nunique().reset_index(name="users")
    daily = daily.merge(users, on=["customer_id", "event"], how="left")
    daily["users"] = daily["users"].where(daily["day"] < window).astype("Int64")
else:
    daily["users"] = pd.array([pd.NA] * len(daily), dtype="Int64")
daily = daily[daily["events"] > 0].rename(columns={"event": "behaviour"})
daily.to_csv(out, header=True, index=False)
t1 = time.time()

# Per behaviour: logit of renewal on log1p(first-window count) over decided customers, and its AUC.
decided = customers[customers["renewed"].isin(["yes", "no"])][["customer_id", "renewed"]]
y = (decided["renewed"] == "yes").to_numpy()
counts = first.groupby(["customer_id", "event"])["count"].sum().unstack(fill_value=0)
counts = counts.reindex(decided["customer_id"], fill_value=0)
aucs = {}
for behaviour in counts.columns:
    x = np.log1p(counts[behaviour].to_numpy()).reshape(-1, 1)
    model = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    aucs[behaviour] = roc_auc_score(y, model.decision_function(x))
t2 = time.time()
print(f"pandas table {t1 - t0:.1f} s, sklearn fits {t2 - t1:.1f} s, {len(daily)} rows, {len(aucs)} behaviours")
