"""Real replies against degraded ones, on the teddy2020 messages with their government replies.

Shared by text/tests/test_replies.py and bench/reply_quality.py. The CSV is read where it lies
(../shared/data/teddy2020/, never copied into the project). For each message with a reply, five degraded
replies are made, and the real reply should score above each:

- `stock`: "已办";
- `random`: the reply to another message, drawn at random (seeded);
- `same_topic`: the reply to the message most like this one (the most key words in common, weighted), a
  harder case: a reply about the same kind of problem elsewhere;
- `truncated`: the real reply cut after its first clause (a leading salutation such as "网友：您好！" is kept
  and the clause after it taken, so the cut keeps what a hurried reply would);
- `late`: the same text, replied 60 days after the real reply.

A pair whose degraded text is the real text itself (a one-clause reply; another message answered with the same
stock words) is left out and counted.
"""

import csv
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from text.replies import ReplyModel, ReplyScore, TermWeights, key_words, score_reply

KINDS = ("stock", "random", "same_topic", "truncated", "late")
LATE = timedelta(days=60)
_SALUTATION = re.compile(
    r"^\s*(?:[^，。！？：:]{0,20}[：:])?\s*(?:(?:尊敬的|亲爱的)?[^，。！？]{0,12}(?:您好|你好)[！!，,。.]?)?\s*"
)
_CLAUSE = re.compile(r"[^，。！？；!?;,]*[，。！？；!?;,]?")


@dataclass(frozen=True)
class Message:
    number: str
    title: str
    description: str
    reply: str
    registered_at: datetime
    replied_at: datetime


def _time(value: str) -> datetime | None:
    for layout in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), layout)
        except ValueError:
            continue
    return None


def fit_model(messages: list[Message], parity: int = 0) -> ReplyModel:
    """The scorer's model: word weights from every message (unsupervised), topics from the (message, reply)
    pairs of the half with even (`parity` 0) or odd numbers only, so that the other half is measured on
    replies the topics never saw."""
    return ReplyModel.fit(
        (m.title + "。" + m.description for m in messages),
        [(m.title + "。" + m.description, m.reply) for m in messages if int(m.number) % 2 == parity],
    )


def load_messages(path: Path) -> list[Message]:
    """The messages of messages_with_replies.csv with a reply and both times readable."""
    csv.field_size_limit(sys.maxsize)
    messages = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            registered, replied = _time(row["留言时间"]), _time(row["答复时间"])
            if registered and replied and row["答复意见"].strip():
                messages.append(
                    Message(
                        row["留言编号"],
                        row["留言主题"],
                        row["留言详情"],
                        row["答复意见"],
                        registered,
                        replied,
                    )
                )
    return messages


def truncate(reply: str) -> str:
    """The reply up to the end of its first clause, after any salutation."""
    head = _SALUTATION.match(reply)
    start = head.end() if head else 0
    clause = _CLAUSE.match(reply, start)
    return reply[: clause.end() if clause else start].strip()


def nearest(messages: list[Message], weights: TermWeights) -> dict[int, int]:
    """For each message, the other message with the most weighted key words in common (by index)."""
    terms = [set(key_words(m.title + "。" + m.description)) for m in messages]
    index: dict[str, list[int]] = defaultdict(list)
    for position, words in enumerate(terms):
        for word in words:
            index[word].append(position)
    best: dict[int, int] = {}
    for position, words in enumerate(terms):
        shared: dict[int, float] = defaultdict(float)
        for word in words:
            postings = index[word]
            if len(postings) > len(messages) // 20:
                continue  # a word in one message of twenty says no topic
            for other in postings:
                if other != position and messages[other].reply.strip() != messages[position].reply.strip():
                    shared[other] += weights.weight(word) ** 2
        if shared:
            best[position] = max(shared, key=lambda other: shared[other])
    return best


@dataclass
class Pairs:
    above: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    identical: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    failures: list[str] = field(default_factory=list)

    def rate(self, kind: str | None = None) -> float:
        kinds = KINDS if kind is None else (kind,)
        total = sum(self.total[k] for k in kinds)
        return sum(self.above[k] for k in kinds) / total if total else 1.0


def compare(
    messages: list[Message],
    chosen: list[int],
    *,
    model: ReplyModel,
    scorer: Callable[..., ReplyScore] = score_reply,
    seed: int = 13,
) -> Pairs:
    """How often the real reply of each chosen message scores above each of its degraded replies."""
    rng = random.Random(seed)
    neighbours = nearest(messages, model.weights)
    pairs = Pairs()
    for position in chosen:
        message = messages[position]

        def score(reply: str, replied_at: datetime, message: Message = message) -> float:
            return scorer(
                title=message.title,
                description=message.description,
                reply=reply,
                registered_at=message.registered_at,
                replied_at=replied_at,
                model=model,
            ).overall

        real = score(message.reply, message.replied_at)
        other = rng.choice(
            [i for i in (rng.randrange(len(messages)) for _ in range(5)) if i != position] or [0]
        )
        degraded = {
            "stock": (message.reply, "已办", message.replied_at),
            "random": (message.reply, messages[other].reply, message.replied_at),
            "same_topic": (
                message.reply,
                messages[neighbours[position]].reply if position in neighbours else message.reply,
                message.replied_at,
            ),
            "truncated": (message.reply, truncate(message.reply), message.replied_at),
            "late": (message.reply, message.reply, message.replied_at + LATE),
        }
        for kind, (original, text, replied_at) in degraded.items():
            if kind != "late" and text.strip() == original.strip():
                pairs.identical[kind] += 1
                continue
            worse = score(text, replied_at)
            pairs.total[kind] += 1
            if real > worse:
                pairs.above[kind] += 1
            else:
                pairs.failures.append(
                    f"{kind} {message.number}: real {real:.1f} ≤ {worse:.1f} | {message.title}"
                )
    return pairs
