#!/usr/bin/env bash
# make bench: Activation Discovery against the I/O floor (cat), the parser ceiling (libcsv alone, one core), a
# hand-written DuckDB query, Polars (lazy, streaming), the generated `activation sql` on DuckDB and pandas +
# scikit-learn, on three export sets made by the project's own generator, all in one run. Every contender's
# first-window table must have the same checksum before any figure is printed. Writes Benchmarks/RESULTS.md.
# Never part of `make test`.
#
#   SCALE=0.1 make bench     a tenth of the full size (while developing); default 1
#   RUNS=1 make bench        runs per command (the fastest run is reported; pandas runs once); default 3
#   MEMORY=1 make bench      also 100,000 customers x 200 behaviours, peak RSS (one run)
#   BIG=1 make bench         also the incremental nightly at 1,000,000 accounts (slow; BIG_FOLLOW_UP days, 45), and
#                            memory at 1,000,000 customers x 200 behaviours, about 5% of pairs active (one run)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
MEMORY=${MEMORY:-0}
BIG=${BIG:-0}
BIG_FOLLOW_UP=${BIG_FOLLOW_UP:-45}
DATA=Benchmarks/data
VENV=Benchmarks/.venv
BIN=.build/release/activation
PY=$VENV/bin/python
GEN=v1   # bump when the generator's output changes, so the cached sets are regenerated
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scaled() { python3 -c "print(max(1, round($1 * $SCALE)))"; }
started=$(date -u +"%Y-%m-%d %H:%M UTC")
t_start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. The export sets, generated once each by the project's own generator (git-ignored).
#    A: customer_id,event,timestamp, 32k customers, 8 behaviours, ~44 M rows in one file.
#    B: customer_id,event,timestamp,user_id, 14.5k customers, 25 behaviours, ~33 M rows in one file.
#    M: the sample set's monthly files (customer_id,event,timestamp,user_id,count), 80,000 accounts, 400 days.
A_ACCOUNTS=$(scaled 32000); A_ROWS=$(scaled 44000000)
B_ACCOUNTS=$(scaled 14500); B_ROWS=$(scaled 33000000)
M_ACCOUNTS=$(scaled 80000)
A=$DATA/A-$GEN-$A_ACCOUNTS-$A_ROWS
B=$DATA/B-$GEN-$B_ACCOUNTS-$B_ROWS
M=$DATA/M-$M_ACCOUNTS-400
generate() {  # dir, sample options...
    local dir=$1; shift
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        echo "generating $dir (once): activation sample $*"
        "$BIN" sample --out "$dir" "$@"
        touch "$dir/.complete"
    fi
}
generate "$A" --shape single --accounts "$A_ACCOUNTS" --behaviours 8 --rows "$A_ROWS" --seed 1
generate "$B" --shape single --accounts "$B_ACCOUNTS" --behaviours 25 --rows "$B_ROWS" --user-column --seed 2
generate "$M" --accounts "$M_ACCOUNTS" --follow-up-days 400 --no-dirty

