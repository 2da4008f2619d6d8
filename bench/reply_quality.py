"""Does text.replies score a real government reply above degraded versions of it?

    .venv/bin/python bench/reply_quality.py [--show 20]

On ../shared/data/teddy2020/messages_with_replies.csv (read in place): for every message with a reply, the
real reply against five degraded ones (text/tests/reply_pairs.py: 已办, a random other reply, the reply to
the most similar other message, the reply cut after its first clause, the same reply 60 days later). The
weights of text/replies.py were chosen on the messages with even numbers, and the topics of its ReplyModel
are fitted on their (message, reply) pairs only; the odd ones are the report. A second run scores without
the topics (a model fitted on the words alone, as a deployment has before it has replies of its own).
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
    from text.replies import ReplyModel, score_reply
    from text.tests.reply_pairs import KINDS, compare, fit_model, load_messages

    reset_terms([])  # the teddy2020 places are pseudonymised (A市, A2区): the region table has none of them
    started = time.perf_counter()
    messages = load_messages(CSV)
    model = fit_model(messages, parity=0)
    print(
        f"machine: {machine()}; {len(messages)} messages with a reply; model fitted in "
        f"{time.perf_counter() - started:.1f} s ({model.topics} topics on the even half's pairs)"
    )
    words_only = ReplyModel(model.weights)
    issue_kinds = [kind for kind in KINDS if kind != "same_topic"]
    for name, scorer_model in (("with topics", model), ("words only", words_only)):
        print(f"\n{name}\n| half | messages | " + " | ".join(KINDS) + " | issue's four | all five |")
        for parity, label in ((0, "even (tuned on)"), (1, "odd (report)")):
            chosen = [index for index, message in enumerate(messages) if int(message.number) % 2 == parity]
            pairs = compare(messages, chosen, model=scorer_model)
            cells = " | ".join(
                f"{pairs.rate(kind):.3f} ({pairs.above[kind]}/{pairs.total[kind]}; "
                f"{pairs.identical[kind]} left out)"
                for kind in KINDS
            )
            four = sum(pairs.above[k] for k in issue_kinds) / sum(pairs.total[k] for k in issue_kinds)
            print(f"| {label} | {len(chosen)} | {cells} | {four:.3f} | {pairs.rate():.3f} |")
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
            model=model,
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
