#!/usr/bin/env bash
# Heap taken by many declared, idle, durable queues (issue: "100,000 declared idle queues cost little memory").
# Starts Warren with a short passivation delay, measures the live heap after a full GC before and after declaring
# N queues (and after they passivate), prints the three numbers. Usage: bench/idle-queues.sh [N] (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
PORT="${IDLE_PORT:-5731}"
WORK="bench/work/idle-queues"
rm -rf "$WORK" && mkdir -p "$WORK"

/usr/bin/python3 -c 'import pika' 2>/dev/null || { echo "needs Debian's python3-pika" >&2; exit 2; }
bin/warren build >/dev/null
WARREN_JAVA_OPTS="-Xmx2g" bin/warren start -Dwarren.amqp.port="$PORT" -Dwarren.data-dir="$WORK/data" \
  -Dwarren.management.enabled=false -Dwarren.cluster.remote-port=0 -Dwarren.management.pekko-management.enabled=false \
  -Dwarren.persistence.passivate-idle-queues-after=5s > "$WORK/warren.log" 2>&1 &
LAUNCHER=$!
trap 'kill -TERM "$LAUNCHER" 2>/dev/null; wait "$LAUNCHER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 1; done
PID=$(cat "$WORK/data/warren.pid")

live_heap() {  # used heap after a full GC, in MiB
  jcmd "$PID" GC.run >/dev/null
  sleep 2
  jcmd "$PID" GC.heap_info | awk '/used/ && !done { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub("K,?", "", v); printf "%.1f", v / 1024; done = 1 } }'
}

before=$(live_heap)
/usr/bin/python3 bench/tools/declare_queues.py "$PORT" "$N" | tail -1
active=$(live_heap)
sleep 15   # passivation after 5 s idle, plus margin
idle=$(live_heap)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
echo "live heap before: ${before} MiB; with ${N} queues just declared: ${active} MiB; after they passivated: ${idle} MiB"
awk -v b="$before" -v i="$idle" -v n="$N" 'BEGIN { printf "per idle queue: %.0f bytes\n", (i - b) * 1048576 / n }'
