#!/usr/bin/env bash
# Startup bench: `bin/warren start` on an empty data directory, N times. Prints, per run, the ms from the launch to
# "Warren ... started" in the log (AMQP bound, routing tables loaded) and from the JVM's start (the launcher execs
# java, so this is the launcher's start: it includes bin/warren's own checks), the CPU seconds the node used until
# then (user+sys of the process and of the launcher's children: a figure that depends far less on the host's load
# than the wall time), whether it ran with the start-up class archive (bin/warren's CDS archive), the WARN/ERROR
# lines of a clean start, and which TCP ports the node listened on.
#   bench/startup.sh [RUNS]          (default 5) as bin/warren starts by default (with the archive)
#   bench/startup.sh --ab [RUNS]     RUNS pairs, alternating without and with the archive (WARREN_CDS=off/on),
#                                    so both see the same load; a summary per mode
# Builds once through bin/warren if needed and makes one unmeasured warm-up start first (which also records the
# archive if this build has none). Uses free ports and its own temp directories; stops each node with SIGTERM.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AB=""
if [[ "${1:-}" == "--ab" ]]; then AB=1; shift; fi
RUNS="${1:-5}"
TICKS=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

modes=()
for (( i = 1; i <= RUNS; i++ )); do
  if [[ -n "$AB" ]]; then modes+=(off on); else modes+=("${WARREN_CDS:-on}"); fi
done

"$ROOT/bin/warren" start --help > /dev/null   # build first, outside the measurement
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf '%-7s %15s %13s %6s %4s %5s %5s  %s\n' run launch-to-ready jvm-to-ready cpu-s cds warn error ports
declare -A ready_by_mode cpu_by_mode
pid=""
dir=""
# Never leave a node behind, even when a step below fails.
trap '[[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null; true' EXIT
for (( run = 0; run <= ${#modes[@]}; run++ )); do
  # the warm-up runs as bin/warren would by default, so it records the archive if this build has none
  if (( run == 0 )); then mode="${WARREN_CDS:-on}"; [[ -n "$AB" ]] && mode=on; label="warm-up"
  else mode="${modes[run - 1]}"; label="$run"; fi
  [[ "$mode" == on ]] && mode_env=on || mode_env=off
  dir="$(mktemp -d /tmp/warren-startup.XXXXXX)"
  amqp=$(free_port) mgmt=$(free_port)
  launched=$(now_ms)
  # On its defaults otherwise: a single node runs no Pekko Management (auto) and no remoting on 25520.
  # setsid: its own session, so a Ctrl-C of the bench does not signal it; started from a non-job-control shell it
  # execs in place, so $! is the launcher and then (after its exec) the JVM.
  WARREN_CDS="$mode_env" setsid "$ROOT/bin/warren" start --data-dir "$dir/data" -Dwarren.amqp.port="$amqp" \
      -Dwarren.management.port="$mgmt" > "$dir/node.log" 2>&1 &
  pid=$!
  ready=""
  for _ in $(seq 1 2400); do
    if grep -q 'Warren .* started: AMQP on' "$dir/node.log"; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ -z "$ready" ]]; then echo "run $label: the node did not start; log: $dir/node.log"; kill -9 -- -"$pid" 2>/dev/null || true; exit 1; fi
  # The process's start (bin/warren execs java, so the JVM keeps the launcher's PID), from /proc/uptime and its start
  # time in clock ticks: both read now, so the host's boot time (whole seconds in /proc/stat) does not enter.
  stat_line="$(cat "/proc/$pid/stat")"; uptime_s=$(cut -d' ' -f1 /proc/uptime); seen=$(now_ms)
  read -r -a fields <<< "${stat_line##*) }"   # fields from the 3rd on: state is [0], starttime (22nd) is [19]
  started_ms=$(awk -v seen="$seen" -v up="$uptime_s" -v st="${fields[19]}" -v t="$TICKS" \
      'BEGIN { printf "%.0f", seen - (up * 1000 - st * 1000 / t) }')
  ready_line="$(grep -m1 'Warren .* started: AMQP on' "$dir/node.log")"
  ready_ms=$(date -d "$(cut -d' ' -f1 <<< "$ready_line")" +%s%3N)
  # utime, stime, cutime, cstime (fields 14-17): the launcher's own checks and the java it ran to ask the version
  cpu_s=$(awk -v t="$TICKS" -v a="${fields[11]}" -v b="${fields[12]}" -v c="${fields[13]}" -v d="${fields[14]}" \
      'BEGIN { printf "%.2f", (a + b + c + d) / t }')
  cds=no; tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- '-XX:SharedArchiveFile=' && cds=yes
  ports="$(ss -ltnpH 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | sed 's/.*://' | sort -n | tr '\n' ' ')"
  warns=$(grep -c ' WARN ' "$dir/node.log" || true)
  errors=$(grep -c ' ERROR ' "$dir/node.log" || true)
  # anything on the console that is not a log line (JVM warnings, stack traces) counts as an error too
  strays=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$dir/node.log" || true)
  printf '%-7s %15s %13s %6s %4s %5s %5s  %s\n' "$label" "$(( ready_ms - launched ))" "$(( ready_ms - started_ms ))" \
      "$cpu_s" "$cds" "$warns" "$(( errors + strays ))" "$ports"
  if (( run > 0 )); then
    ready_by_mode[$cds]+="$(( ready_ms - started_ms )) "
    cpu_by_mode[$cds]+="$cpu_s "
  fi
  grep -E ' (WARN|ERROR) ' "$dir/node.log" | cut -c1-200 | sed 's/^/    /' || true
  grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$dir/node.log" | cut -c1-200 | sed 's/^/    /' || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  pid=""
  rm -rf "$dir"
done
median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
worst() { printf '%s\n' $1 | sort -n | tail -n 1; }
for cds in no yes; do
  [[ -n "${ready_by_mode[$cds]:-}" ]] || continue
  echo "archive $cds: JVM start to ready, ms: median $(median "${ready_by_mode[$cds]}"), worst $(worst "${ready_by_mode[$cds]}");" \
       "CPU-s median $(median "${cpu_by_mode[$cds]}"), worst $(worst "${cpu_by_mode[$cds]}")"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
