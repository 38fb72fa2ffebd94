#!/usr/bin/env bash
# Profiles Warren under one benchmark workload with Java Flight Recorder and prints the hot methods.
#
#   bench/profile.sh [workload]        default: transient (see bench/run.sh for the list)
# Environment: BENCH_SECONDS (30), BENCH_BACKLOG, JFR_SETTINGS (profile), JFR_TOP (25),
#   WARREN_JAVA_OPTS (kept; the recording option is appended).
# The recording and the summary stay in bench/work/profile/<stamp>-<workload>/ for `jfr` or JDK Mission Control.
set -u -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$BENCH_DIR/lib/workloads.sh"

export BENCH_SECONDS="${BENCH_SECONDS:-30}"
case "${1:-}" in -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;; esac
workload=$(workload_name "${1:-transient}") || { echo "unknown workload: $1" >&2; exit 2; }
[ "$workload" = cluster ] && { echo "cluster: needs the cluster, skipped"; exit 0; }

trap cleanup_all EXIT
trap 'log "interrupted"; exit 130' INT TERM

ensure_perftest || exit 1
prepare_warren || exit 1
out="$WORK_DIR/profile/$(date +%Y-%m-%d-%H%M%S)-$workload"
mkdir -p "$out"
recording="$out/warren.jfr"

# dumponexit covers a node that stops by itself; the explicit JFR.dump below covers the normal case
# without depending on how gracefully the node shuts down.
export WARREN_JAVA_OPTS="${WARREN_JAVA_OPTS:-} -XX:StartFlightRecording=name=bench,settings=${JFR_SETTINGS:-profile},filename=$recording,dumponexit=true"
start_warren || { log "Warren did not start; see $WORK_DIR/warren.out"; exit 1; }
cp "$WORK_DIR/warren.out" "$out/warren-start.out" 2>/dev/null

for phase in $(workload_phases "$workload"); do
  mapfile -t args < <(workload_args "$workload" "$phase")
  log "profiling $workload/$phase for up to $(workload_phase_limit "$workload")s"
  perftest "$(workload_phase_limit "$workload")" "$out/$phase" -h "$(broker_uri warren)" -sst 30 -st 5 "${args[@]}" \
    || log "PerfTest exited with $(cat "$out/$phase.rc") (see $out/$phase.out); summarising what was recorded"
  grep -E "sending rate avg|receiving rate avg|latency min" "$out/$phase.out" >&2
done

jcmd "$BROKER_PID" JFR.dump name=bench filename="$recording" > "$out/jfr-dump.out" 2>&1 \
  || log "jcmd JFR.dump failed ($(tail -1 "$out/jfr-dump.out")); relying on dumponexit"
stop_warren
[ -s "$recording" ] || { log "no recording at $recording"; exit 1; }

jfr summary "$recording" > "$out/summary.txt" 2>&1
jfr print --events jdk.ExecutionSample --stack-depth 64 "$recording" \
  | python3 "$BENCH_DIR/tools/jfr_hot.py" "${JFR_TOP:-25}" | tee "$out/hot-methods.txt"
log "recording: $recording  (jfr summary in $out/summary.txt, hot methods in $out/hot-methods.txt)"
