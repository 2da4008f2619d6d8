"""Does text.replies score a real government reply above degraded versions of it?

    .venv/bin/python bench/reply_quality.py [--show 20]

On ../shared/data/teddy2020/messages_with_replies.csv (read in place): for every message with a reply, the
real reply against five degraded ones (text/tests/reply_pairs.py: 已办, a random other reply, the reply to
the most similar other message, the reply cut after its first clause, the same reply 60 days later). The
weights of text/replies.py were chosen on the messages with even numbers; the odd ones are the report.
Prints, per half and per kind, the share of pairs where the real reply scores strictly higher, the pairs
left out because the degraded text is the real one, the score distribution of the real replies, the
commonest reasons given, and the throughput of score_reply.
"""

import argparse
import statistics
import time
from collections import Counter

from _support import ROOT, django_setup, machine

CSV = ROOT.parent / "shared" / "data" / "teddy2020" / "messages_with_replies.csv"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show", type=int, default=15, help="failed pairs to print per half")
    args = parser.parse_args()
    if not CSV.exists():
        raise SystemExit(f"{CSV} is not there")
    django_setup()
    from text.chinese import reset_terms
    from text.replies import TermWeights, score_reply
    from text.tests.reply_pairs import KINDS, compare, load_messages

    reset_terms([])  # the teddy2020 places are pseudonymised (A市, A2区): the region table has none of them
    started = time.perf_counter()
    messages = load_messages(CSV)
    weights = TermWeights(message.title + "。" + message.description for message in messages)
    print(
        f"machine: {machine()}; {len(messages)} messages with a reply; weights fitted in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print("| half | messages | " + " | ".join(KINDS) + " | all pairs |")
    for parity, label in ((0, "even (tuned on)"), (1, "odd (report)")):
        chosen = [index for index, message in enumerate(messages) if int(message.number) % 2 == parity]
        pairs = compare(messages, chosen, weights=weights)
        cells = " | ".join(
            f"{pairs.rate(kind):.3f} ({pairs.above[kind]}/{pairs.total[kind]}; {pairs.identical[kind]} left out)"
            for kind in KINDS
        )
        print(f"| {label} | {len(chosen)} | {cells} | {pairs.rate():.3f} |")
        for line in pairs.failures[: args.show]:
            print("   ", line)

    started = time.perf_counter()
    scores = [
        score_reply(
            title=message.title,
            description=message.description,
            reply=message.reply,
            registered_at=message.registered_at,
            replied_at=message.replied_at,
            weights=weights,
        )
        for message in messages
    ]
    seconds = time.perf_counter() - started
    overall = sorted(score.overall for score in scores)
    print(
        f"real replies' overall score: median {statistics.median(overall):.1f}, "
        f"p10 {overall[len(overall) // 10]:.1f}, p90 {overall[9 * len(overall) // 10]:.1f}"
    )
    reasons = Counter(reason.split("“")[0].split("：")[0] for score in scores for reason in score.reasons)
    print("commonest reasons:", "; ".join(f"{reason} {count}" for reason, count in reasons.most_common(8)))
    print(
        f"score_reply: {len(messages)} replies in {seconds:.1f} s = {len(messages) / seconds:.0f} replies/s"
    )


if __name__ == "__main__":
    main()
