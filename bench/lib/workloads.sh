# Workload definitions: PerfTest arguments per workload. Sourced by run.sh and profile.sh.
# Each steady-state workload is one PerfTest phase ("main"); backlog is two ("publish", "drain").

ALL_WORKLOADS="transient persistent fanout many-queues backlog cluster"
DEFAULT_WORKLOADS="transient persistent fanout many-queues backlog"

# Accepts names or the numbers from the issue (1 = transient … 6 = cluster).
workload_name() {
  case "$1" in
    1|transient) echo transient ;;
    2|persistent) echo persistent ;;
    3|fanout|fan-out) echo fanout ;;
    4|many-queues|many) echo many-queues ;;
    5|backlog) echo backlog ;;
    6|cluster) echo cluster ;;
    *) return 1 ;;
  esac
}

workload_description() {
  case "$1" in
    transient)   echo "1 producer, 1 consumer, auto-ack, 16 B transient messages, one queue" ;;
    persistent)  echo "durable queue, persistent 1 KB messages, confirms (<=200 in flight), manual ack, prefetch 200" ;;
    fanout)      echo "1 producer -> topic exchange -> 10 queues, 10 consumers (manual ack, prefetch 200), 1 KB" ;;
    many-queues) echo "200 queues, 200 producers at ${BENCH_MANY_RATE:-10} msg/s each, 200 consumers, 1 KB" ;;
    backlog)     echo "publish ${BENCH_BACKLOG:-1000000} persistent 1 KB messages (confirms) with no consumer, then drain them" ;;
    cluster)     echo "Warren: ${BENCH_CLUSTER_NODES:-3}-node cluster (deploy/local-cluster.sh, PostgreSQL journal); RabbitMQ: its single node. 30 durable queues, one producer and one consumer each, connections spread over the nodes, persistent 1 KB, confirms (<=50 in flight per producer), prefetch 50" ;;
  esac
}

# Phases of a workload, in order.
workload_phases() {
  case "$1" in
    backlog) echo "publish drain" ;;
    *) echo "main" ;;
  esac
}

# workload_args <workload> <phase>: PerfTest arguments (without -h, -o) one per line.
workload_args() {
  local seconds="${BENCH_SECONDS:-30}" backlog="${BENCH_BACKLOG:-1000000}"
  local backlog_limit="${BENCH_BACKLOG_TIMEOUT:-900}"
  case "$1/$2" in
    transient/main)
      printf '%s\n' -x 1 -y 1 -a -s 16 -u bench-transient -z "$seconds" ;;
    persistent/main)
      printf '%s\n' -x 1 -y 1 -s 1024 -f persistent -c 200 -q 200 -u bench-persistent -z "$seconds" ;;
    fanout/main)
      # No -u: every consumer gets its own server-named queue bound with the same key, so each
      # published message is delivered 10 times.
      printf '%s\n' -x 1 -y 10 -s 1024 -q 200 -e bench-fanout -t topic -k bench.fanout -z "$seconds" ;;
    many-queues/main)
      printf '%s\n' --queue-pattern 'bench-q-%d' --queue-pattern-from 1 --queue-pattern-to 200 \
          -x 200 -y 200 -r "${BENCH_MANY_RATE:-10}" -s 1024 -q 50 -z "$seconds" ;;
    backlog/publish)
      printf '%s\n' -x 1 -y 0 -s 1024 -f persistent -c 200 -u bench-backlog -ad false \
          -C "$backlog" -z "$backlog_limit" ;;
    cluster/main)
      # The connection URIs (-H) are added by the caller: one per node.
      # 30 queues (bench-cluster-1…30), one producer and one consumer each, which sharding spreads over the nodes.
      printf '%s\n' -x 30 -y 30 -s 1024 -f persistent -c 50 -q 50 --queue-pattern 'bench-cluster-%d' \
          --queue-pattern-from 1 --queue-pattern-to 30 -z "$seconds" ;;
    backlog/drain)
      printf '%s\n' -x 0 -y 1 -q 200 -f persistent -u bench-backlog -ad false \
          -D "$backlog" -ew empty -z "$backlog_limit" ;;
    *) return 1 ;;
  esac
}

# Hard wall-clock limit for one PerfTest phase: its own -z plus room for startup and shutdown.
workload_phase_limit() {
  case "$1" in
    backlog) echo $(( ${BENCH_BACKLOG_TIMEOUT:-900} + 60 )) ;;
    *) echo $(( ${BENCH_SECONDS:-30} + 60 )) ;;
  esac
}
