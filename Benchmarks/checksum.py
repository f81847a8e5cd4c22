"""The canonical checksum of a first-window table: the rows customer_id,behaviour,day,events,users (integers
without decimals, users empty where there is none; data_end left out), sorted by customer_id, behaviour (bytes) and
day, as one CSV without header; its SHA-256 (first 16 hex digits) and the row counts, in and out of the window.
The same as `sort -t, -k1,1 -k2,2 -k3,3n | sha256sum` over those lines. Prints: checksum rows window_rows.

usage: checksum.py <table.csv> <has_header 0|1>
"""
import hashlib, os, sys, tempfile
import duckdb

path, header = sys.argv[1], sys.argv[2] == "1"
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"""CREATE VIEW t AS SELECT column0 AS c, column1 AS b, CAST(CAST(column2 AS DOUBLE) AS BIGINT) AS d,
                CAST(CAST(column3 AS DOUBLE) AS BIGINT) AS e,
                COALESCE(CAST(CAST(CAST(NULLIF(column4, '') AS DOUBLE) AS BIGINT) AS VARCHAR), '') AS u
                FROM read_csv('{path}', header = {str(header).lower()}, all_varchar = true, auto_detect = false,
                              columns = {{'column0': 'VARCHAR', 'column1': 'VARCHAR', 'column2': 'VARCHAR',
                                         'column3': 'VARCHAR', 'column4': 'VARCHAR', 'column5': 'VARCHAR'}},
                              null_padding = true)""")
fd, tmp = tempfile.mkstemp(suffix=".csv")
os.close(fd)
con.execute(f"COPY (SELECT c, b, d, e, u FROM t ORDER BY c, b, d) TO '{tmp}' (HEADER false, DELIMITER ',', QUOTE '', ESCAPE '')")
rows, window = con.execute("SELECT count(*), count(*) FILTER (WHERE d < 30) FROM t").fetchone()
h = hashlib.sha256()
with open(tmp, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
os.unlink(tmp)
print(h.hexdigest()[:16], rows, window)
