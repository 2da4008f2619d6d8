"""Hot issues by text: how long `manage.py hot_issues` takes on the teddy2020 task-2 messages, and how the
clustering (text.clusters) scales with the number of texts in one group (a county's window of appeals).

    .venv/bin/python bench/hot_issues.py [--runs 3]

1. `manage.py hot_issues --csv ../shared/data/teddy2020/messages_with_votes.csv --out X.xlsx` as a fresh
   process, `--runs` times: wall seconds of the process and the command's own "seconds" (reading, clustering,
   ranking, redacting and writing), median and max; the budget is 10 s.
2. text.clusters.cluster on the first 1,000 / 2,000 / all 4,326 messages (title + text), in-process, median of
   `--runs`: the cost of one county run of insights.services.hot, database aside.
3. What came out: clusters of ≥ 3 messages, the messages in them, the five hottest issues' descriptions.
Needs the teddy2020 data (read in place, never copied) and a migrated database (the segmenter's place names).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import ROOT, django_setup, machine

TEDDY = ROOT.parent / "shared" / "data" / "teddy2020" / "messages_with_votes.csv"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not TEDDY.is_file():
        sys.exit(f"{TEDDY} is absent")
    print(f"machine: {machine()}")
    walls, own = [], []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "hot.xlsx"
        for _ in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "manage.py", "hot_issues", "--csv", str(TEDDY), "--out", str(out)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            walls.append(time.perf_counter() - started)
            line = json.loads(done.stdout.strip().splitlines()[-1])
            own.append(float(line["seconds"]))
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"command: {line}; load average {os.getloadavg()[0]:.1f}")
    print(f"CPU s per run (user + system, mean): {(cpu.ru_utime + cpu.ru_stime) / args.runs:.2f}")
    print(
        f"process wall s: median {statistics.median(walls):.2f}, max {max(walls):.2f}; "
        f"command s: median {statistics.median(own):.2f}, max {max(own):.2f} (budget 10 s)"
    )
    django_setup()
    from insights.exports import message_hot_issues, read_messages
    from text.clusters import Text, cluster

    messages = read_messages(TEDDY)
    texts = [Text(title=m.title, body=m.body) for m in messages]
    cluster(texts[:50])
    for size in (1000, 2000, len(texts)):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            found = cluster(texts[:size])
            times.append(time.perf_counter() - started)
        print(
            f"cluster {size:,} texts: median {statistics.median(times):.2f} s, max {max(times):.2f} s; "
            f"{len(found)} clusters of ≥ 2"
        )
    issues = message_hot_issues(messages)
    inside = sum(len(i.messages) for i in issues)
    print(f"hot issues (≥ 3 messages): {len(issues)}, holding {inside:,} of {len(messages):,} messages")
    for issue in issues[:5]:
        print(
            f"  {issue.rank}. {issue.index:.1f} {len(issue.messages)} msgs  {issue.place}  {issue.description}"
        )


if __name__ == "__main__":
    main()
