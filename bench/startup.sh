#!/usr/bin/env bash
# Startup bench: `bin/warren start` on an empty data directory, N times. Prints, per run, the ms from the launch
# to the JVM's start (its /proc start time), from the JVM's start to "Warren ... started" in the log (AMQP bound,
# routing tables loaded), the CPU seconds (user+sys) the JVM used until then (a figure that depends far less on the
# host's load than the wall time), the WARN/ERROR lines of a clean start, and which TCP ports the node listened on.
#   bench/startup.sh [RUNS]          (default 5; builds once through bin/warren if needed)
# Uses free ports and its own temp directories; stops each node with SIGTERM.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
TICKS=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
boot_ms() { echo $(( $(awk '/^btime/ {print $2}' /proc/stat) * 1000 )); }

"$ROOT/bin/warren" start --help > /dev/null   # build first, outside the measurement
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf '%-4s %14s %14s %6s %6s %6s  %s\n' run launch-to-jvm jvm-to-ready cpu-s warn error ports
results=()
pid=""
# Never leave a node behind, even when a step below fails.
trap '[[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null; true' EXIT
for (( run = 1; run <= RUNS; run++ )); do
  dir="$(mktemp -d /tmp/warren-startup.XXXXXX)"
  amqp=$(free_port) mgmt=$(free_port)
  launched=$(now_ms)
  # On its defaults otherwise: a single node runs no Pekko Management (auto) and no remoting on 25520.
  setsid "$ROOT/bin/warren" start --data-dir "$dir/data" -Dwarren.amqp.port="$amqp" -Dwarren.management.port="$mgmt" \
      > "$dir/node.log" 2>&1 &
  pid=$!
  ready=""
  for _ in $(seq 1 1200); do
    if grep -q 'Warren .* started: AMQP on' "$dir/node.log"; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ -z "$ready" ]]; then echo "run $run: the node did not start; log: $dir/node.log"; kill -9 -- -"$pid" 2>/dev/null || true; exit 1; fi
  # The JVM's own start time (bin/warren execs it, so it keeps the launcher's PID).
  start_ticks=$(awk '{print $22}' "/proc/$pid/stat")
  jvm_ms=$(( $(boot_ms) + start_ticks * 1000 / TICKS ))
  ready_line="$(grep -m1 'Warren .* started: AMQP on' "$dir/node.log")"
  ready_ms=$(date -d "$(cut -d' ' -f1 <<< "$ready_line")" +%s%3N)
  ports="$(ss -ltnpH 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | sed 's/.*://' | sort -n | tr '\n' ' ')"
  warns=$(grep -c ' WARN ' "$dir/node.log" || true)
  errors=$(grep -c ' ERROR ' "$dir/node.log" || true)
  cpu_s=$(awk -v t="$TICKS" '{printf "%.1f", ($14+$15)/t}' "/proc/$pid/stat")   # user+sys CPU until ready
  printf '%-4s %14s %14s %6s %6s %6s  %s\n' "$run" "$(( jvm_ms - launched ))" "$(( ready_ms - jvm_ms ))" "$cpu_s" "$warns" "$errors" "$ports"
  results+=("$(( ready_ms - jvm_ms ))")
  grep -E ' (WARN|ERROR) ' "$dir/node.log" | cut -c1-200 | sed 's/^/    /' || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  pid=""
  rm -rf "$dir"
done
sorted=($(printf '%s\n' "${results[@]}" | sort -n))
echo "JVM start to ready, ms: median ${sorted[$(( ${#sorted[@]} / 2 ))]}, worst ${sorted[-1]} (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
