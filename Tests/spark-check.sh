#!/usr/bin/env bash
# make test-spark: the feature stage as Spark SQL (local mode) on SampleData, compared with the Swift stage.
# usage: Tests/spark-check.sh <python with pyspark>
set -euo pipefail
python="$1"
bin=.build/release/activation
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" run --config SampleData/activation.toml --out "$work/swift" 2>/dev/null
"$bin" sql --dialect spark --config SampleData/activation.toml > "$work/features.sql"
start=$(date +%s)
"$python" Tests/EndToEndTests/Fixtures/run_feature_sql.py spark "$work/features.sql" \
    SampleData/customers.csv "SampleData/events/*.csv" "$work/spark-parts"
echo "spark: $(( $(date +%s) - start )) s, $(ls "$work"/spark-parts/part-*.csv | wc -l) part files"

# The same rows, value for value (Spark writes headerless part files in no particular order).
tail -n +2 "$work/swift/latest/first_window_daily.csv" | sort > "$work/swift.sorted"
cat "$work"/spark-parts/part-*.csv | sort > "$work/spark.sorted"
if ! cmp -s "$work/swift.sorted" "$work/spark.sorted"; then
    echo "FAIL: Spark's feature table differs from the Swift stage's:"; diff "$work/swift.sorted" "$work/spark.sorted" | head -20; exit 1
fi
echo "feature table: identical ($(wc -l < "$work/swift.sorted") rows)"

# The pipeline from the part files: the same report but for the section describing its inputs.
"$bin" run --config SampleData/activation.toml --features "$work/spark-parts" --out "$work/spark" 2>/dev/null
for f in behaviours.csv thresholds.csv features.csv at_risk.csv first_window_daily.csv; do
    cmp "$work/swift/latest/$f" "$work/spark/latest/$f"
done
strip() { sed '/^### The data/,$d' "$1"; }
if ! diff <(strip "$work/swift/latest/activation-report.md") <(strip "$work/spark/latest/activation-report.md") > /dev/null; then
    echo "FAIL: the reports differ"; exit 1
fi
echo "report: identical up to the data accounting section; data files identical"
echo "test-spark: passed"
