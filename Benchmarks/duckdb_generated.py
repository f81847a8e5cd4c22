"""The SQL that `activation sql --dialect duckdb` prints, run on DuckDB as a warehouse would hold the exports: views
over the CSV files with every column as text (what the generated SQL is written for), 2 threads.

usage: duckdb_generated.py <query.sql> <customers.csv> <events file or glob> <out.csv>
"""
import sys
import duckdb

sql_path, customers, events, out = sys.argv[1:5]
text = open(sql_path).read()
statements = [s.strip() for s in text.split(";")]
statements = [s for s in statements if any(l.strip() and not l.strip().startswith("--") for l in s.splitlines())]
*setup, query = statements
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv('{customers}', header=true, all_varchar=true)")
con.execute(f"CREATE VIEW events AS SELECT * FROM read_csv('{events}', header=true, all_varchar=true, union_by_name=true)")
for s in setup:
    con.execute(s)
con.execute(f"COPY ({query}) TO '{out}' (HEADER, DELIMITER ',')")
