#!/usr/bin/env python3
"""Tests for report.py and jfr_hot.py on small, hand-written PerfTest and `jfr print` outputs.

    python3 bench/tools/test_tools.py
"""
import io
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jfr_hot  # noqa: E402
import report  # noqa: E402

CSV_HEADER = ("id,time (s),published (msg/s),returned (msg/s),confirmed (msg/s),nacked (msg/s),received (msg/s),"
              "min consumer latency (µs),median consumer latency (µs),75th p. consumer latency (µs),"
              "95th p. consumer latency (µs),99th p. consumer latency (µs)\n")


def perftest_csv(rows):
    """rows: (time, published, received, median, p99)"""
    lines = [CSV_HEADER]
    for t, pub, rec, p50, p99 in rows:
        lines.append(f"test-1,{t},{pub},,,,{rec},1,{p50},0,0,{p99}\n")
    return "".join(lines)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def tmpdir(test):
    path = tempfile.mkdtemp(prefix="bench-test-")
    test.addCleanup(shutil.rmtree, path, True)
    return path


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class SteadyStateRun(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self)

    def run_dir(self, workload, broker, rnd):
        return os.path.join(self.dir, workload, broker, f"round-{rnd}")

    def test_warm_up_seconds_are_excluded_and_repeated_rows_counted_once(self):
        d = self.run_dir("transient", "warren", 1)
        write(os.path.join(d, "status"), "ok\n")
        # a slow first second (warm-up), then 100 and 300 msg/s; the 3.0 s row is repeated, as PerfTest does
        write(os.path.join(d, "main.csv"), perftest_csv([
            (1.0, 5, 5, 9000, 9000), (2.0, 100, 90, 1000, 4000), (3.0, 300, 310, 3000, 8000),
            (3.0, 300, 310, 3000, 8000)]))
        run = report.load_run(d, "transient", "warren", 1, warmup=1.5)
        self.assertTrue(run.ok)
        self.assertEqual(run.published, 200)
        self.assertEqual(run.delivered, 200)
        self.assertEqual(run.p50_us, 2000)
        self.assertEqual(run.p99_us, 6000)

    def test_ok_status_without_samples_becomes_a_failure(self):
        d = self.run_dir("transient", "warren", 1)
        write(os.path.join(d, "status"), "ok\n")
        write(os.path.join(d, "main.csv"), CSV_HEADER)
        run = report.load_run(d, "transient", "warren", 1, warmup=5)
        self.assertFalse(run.ok)

    def test_peak_rss_is_the_sum_of_each_process_peak(self):
        d = self.run_dir("cluster", "warren", 1)
        write(os.path.join(d, "hwm.kib"), "11 1000\n22 500\n")
        write(os.path.join(d, "rss.samples"), "1 11 900\n2 22 700\n3 22 600\n")
        self.assertEqual(report.peak_rss(d), 1000 + 700)

    def test_peak_rss_reads_the_single_process_format(self):
        d = self.run_dir("transient", "rabbitmq", 1)
        write(os.path.join(d, "hwm.kib"), "1500\n")
        write(os.path.join(d, "rss.samples"), "1 1200\n2 1600\n")
        self.assertEqual(report.peak_rss(d), 1600)


class BacklogRun(unittest.TestCase):
    def test_rates_come_from_the_phase_summaries(self):
        d = tmpdir(self)
        write(os.path.join(d, "status"), "ok\n")
        write(os.path.join(d, "publish.out"), "id: t, sending rate avg: 1234 msg/s\nid: t, receiving rate avg: 0 msg/s\n"
                                              "id: t, confirm latency min/median/75th/95th/99th 1/2/3/4/500 µs\n")
        write(os.path.join(d, "drain.out"), "id: t, sending rate avg: 0 msg/s\nid: t, receiving rate avg: 5678 msg/s\n")
        write(os.path.join(d, "publish.start"), "1000\n")
        write(os.path.join(d, "publish.end"), "3500\n")
        run = report.load_run(d, "backlog", "warren", 1, warmup=5)
        self.assertEqual((run.published, run.delivered), (1234, 5678))
        self.assertEqual(run.extra["confirm_p99_us"], 500)
        self.assertEqual(run.extra["publish_seconds"], 2.5)


