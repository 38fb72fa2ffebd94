#!/usr/bin/env bash
# A/B of Warren builds on the persistent workload, alternated within every round so that the host's drift (which on a
# shared 2-core VM moves one build's figure by 20-30% from one run to the next) hits every build alike.
#
#   bench/tools/ab-persistent.sh ROUNDS SECONDS CHECKOUT...
#
# Each CHECKOUT is a Warren checkout (e.g. a `git worktree add --detach <dir> <commit>`) in which `bench/run.sh`
# has run once, so that bench/work/warren-classpath holds its classpath snapshot. Per round and checkout: a fresh
# node on an empty data dir, PerfTest with the persistent workload's arguments (bench/lib/workloads.sh) for SECONDS
# + 5 s, the first 5 per-second rates dropped. Prints one line per run: round, checkout, msg/s, load.
set -u
rounds=$1; secs=$2; shift 2
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PTCP=$(ls "$BENCH_DIR"/work/lib/*.jar | tr '\n' ':')
[ -n "$PTCP" ] || { echo "no PerfTest in $BENCH_DIR/work/lib: run bench/run.sh once first" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
for r in $(seq 1 "$rounds"); do
  for wt in "$@"; do
    wt=$(cd "$wt" && pwd)
    snap=$wt/bench/work/warren-classpath
    # bench/run.sh copies the checkout's own modules into the snapshot when they live under the checkout's path.
    if ls "$snap"/*.jar >/dev/null 2>&1; then
      cp="$snap/server-classes:$(ls "$snap"/*.jar | tr '\n' ':')$(tr ':' '\n' < "$wt/src/server/target/warren.classpath" | grep -v "^$wt" | tr '\n' ':')"
    else
      cp="$snap/server-classes:$(tr -d '\n' < "$wt/src/server/target/warren.classpath")"
    fi
    data=$(mktemp -d /tmp/warren-ab.XXXXXX)
    java -Xmx1g -cp "$cp" io.warren.server.Main -Dwarren.amqp.port="$port" -Dwarren.data-dir="$data" \
        -Dwarren.management.enabled=false -Dwarren.cluster.remote-port=0 > "$data/out.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
    java -cp "$PTCP" com.rabbitmq.perf.PerfTest -h "amqp://guest:guest@127.0.0.1:$port" -x 1 -y 1 -s 1024 \
        -f persistent -c 200 -q 200 -u ab -z $((secs + 5)) -i 1 > "$data/perftest.log" 2>&1
    rate=$(grep -oE "^id: [^,]+, time [0-9.]+ ?s, sent: [0-9]+" "$data/perftest.log" \
        | awk -F'sent: ' '{n++; if (n > 5) {s += $2; c++}} END {if (c) printf "%d", s / c; else print "?"}')
    echo "round $r $(basename "$wt") $rate msg/s load $(cut -d' ' -f1 /proc/loadavg)"
    kill "$pid"; wait "$pid" 2>/dev/null; pid=""; rm -rf "$data"
  done
done
