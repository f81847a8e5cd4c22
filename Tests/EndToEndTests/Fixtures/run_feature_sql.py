"""Runs the SQL printed by `activation sql` on CSV files, as a warehouse would, and writes the result as CSV.

usage: run_feature_sql.py duckdb <query.sql> <customers.csv> <events glob> <out.csv>         (every column as text)
       run_feature_sql.py duckdb-typed <query.sql> <customers.csv> <events glob> <out.csv>   (types as DuckDB detects them)
       run_feature_sql.py duckdb-timestamp <query.sql> <customers.csv> <events glob> <out.csv>  (timestamps as TIMESTAMP, naive UTC)
       run_feature_sql.py spark  <query.sql> <customers.csv> <events glob> <out dir>   (part files, no header)
"""
import sys

engine, sql_path, customers, events, out = sys.argv[1:6]
text = open(sql_path).read()
statements = [s.strip() for s in text.split(";")]
statements = [s for s in statements if any(l.strip() and not l.strip().startswith("--") for l in s.splitlines())]
*setup, query = statements

if engine in ("duckdb", "duckdb-typed", "duckdb-timestamp"):
    import duckdb
    text_columns = "true" if engine == "duckdb" else "false"
    con = duckdb.connect()
    con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv('{customers}', header=true, all_varchar={text_columns})")
    if engine == "duckdb-timestamp":
        con.execute(f"""CREATE VIEW events AS SELECT * FROM read_csv('{events}', header=true, union_by_name=true,
                        types={{'timestamp': 'TIMESTAMP'}}, timestampformat='%Y-%m-%dT%H:%M:%SZ')""")
        kind = con.execute("SELECT typeof(\"timestamp\") FROM events LIMIT 1").fetchone()[0]
        if kind != "TIMESTAMP":
            sys.exit(f"timestamps read as {kind}, not as TIMESTAMP")
    else:
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_csv('{events}', header=true, all_varchar={text_columns}, union_by_name=true)")
    if engine == "duckdb-typed":
        # The typed path is the point of this engine: the timestamps must have been read as timestamps.
        kind = con.execute("SELECT typeof(\"timestamp\") FROM events LIMIT 1").fetchone()[0]
        if not kind.startswith("TIMESTAMP"):
            sys.exit(f"timestamps detected as {kind}, not as timestamps")
    for s in setup:
        con.execute(s)
    con.execute(f"COPY ({query}) TO '{out}' (HEADER, DELIMITER ',')")
elif engine == "spark":
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.master("local[2]").appName("activation-features") \
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.read.csv(customers, header=True).createOrReplaceTempView("customers")
    spark.read.csv(events, header=True).createOrReplaceTempView("events")
    for s in setup:
        spark.sql(s)
    # Part files without a header, as Spark jobs usually write them; `activation run --features <dir>` reads them.
    spark.sql(query).write.mode("overwrite").option("header", "false").csv(out)
    spark.stop()
else:
    sys.exit(f"unknown engine {engine}")
