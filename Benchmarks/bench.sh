#!/usr/bin/env bash
# make bench: Activation Discovery against the I/O floor (cat), the parser ceiling (libcsv alone), DuckDB and
# pandas + scikit-learn, on the same generated export set, one after another. Never part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
ACCOUNTS=${ACCOUNTS:-80000}
FOLLOW_UP=${FOLLOW_UP:-400}
DATA=Benchmarks/data
VENV=Benchmarks/.venv
BIN=.build/release/activation
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The export set, generated once by the project's own generator (git-ignored).
if [ ! -f "$DATA/.complete-$ACCOUNTS-$FOLLOW_UP" ]; then
    rm -rf "$DATA"
    echo "generating $ACCOUNTS accounts x $FOLLOW_UP days of events into $DATA (once)..."
    "$BIN" sample --out "$DATA" --accounts "$ACCOUNTS" --follow-up-days "$FOLLOW_UP" --no-dirty
    touch "$DATA/.complete-$ACCOUNTS-$FOLLOW_UP"
fi
# The same customers with 4x the events: every export linked four times (hard links, so they are distinct files).
if [ ! -d "$DATA/events4x" ]; then
    mkdir -p "$DATA/events4x"
    for f in "$DATA"/events/*.csv; do for k in 1 2 3 4; do ln "$f" "$DATA/events4x/$k-$(basename "$f")"; done; done
fi
# One export holding every month (one header): the within-file split across both cores.
if [ ! -f "$DATA/single/all.csv" ]; then
    mkdir -p "$DATA/single"
    first=1
    for f in "$DATA"/events/*.csv; do
        if [ $first = 1 ]; then cat "$f"; first=0; else tail -n +2 "$f"; fi
    done > "$DATA/single/all.csv.tmp"
    mv "$DATA/single/all.csv.tmp" "$DATA/single/all.csv"
fi
bytes=$(cat "$DATA"/events/*.csv | wc -c)
rows=$(( $(cat "$DATA"/events/*.csv | wc -l) - $(ls "$DATA"/events/*.csv | wc -l) ))
mb=$(python3 -c "print(round($bytes / 1e6, 1))")

# 2. The competitors: DuckDB, pandas and scikit-learn from PyPI in a private virtual environment; libcsv alone in C.
if [ ! -f "$VENV/.ready" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q duckdb==2.0.0 pandas==2.2.3 scikit-learn==1.5.2
    touch "$VENV/.ready"
fi
gcc -O2 -o "$work/csvparse" Benchmarks/csvparse.c -lcsv
"$BIN" sql --dialect duckdb --window-days 30 > "$work/features.sql"

# 3. Each command RUNS times: wall seconds and peak RSS (KiB) from GNU time; the median is reported.
measure() {
    local name=$1; shift
    : > "$work/$name.times"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/$name.out" 2> "$work/$name.err" || { cat "$work/$name.err"; exit 1; }
        cat "$work/time" >> "$work/$name.times"
    done
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall() { cut -d' ' -f1 "$work/$1.times" | median; }
rss() { cut -d' ' -f2 "$work/$1.times" | median; }

cat "$DATA"/events/*.csv > /dev/null  # warm the page cache
echo "measuring ($RUNS runs each) on $mb MB, $rows event rows..."
measure cat cat "$DATA"/events/*.csv
measure libcsv "$work/csvparse" "$DATA"/events/*.csv
measure activation "$BIN" run --no-cache --customers "$DATA/customers.csv" --events "$DATA/events" --out "$work/ours"
measure activation4x "$BIN" run --no-cache --customers "$DATA/customers.csv" --events "$DATA/events4x" --out "$work/ours4x"
measure single "$BIN" run --no-cache --customers "$DATA/customers.csv" --events "$DATA/single/all.csv" --out "$work/single"
measure libcsv1 "$work/csvparse" "$DATA/single/all.csv"
# Incremental nightly: the cache filled by a run over every month but the last, then the last month added.
: > "$work/incremental.times"; : > "$work/warm.times"
last=$(ls "$DATA"/events/*.csv | tail -1)
for _ in $(seq "$RUNS"); do
    rm -rf "$work/inc"; mkdir -p "$work/inc/events"
    for f in "$DATA"/events/*.csv; do [ "$f" = "$last" ] || ln "$f" "$work/inc/events/"; done
    # Linking changes the files' status-change time; a nightly job's exports were written long before it runs, so
    # let them settle (FingerprintMemo trusts a remembered SHA-256 only for files unchanged 2 s before hashing).
    sleep 3
    "$BIN" run --customers "$DATA/customers.csv" --events "$work/inc/events" --out "$work/inc/out" 2> /dev/null
    ln "$last" "$work/inc/events/"
    /usr/bin/time -f "%e %M" -o "$work/time" "$BIN" run --customers "$DATA/customers.csv" --events "$work/inc/events" --out "$work/inc/out" 2> "$work/incremental.err"
    cat "$work/time" >> "$work/incremental.times"
    cp "$work/inc/out/latest/run.json" "$work/incremental.json"
    /usr/bin/time -f "%e %M" -o "$work/time" "$BIN" run --customers "$DATA/customers.csv" --events "$work/inc/events" --out "$work/inc/out" 2> /dev/null
    cat "$work/time" >> "$work/warm.times"
done
inc_cache=$(python3 -c "import json; c=json.load(open('$work/incremental.json'))['cache']; print(f\"{c['reused']} exports or pieces from the cache, {c['read']} read\")")
measure duckdb "$VENV/bin/python" Tests/EndToEndTests/Fixtures/run_feature_sql.py duckdb "$work/features.sql" \
    "$DATA/customers.csv" "$DATA/events/*.csv" "$work/duckdb.csv"
RUNS_SAVED=$RUNS; RUNS=1   # pandas takes minutes: once
measure pandas "$VENV/bin/python" Benchmarks/pandas_features.py "$DATA/customers.csv" "$DATA/events/*.csv" "$work/pandas.csv" 30
RUNS=$RUNS_SAVED

# 4. The three must agree on every first-window count before any figure is printed.
sum_of() { LC_ALL=C sort | sha256sum | cut -c1-16; }
# (activation and its SQL also write follow-up rows, day 30 and 90, which pandas does not compute: compared without.)
ours=$(tail -n +2 "$work/ours/latest/first_window_daily.csv" | awk -F, '$3 < 30' | cut -d, -f1-4 | sum_of)
duck=$(tail -n +2 "$work/duckdb.csv" | awk -F, '$3 < 30' | cut -d, -f1-4 | sum_of)
single=$(tail -n +2 "$work/single/latest/first_window_daily.csv" | awk -F, '$3 < 30' | cut -d, -f1-4 | sum_of)
pand=$(cut -d, -f1-4 "$work/pandas.csv" | sum_of)
if [ "$ours" != "$duck" ] || [ "$ours" != "$pand" ] || [ "$ours" != "$single" ]; then
    echo "FAIL: the first-window counts differ: activation $ours (one export: $single), duckdb $duck, pandas $pand"; exit 1
fi
daily_rows=$(tail -n +2 "$work/ours/latest/first_window_daily.csv" | awk -F, '$3 < 30' | wc -l)
timing() { python3 -c "import json; t=json.load(open('$1'))['timings_seconds']; print(round(sum(t.get(k, 0) for k in '$2'.split()), 2))"; }
single_ingest=$(timing "$work/single/latest/run.json" "ingest features")
per_core=$(python3 -c "print(f'{$(wall libcsv1) / ($single_ingest * $(nproc)) * 100:.0f}%')")

ingest=$(python3 -c "import json; t=json.load(open('$work/ours/latest/run.json'))['timings_seconds']; print(round(t.get('ingest', 0) + t.get('features', 0), 2))")
candidates=$(python3 -c "import json; t=json.load(open('$work/ours/latest/run.json'))['timings_seconds']; print(round(t.get('candidates', 0) + t.get('ranking', 0), 2))")
ours_wall=$(wall activation)
row() {  # name, wall, rss
    local speed ratio
    speed=$(python3 -c "print(round($mb / max($2, 1e-9)))")
    ratio=$(python3 -c "print(f'{$2 / $ours_wall:.2f}x')")
    echo "| $1 | $2 | $speed | $(( $3 / 1024 )) | $ratio |"
}
{
    echo "# Benchmark results"
    echo
    echo "Measured by \`make bench\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory."
    echo "Data: \`activation sample --accounts $ACCOUNTS --follow-up-days $FOLLOW_UP\`: $(ls "$DATA"/events/*.csv | wc -l) monthly files, $mb MB, $rows event rows, $ACCOUNTS accounts."
    echo "Median of $RUNS runs each (pandas: 1 run), warm page cache, wall seconds and peak RSS from GNU time."
    echo "Checksum of the first-window daily counts ($daily_rows customer x behaviour x day rows): activation = DuckDB = pandas = \`$ours\`."
    echo
    echo "| Command | Wall s | MB/s | Peak RSS MB | Time vs activation |"
    echo "|---|---:|---:|---:|---:|"
    row "\`activation run\` (end to end: ingest, features, models, scan, report)" "$(wall activation)" "$(rss activation)"
    row "\`cat\` of the same files (I/O floor)" "$(wall cat)" "$(rss cat)"
    row "libcsv parse only, C (parser ceiling, one core)" "$(wall libcsv)" "$(rss libcsv)"
    row "DuckDB 2.0.0, same first-window counts in SQL (all cores)" "$(wall duckdb)" "$(rss duckdb)"
    row "pandas 2.2.3 counts + scikit-learn 1.5.2 fits and AUCs" "$(wall pandas)" "$(rss pandas)"
    echo
    echo "- activation's own split (run.json): ingest + features $ingest s, models + scan + ranking $candidates s."
    echo "- Memory with 4x the events (every export read four times, same customers): peak RSS $(( $(rss activation4x) / 1024 )) MB vs $(( $(rss activation) / 1024 )) MB ($(python3 -c "print(f'{($(rss activation4x) / $(rss activation) - 1) * 100:+.1f}%')")), wall $(wall activation4x) s."
    echo "- pandas: $(cat "$work/pandas.out")"
    echo
    echo "One export holding all months ($mb MB, read in pieces on both cores): \`activation run\` $(wall single) s end to end, ingest + features $single_ingest s; libcsv alone on the same file, one core, $(wall libcsv1) s. Ingest throughput per core against libcsv's: $per_core (libcsv s / (ingest s x $(nproc) cores))."
    echo
    echo "Incremental nightly (median of $RUNS): cache filled by a run without the last month, then the last month added: $(wall incremental) s ($inc_cache; $(python3 -c "print(f'{$(wall incremental) / $ours_wall * 100:.0f}%')") of a full run); nothing new: $(wall warm) s ($(python3 -c "print(f'{$(wall warm) / $ours_wall * 100:.0f}%')"))."
    echo "Split of the incremental run (run.json): ingest $(timing "$work/incremental.json" "ingest features") s (full run: $ingest s), models + scan + ranking $(timing "$work/incremental.json" "candidates ranking") s; the rest is reading the customers and writing the reports."
} > Benchmarks/RESULTS.md
cat Benchmarks/RESULTS.md
