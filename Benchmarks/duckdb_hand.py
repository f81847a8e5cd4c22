"""The first-window table as a DuckDB user writes it by hand: typed read_csv (explicit column types and timestamp
format, no casts through text), join the customers, keep the rows from signup on, group by. Same table as
`activation run` writes as first_window_daily.csv (customer_id, behaviour, day, events, users; day 0-29 = the first
window's days, day 30 = days 30-89, day 90 = day 90 or later; users = distinct users of the customer's behaviour in
the window, on the window's rows; data_end is left out).

usage: duckdb_hand.py <customers.csv> <events file or glob> <out.csv> <has_user 0|1> <has_count 0|1> [window]
"""
import sys
import duckdb

customers, events, out, has_user, has_count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5] == "1"
window = int(sys.argv[6]) if len(sys.argv) > 6 else 30
horizon = max(window, 90)
columns = {"customer_id": "VARCHAR", "event": "VARCHAR", "timestamp": "TIMESTAMP"}
if has_user:
    columns["user_id"] = "VARCHAR"
if has_count:
    columns["count"] = "BIGINT"
cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
events_expr = "sum(coalesce(\"count\", 1))" if has_count else "count(*)"
users_expr = f"CASE WHEN d.day < {window} THEN u.users END" if has_user else "NULL"
user_col = "e.user_id" if has_user else "NULL AS user_id"
count_col = 'e."count"' if has_count else '1 AS "count"'
users_cte = f", u AS (SELECT customer_id, behaviour, count(DISTINCT user_id) AS users FROM t WHERE day < {window} GROUP BY ALL)" if has_user else ""
users_join = "LEFT JOIN u USING (customer_id, behaviour)" if has_user else ""

sql = f"""
COPY (
  WITH c AS (
    SELECT customer_id, CAST(signup_date AS TIMESTAMP) AS window_start
    FROM read_csv('{customers}', header = true,
                  columns = {{'customer_id': 'VARCHAR', 'signup_date': 'DATE', 'renewed': 'VARCHAR',
                             'segment': 'VARCHAR', 'acv': 'VARCHAR'}})
  ),
  e AS (
    SELECT e.customer_id, e.event AS behaviour, {user_col}, {count_col},
           epoch(e."timestamp") - epoch(c.window_start) AS off
    FROM read_csv('{events}', header = true, columns = {cols}, timestampformat = '%Y-%m-%dT%H:%M:%SZ') e
    JOIN c USING (customer_id)
    WHERE e."timestamp" >= c.window_start
  ),
  t AS MATERIALIZED (
    SELECT customer_id, behaviour, user_id, "count",
           CASE WHEN off < {window} * 86400 THEN CAST(floor(off / 86400) AS BIGINT)
                WHEN off < {horizon} * 86400 THEN {window} ELSE {horizon} END AS day
    FROM e
  ),
  d AS (SELECT customer_id, behaviour, day, {events_expr} AS events FROM t GROUP BY ALL)
  {users_cte}
  SELECT d.customer_id, d.behaviour, d.day, d.events, {users_expr} AS users
  FROM d {users_join}
  WHERE d.events > 0
) TO '{out}' (HEADER, DELIMITER ',')
"""
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(sql)