# 2. The contenders: DuckDB, Polars, pandas and scikit-learn from PyPI in a private virtual environment; libcsv
#    alone in C.
if [ ! -f "$VENV/.ready-2" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q duckdb==2.0.0 polars==2.1.0 pandas==2.2.3 scikit-learn==1.5.2
    touch "$VENV/.ready-2"
fi
gcc -O2 -o "$work/csvparse" Benchmarks/csvparse.c -lcsv
export POLARS_MAX_THREADS=2

# 3. Each command RUNS times: wall, user and system seconds and peak RSS (KiB) from GNU time, one line per run in
#    measurements.tsv (set, contender, wall, user, sys, rss); report.py takes the run of least wall time.
measure() {  # set, contender, runs, command...
    local set=$1 name=$2 runs=$3; shift 3
    for _ in $(seq "$runs"); do
        if ! /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/$set-$name.out" 2> "$work/$set-$name.err"; then
            echo "FAIL: $set $name: $*"; tail -5 "$work/$set-$name.err"; exit 1
        fi
        echo "$set $name $(tail -1 "$work/time")" >> "$work/measurements.tsv"
    done
}
checksum() {  # set, contender, table
    echo "$1 $2 $("$PY" Benchmarks/checksum.py "$3" 1)" >> "$work/checksums.tsv"
}
bench_set() {  # set, customers, events path (file or folder), events glob, has_user, has_count
    local set=$1 customers=$2 events=$3 glob=$4 user=$5 count=$6
    local files=($glob)
    local sqlflags=""
    [ "$user" = 1 ] || sqlflags="$sqlflags --without-user-column"
    [ "$count" = 1 ] || sqlflags="$sqlflags --without-count-column"
    "$BIN" sql --dialect duckdb --window-days 30 $sqlflags > "$work/$set.sql"
    echo "$set bytes $(cat "${files[@]}" | wc -c) rows $(( $(cat "${files[@]}" | wc -l) - ${#files[@]} )) files ${#files[@]} customers $(( $(wc -l < "$customers") - 1 ))" >> "$work/sets.tsv"
    cat "${files[@]}" > /dev/null   # warm the page cache
    echo "$set: measuring ($RUNS runs each, pandas once)..."
    measure "$set" cat "$RUNS" cat "${files[@]}"
    measure "$set" libcsv "$RUNS" "$work/csvparse" "${files[@]}"
    measure "$set" activation "$RUNS" "$BIN" run --no-cache --customers "$customers" --events "$events" --out "$work/$set-ours"
    checksum "$set" activation "$work/$set-ours/latest/first_window_daily.csv"
    cp "$work/$set-ours/latest/run.json" "$work/$set-run.json"
    # The same run from its own first-window table: everything but ingest (for ingest's cpu seconds).
    cp "$work/$set-ours/latest/first_window_daily.csv" "$work/$set-features.csv"
    measure "$set" analysis "$RUNS" "$BIN" run --no-cache --customers "$customers" --features "$work/$set-features.csv" --out "$work/$set-analysis"
    measure "$set" duckdb_hand "$RUNS" "$PY" Benchmarks/duckdb_hand.py "$customers" "$glob" "$work/$set-duckdb_hand.csv" "$user" "$count"
    checksum "$set" duckdb_hand "$work/$set-duckdb_hand.csv"
    measure "$set" polars "$RUNS" "$PY" Benchmarks/polars_features.py "$customers" "$glob" "$work/$set-polars.csv" "$user" "$count"
    checksum "$set" polars "$work/$set-polars.csv"
    measure "$set" duckdb_generated "$RUNS" "$PY" Benchmarks/duckdb_generated.py "$work/$set.sql" "$customers" "$glob" "$work/$set-duckdb_generated.csv" "$user" "$count"
    checksum "$set" duckdb_generated "$work/$set-duckdb_generated.csv"
    measure "$set" pandas 1 "$PY" Benchmarks/pandas_features.py "$customers" "$glob" "$work/$set-pandas.csv"
    checksum "$set" pandas "$work/$set-pandas.csv"
    cp "$work/$set-pandas.out" "$work/$set-pandas.summary"
    rm -f "$work/$set"-*.csv; rm -rf "$work/$set-ours" "$work/$set-analysis"
}
# Incremental nightly on a monthly set: the cache filled by a run over every month but the last, then the last
# month added (one new month), then the same again (nothing new).
incremental() {  # set, customers, events folder, runs
    local set=$1 customers=$2 events=$3 runs=$4
    local last; last=$(ls "$events"/*.csv | tail -1)
    echo "$set: incremental nightly ($runs runs)..."
    for _ in $(seq "$runs"); do
        rm -rf "$work/inc"; mkdir -p "$work/inc/events"
        for f in "$events"/*.csv; do [ "$f" = "$last" ] || ln "$f" "$work/inc/events/"; done
        # Linking changes the files' status-change time; a nightly job's exports were written long before it runs,
        # so let them settle (FingerprintMemo trusts a remembered SHA-256 only for files unchanged 2 s before).
        sleep 3
        "$BIN" run --customers "$customers" --events "$work/inc/events" --out "$work/inc/out" 2> /dev/null
        ln "$last" "$work/inc/events/"
        sleep 3   # the new month, too, was written before the job runs (see above)
        measure "$set" one_new_month 1 "$BIN" run --customers "$customers" --events "$work/inc/events" --out "$work/inc/out"
        cp "$work/inc/out/latest/run.json" "$work/$set-incremental.json"
        measure "$set" nothing_new 1 "$BIN" run --customers "$customers" --events "$work/inc/events" --out "$work/inc/out"
    done
    rm -rf "$work/inc"
}

bench_set A "$A/customers.csv" "$A/events.csv" "$A/events.csv" 0 0
bench_set B "$B/customers.csv" "$B/events.csv" "$B/events.csv" 1 0
bench_set M "$M/customers.csv" "$M/events" "$M/events/*.csv" 1 1
incremental M "$M/customers.csv" "$M/events" "$RUNS"

if [ "$MEMORY" = 1 ]; then
    # Memory: 100,000 customers x 200 behaviours, 3 M rows (a customer does a few dozen of the 200).
    MEM=$DATA/MEM-$GEN-100000-200
    generate "$MEM" --shape single --accounts 100000 --behaviours 200 --rows 3000000 --user-column --seed 3
    echo "MEM: measuring (once)..."
    measure MEM activation 1 "$BIN" run --no-cache --customers "$MEM/customers.csv" --events "$MEM/events.csv" --out "$work/MEM-ours"
    echo "MEM pairs $(tail -n +2 "$work/MEM-ours/latest/first_window_daily.csv" | awk -F, '$3 < 30 {print $1 "," $2}' | sort -u | wc -l) customers 100000 behaviours 200" >> "$work/sets.tsv"
    rm -rf "$work/MEM-ours"
fi
# Pairs active in the first window, counted in one pass (a sort of tens of millions of lines would take minutes).
active_pairs() { tail -n +2 "$1" | awk -F, '$3 < 30 && !seen[$1 "," $2]++ {n++} END {print n + 0}'; }
if [ "$BIG" = 1 ]; then
    L=$DATA/L-1000000-$BIG_FOLLOW_UP
    generate "$L" --accounts 1000000 --follow-up-days "$BIG_FOLLOW_UP" --no-dirty
    measure L activation 1 "$BIN" run --no-cache --customers "$L/customers.csv" --events "$L/events" --out "$work/L-full"
    rm -rf "$work/L-full"
    incremental L "$L/customers.csv" "$L/events" 1
    # Memory: 1,000,000 customers x 200 behaviours, 30 M rows (about 5% of pairs active, as MEM).
    MEMBIG=$DATA/MEMBIG-$GEN-1000000-200
    generate "$MEMBIG" --shape single --accounts 1000000 --behaviours 200 --rows 30000000 --user-column --seed 4
    echo "MEMBIG: measuring (once)..."
    measure MEMBIG activation 1 "$BIN" run --no-cache --customers "$MEMBIG/customers.csv" --events "$MEMBIG/events.csv" --out "$work/MEMBIG-ours"
    echo "MEMBIG pairs $(active_pairs "$work/MEMBIG-ours/latest/first_window_daily.csv") customers 1000000 behaviours 200" >> "$work/sets.tsv"
    rm -rf "$work/MEMBIG-ours"
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
t_end=$(date +%s)
# 4. Checksums first (report.py stops on any disagreement), then the tables.
python3 Benchmarks/report.py "$work" "$started" "$(( t_end - t_start ))" "$load_start" "$load_end" "$SCALE" "$RUNS" \
    > "$work/RESULTS.md"
cp "$work/RESULTS.md" Benchmarks/RESULTS.md
cat Benchmarks/RESULTS.md
