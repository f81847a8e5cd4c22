"""The SQL that `activation sql --dialect duckdb` prints, run on DuckDB as a warehouse holds the exports: typed
tables (here views over the CSV files with the column types and timestamp format the hand-written query reads them
with, Benchmarks/duckdb_hand.py), 2 threads. Both queries then start from the same typed rows, so the ratio between
them is the cost of the generated query itself.

usage: duckdb_generated.py <query.sql> <customers.csv> <events file or glob> <out.csv> <has_user 0|1> <has_count 0|1>
"""
import sys
import duckdb

sql_path, customers, events, out = sys.argv[1:5]
has_user, has_count = sys.argv[5] == "1", sys.argv[6] == "1"
text = open(sql_path).read()
statements = [s.strip() for s in text.split(";")]
statements = [s for s in statements if any(l.strip() and not l.strip().startswith("--") for l in s.splitlines())]
*setup, query = statements
columns = {"customer_id": "VARCHAR", "event": "VARCHAR", "timestamp": "TIMESTAMP"}
if has_user:
    columns["user_id"] = "VARCHAR"
if has_count:
    columns["count"] = "BIGINT"
cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"""CREATE VIEW customers AS SELECT * FROM read_csv('{customers}', header = true,
                columns = {{'customer_id': 'VARCHAR', 'signup_date': 'DATE', 'renewed': 'VARCHAR',
                           'segment': 'VARCHAR', 'acv': 'VARCHAR'}})""")
con.execute(f"""CREATE VIEW events AS SELECT * FROM read_csv('{events}', header = true, columns = {cols},
                timestampformat = '%Y-%m-%dT%H:%M:%SZ')""")
for s in setup:
    con.execute(s)
con.execute(f"COPY ({query}) TO '{out}' (HEADER, DELIMITER ',')")