class WholeReport(unittest.TestCase):
    def test_failed_broker_and_ratios_end_up_in_the_markdown_csv_and_svg(self):
        root = tmpdir(self)
        write(os.path.join(root, "machine.txt"), "cpus=2\nseconds=9\nwarmup=5\nworkload.transient=desc\n")
        for broker, rate in (("warren", 300), ("rabbitmq", 100)):
            for rnd in (1, 2, 3):
                d = os.path.join(root, "transient", broker, f"round-{rnd}")
                write(os.path.join(d, "status"), "ok\n")
                # medians across rounds: the middle round's rate
                r = rate * rnd
                write(os.path.join(d, "main.csv"), perftest_csv([(4.0, r, r, 1000, 2000), (5.0, r, r, 1000, 2000)]))
                write(os.path.join(d, "hwm.kib"), f"{1024 * rnd}\n")
        d = os.path.join(root, "persistent", "warren", "round-1")
        write(os.path.join(d, "status"), "failed: broker did not start\n")
        d = os.path.join(root, "persistent", "rabbitmq", "round-1")
        write(os.path.join(d, "status"), "ok\n")
        write(os.path.join(d, "main.csv"), perftest_csv([(4.0, 50, 50, 1000, 2000)]))
        prefix = os.path.join(root, "out", "2026-01-01-0000-test")
        with redirect_stdout(io.StringIO()):
            self.assertEqual(report.main(["report.py", root, prefix]), 0)
        md = read(prefix + ".md")
        self.assertIn("| transient | Warren | 3/3 | 600 | 600 |", md)
        self.assertIn("| transient | RabbitMQ | 3/3 | 200 | 200 |", md)
        self.assertIn("| transient | 3.00× | 3.00× | 1.00× | 1.00× | 1.00× |", md)
        self.assertIn("failed: broker did not start", md)
        self.assertIn("warm-up excluded (s) | 3 |", md)   # capped at a third of a 9 s run
        csv_text = read(prefix + ".csv")
        self.assertIn("transient,warren,median,ok (3/3 rounds ok),600.0,600.0", csv_text)
        svg = read(prefix + ".svg")
        self.assertTrue(svg.startswith("<svg") and svg.rstrip().endswith("</svg>"))
        self.assertIn("Warren/RabbitMQ 3.00×", svg)


JFR_TEXT = """jdk.ExecutionSample {
  startTime = 01:48:15.347
  sampledThread = "warren-pekko.actor.default-dispatcher-7" (javaThreadId = 31)
  state = "STATE_RUNNABLE"
  stackTrace = [
    org.h2.mvstore.Page.binarySearch(Object) line: 10
    io.warren.broker.queue.QueueEntity.onEnqueue(Holder) line: 20
    io.warren.broker.queue.QueueEntity.onEnqueue(Holder) line: 21
  ]
}

jdk.ExecutionSample {
  startTime = 01:48:15.357
  sampledThread = "warren-pekko.actor.default-dispatcher-8" (javaThreadId = 32)
  state = "STATE_RUNNABLE"
  stackTrace = [
    io.warren.amqp.FrameDecoder.decode(ByteString) line: 5
    ...
  ]
}
"""


class JfrHot(unittest.TestCase):
    def test_samples_frames_and_threads_are_parsed(self):
        samples = list(jfr_hot.parse(io.StringIO(JFR_TEXT)))
        self.assertEqual(len(samples), 2)
        self.assertEqual(samples[0][1][0], "org.h2.mvstore.Page.binarySearch(Object)")
        self.assertEqual(jfr_hot.strip_pool_index(samples[0][0]), jfr_hot.strip_pool_index(samples[1][0]))
        self.assertEqual(jfr_hot.package_of("org.h2.mvstore.Page.binarySearch(Object)"), "org.h2.mvstore")

    def test_summary_counts_recursive_frames_once(self):
        out = io.StringIO()
        sys_stdin = sys.stdin
        try:
            sys.stdin = io.StringIO(JFR_TEXT)
            with redirect_stdout(out):
                jfr_hot.main(["jfr_hot.py", "5"])
        finally:
            sys.stdin = sys_stdin
        text = out.getvalue()
        self.assertIn("2 execution samples", text)
        # onEnqueue appears twice in one stack but is one sample out of two: 50%
        self.assertRegex(text, r"\n\s+1\s+50\.0%\s+io\.warren\.broker\.queue\.QueueEntity\.onEnqueue\(Holder\)")


if __name__ == "__main__":
    unittest.main()
