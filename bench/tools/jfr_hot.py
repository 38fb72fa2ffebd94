#!/usr/bin/env python3
"""Summarises `jfr print --events jdk.ExecutionSample --stack-depth N <file>` read from stdin.

    jfr_hot.py [top-n]

Prints the hottest methods by self samples (top frame), by inclusive samples (anywhere in the stack,
counted once per sample) for Warren's own code (io.warren.*), and the busiest threads.
Standard library only.
"""
import collections
import re
import sys

FRAME = re.compile(r"^\s+(\S.*?)\s+line:\s*\d+")
THREAD = re.compile(r'sampledThread = "([^"]*)"')


def parse(lines):
    """Yields (thread, [frames top-first]) per sample."""
    thread, frames, in_stack = None, [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("jdk.ExecutionSample"):
            thread, frames, in_stack = None, [], False
        elif stripped.startswith("sampledThread"):
            m = THREAD.search(line)
            thread = m.group(1) if m else "?"
        elif stripped.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and stripped == "]":
            in_stack = False
        elif in_stack:
            m = FRAME.match(line)
            if m:
                frames.append(m.group(1))
            elif stripped and stripped != "...":
                frames.append(stripped)
        elif stripped == "}" and frames:
            yield thread or "?", frames
            frames = []


def strip_pool_index(thread):
    # "warren-pekko.actor.default-dispatcher-7" and "-8" are the same kind of thread.
    return re.sub(r"-\d+$", "", thread)


def package_of(frame):
    # "org.h2.mvstore.Page.binarySearch(Object)" -> "org.h2.mvstore": where the time goes, coarsely.
    qualified = frame.split("(", 1)[0]
    parts = qualified.split(".")[:-2]   # drop class and method
    return ".".join(parts[:3]) if parts else qualified


def main(argv):
    top = int(argv[1]) if len(argv) > 1 else 25
    self_counts, warren_inclusive, threads = collections.Counter(), collections.Counter(), collections.Counter()
    packages = collections.Counter()
    total = 0
    for thread, frames in parse(sys.stdin):
        total += 1
        self_counts[frames[0]] += 1
        packages[package_of(frames[0])] += 1
        threads[strip_pool_index(thread)] += 1
        for frame in set(frames):
            if frame.startswith("io.warren."):
                warren_inclusive[frame] += 1
    if total == 0:
        print("no jdk.ExecutionSample events in the recording")
        return 1

    def table(title, counter, what="method"):
        print(f"\n{title}")
        print(f"{'samples':>8} {'share':>6}  {what}")
        for name, n in counter.most_common(top):
            print(f"{n:>8} {100 * n / total:>5.1f}%  {name}")

    print(f"{total} execution samples")
    table(f"Top {top} methods by self time (top of stack)", self_counts)
    if warren_inclusive:
        table(f"Top {top} io.warren methods by inclusive time (anywhere on the stack)", warren_inclusive)
    table(f"Top {top} packages by self time", packages, "package")
    table("Busiest threads (pool indices merged)", threads, "thread")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
