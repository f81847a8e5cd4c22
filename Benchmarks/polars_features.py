"""The first-window table with Polars, lazy and streaming, as a Polars user writes it: scan_csv with a schema, the
timestamp parsed with its explicit format, join the customers, keep the rows from signup on, group by; the result
streamed to CSV. Same table as duckdb_hand.py (see there). POLARS_MAX_THREADS is set to 2 by bench.sh.

usage: polars_features.py <customers.csv> <events file or glob> <out.csv> <has_user 0|1> <has_count 0|1> [window]
"""
import sys
import polars as pl

customers, events, out, has_user, has_count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5] == "1"
window = int(sys.argv[6]) if len(sys.argv) > 6 else 30
horizon = max(window, 90)
schema = {"customer_id": pl.String, "event": pl.String, "timestamp": pl.String}
if has_user:
    schema["user_id"] = pl.String
if has_count:
    schema["count"] = pl.Int64

c = (pl.scan_csv(customers, schema={"customer_id": pl.String, "signup_date": pl.Date, "renewed": pl.String,
                                     "segment": pl.String, "acv": pl.String})
     .select("customer_id", pl.col("signup_date").cast(pl.Datetime("us")).alias("window_start")))
e = (pl.scan_csv(events, schema=schema)
     .with_columns(pl.col("timestamp").str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%SZ"))
     .join(c, on="customer_id", how="inner")
     .with_columns(((pl.col("timestamp") - pl.col("window_start")).dt.total_seconds()).alias("off"))
     .filter(pl.col("off") >= 0)
     .with_columns(pl.when(pl.col("off") < window * 86400).then(pl.col("off") // 86400)
                   .when(pl.col("off") < horizon * 86400).then(pl.lit(window))
                   .otherwise(pl.lit(horizon)).cast(pl.Int64).alias("day")))
n = pl.col("count").fill_null(1).sum() if has_count else pl.len()
daily = e.group_by("customer_id", "event", "day").agg(n.cast(pl.Int64).alias("events"))
if has_user:
    users = (e.filter(pl.col("day") < window).group_by("customer_id", "event")
             .agg(pl.col("user_id").drop_nulls().n_unique().alias("users")))
    daily = (daily.join(users, on=["customer_id", "event"], how="left")
             .with_columns(pl.when(pl.col("day") < window).then(pl.col("users")).alias("users")))
else:
    daily = daily.with_columns(pl.lit(None, dtype=pl.Int64).alias("users"))
(daily.filter(pl.col("events") > 0)
 .select("customer_id", pl.col("event").alias("behaviour"), "day", "events", "users")
 .sink_csv(out, engine="streaming"))
