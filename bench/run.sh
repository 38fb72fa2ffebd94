#!/usr/bin/env bash
# Benchmarks Warren against RabbitMQ with the same load tool (RabbitMQ's PerfTest), on this machine.
#
#   bench/run.sh [workload…]        workloads: transient persistent fanout many-queues backlog cluster
#                                   (or 1…6; default: 1–5)
# Environment: ROUNDS (3), BENCH_SECONDS (30), BENCH_WARMUP (5), BENCH_BACKLOG (1000000),
#   BENCH_BACKLOG_TIMEOUT (900), BENCH_BROKERS ("warren rabbitmq"), BENCH_MANY_RATE (10).
# See bench/README.md. Each run gets a freshly started broker with an empty data directory, so runs
# do not inherit each other's queues and the broker's peak RSS belongs to that run alone.
set -u -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$BENCH_DIR/lib/workloads.sh"
source "$BENCH_DIR/lib/cluster.sh"

ROUNDS="${ROUNDS:-3}"
export BENCH_SECONDS="${BENCH_SECONDS:-30}"
BROKERS="${BENCH_BROKERS:-warren rabbitmq}"
# After this many consecutive start failures a broker is not tried again in this invocation:
# a broker that cannot start should cost seconds, not the whole run.
GIVE_UP_AFTER="${BENCH_GIVE_UP_AFTER:-2}"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

workloads=()
for arg in "${@:-$DEFAULT_WORKLOADS}"; do
  for w in $arg; do
    case "$w" in -h|--help) usage; exit 0 ;; all) workloads+=($ALL_WORKLOADS); continue ;; esac
    name=$(workload_name "$w") || { echo "unknown workload: $w" >&2; usage >&2; exit 2; }
    workloads+=("$name")
  done
done

trap cleanup_all EXIT
trap 'log "interrupted"; exit 130' INT TERM

ensure_perftest || exit 1
mkdir -p "$WORK_DIR/runs" "$BENCH_DIR/results"
stamp=$(date +%Y-%m-%d-%H%M%S)
label=$(IFS=-; echo "${workloads[*]}")
RUN_DIR="$WORK_DIR/runs/$stamp-$label"
mkdir -p "$RUN_DIR"
{
  machine_description
  echo "rounds=$ROUNDS"
  echo "seconds=$BENCH_SECONDS"
  echo "warmup=${BENCH_WARMUP:-5}"
  echo "backlog=${BENCH_BACKLOG:-1000000}"
  echo "brokers=$BROKERS"
  echo "workloads=${workloads[*]}"
  for w in "${workloads[@]}"; do echo "workload.$w=$(workload_description "$w")"; done
} > "$RUN_DIR/machine.txt"
log "raw results in $RUN_DIR"

declare -A start_failures unavailable
for b in $BROKERS; do start_failures[$b]=0; unavailable[$b]=""; done
case " $BROKERS " in *" warren "*) prepare_warren || unavailable[warren]="Warren build failed (bench/work/warren-build.log)" ;; esac

# phase_problem <workload> <prefix>: why a PerfTest phase that exited 0 still measured nothing (empty if fine).
# PerfTest exits 0 even when it never connected.
phase_problem() {
  local workload="$1" prefix="$2"
  if grep -q "Could not connect" "$prefix.out"; then echo "could not connect"; return; fi
  if [ "$workload" = backlog ]; then
    if grep -q "Reached time limit" "$prefix.out"; then
      echo "did not finish within ${BENCH_BACKLOG_TIMEOUT:-900}s"; return
    fi
  else
    local samples; samples=$(grep -c '^[^i]' "$prefix.csv" 2>/dev/null)   # data rows; the header starts with "id"
    [ "${samples:-0}" -eq 0 ] && { echo "no samples"; return; }
  fi
}

# run_one <workload> <broker> <round>: one fresh broker, one workload, results in its own directory.
run_one() {
  local workload="$1" broker="$2" round="$3"
  local dir="$RUN_DIR/$workload/$broker/round-$round"
  mkdir -p "$dir"
  if [ -n "${unavailable[$broker]}" ]; then
    echo "failed: ${unavailable[$broker]}" > "$dir/status"
    return
  fi
  if [ "${start_failures[$broker]}" -ge "$GIVE_UP_AFTER" ]; then
    echo "failed: broker did not start (gave up after $GIVE_UP_AFTER attempts)" > "$dir/status"
    return
  fi
  log "round $round/$ROUNDS  $workload  $broker"
  local start=start_broker
  [ "$workload/$broker" = cluster/warren ] && start=start_warren_cluster
  BROKER_PIDS=()
  if ! $start "$broker"; then
    start_failures[$broker]=$((start_failures[$broker] + 1))
    echo "failed: broker did not start" > "$dir/status"
    [ -f "$WORK_DIR/warren.out" ] && [ "$broker" = warren ] && cp "$WORK_DIR/warren.out" "$dir/broker.out"
    stop_broker "$broker"; stop_warren_cluster
    return
  fi
  start_failures[$broker]=0
  [ ${#BROKER_PIDS[@]} -gt 0 ] || BROKER_PIDS=("$BROKER_PID")
  echo "${BROKER_PIDS[*]}" > "$dir/broker.pid"
  start_rss_sampler "$dir/rss.samples" "${BROKER_PIDS[@]}"
  local uri_args=(-h "$(broker_uri "$broker")")
  [ "$workload/$broker" = cluster/warren ] && uri_args=(-H "$(cluster_uris)")

  local status="ok" phase args rc reason
  for phase in $(workload_phases "$workload"); do
    mapfile -t args < <(workload_args "$workload" "$phase")
    date +%s%3N > "$dir/$phase.start"
    perftest "$(workload_phase_limit "$workload")" "$dir/$phase" \
        "${uri_args[@]}" -sst 30 -st 5 "${args[@]}"
    rc=$?
    date +%s%3N > "$dir/$phase.end"
    if [ "$rc" -ne 0 ]; then
      if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then status="failed: $phase timed out"
      else status="failed: PerfTest exit $rc in $phase ($(grep -m1 -iE 'exception|error' "$dir/$phase.out" | cut -c1-120))"
      fi
      break
    fi
    local pid died=""
    for pid in "${BROKER_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || died="$died $pid"; done
    if [ -n "$died" ]; then status="failed: broker process(es)$died died during $phase"; break; fi
    reason=$(phase_problem "$workload" "$dir/$phase")
    if [ -n "$reason" ]; then status="failed: $phase: $reason"; break; fi
  done

  write_hwm "$dir/hwm.kib" "${BROKER_PIDS[@]}"
  cut -d' ' -f1 /proc/loadavg > "$dir/loadavg"   # 1-min load at the end: was the machine busy with others?
  stop_rss_sampler
  if [ "$workload/$broker" = cluster/warren ]; then stop_warren_cluster; else stop_broker "$broker"; fi
  echo "$status" > "$dir/status"
  log "  -> $status"
}

for round in $(seq 1 "$ROUNDS"); do
  for workload in "${workloads[@]}"; do
    if [ "$workload" = cluster ] && ! cluster_available; then
      [ "$round" -eq 1 ] && log "cluster: needs the cluster (deploy/local-cluster.sh), skipped"
      continue
    fi
    for broker in $BROKERS; do run_one "$workload" "$broker" "$round"; done
  done
done

out="$BENCH_DIR/results/${stamp%??}-$label"   # date and hh:mm
python3 "$BENCH_DIR/tools/report.py" "$RUN_DIR" "$out" || { log "report failed; raw data kept in $RUN_DIR"; exit 1; }
log "wrote $out.md, $out.csv, $out.svg"
