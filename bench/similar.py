"""Similar appeals (issue 13, item 3): the lookup among a million appeals on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_similar .venv/bin/python bench/similar.py

Needs `seed_demo`, `seed_scale --appeals 1000000` and `index_similar` first. Takes the dispatcher of each
county; for N appeals registered within the lookup window (random, seeded), asks what triage asks
(`similar_appeals` on the appeal's own text, the appeal excluded) and what registration asks (the title
reworded: its first half dropped, the description cut to its first sentence), with that county's dispatcher's
scope, in process. Prints p50/p95/p99 of the whole lookup (keys, candidate query, scope, re-check) and of the
candidate query alone, and the mean number of candidates and results. Target: p95 ≤ 20 ms.
"""

import argparse
import json
import random
import time

from _support import django_setup, summary

TARGET_P95_MS = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="appeals to look up per kind (default %(default)s)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from appeals.models import Appeal, AppealTextKey
    from appeals.permissions import appeals_visible_to
    from appeals.selectors import SIMILAR_WINDOW, _candidate_ids, similar_appeals, similarity_scorer
    from demo.appeals import demo_cast
    from text.similar import band_keys

    cast = demo_cast()
    since = timezone.now() - SIMILAR_WINDOW
    total = Appeal.objects.count()
    keys = AppealTextKey.objects.count() if total < 2_000_000 else -1
    recent = list(Appeal.objects.filter(created_at__gte=since).values_list("pk", flat=True)[:200_000])
    rng = random.Random(args.seed)
    sample = Appeal.objects.filter(pk__in=rng.sample(recent, min(args.n, len(recent)))).values(
        "pk", "title", "description", "region_id", "category__code"
    )
    visible = {county: appeals_visible_to(user) for county, user in cast.dispatcher.items()}
    for county in {row["region_id"][:6] for row in sample}:
        similarity_scorer(county)  # the IDF sample, once per county (cached for hours in production)
    whole: dict[str, list[float]] = {"triage": [], "registration": []}
    candidates_ms: list[float] = []
    counts = {"candidates": 0, "found": 0, "lookups": 0}
    for row in sample:
        county = row["region_id"][:6]
        scope = visible[f"{county}000000"]
        asks = {
            "triage": (row["title"], row["description"], row["pk"]),
            "registration": (
                row["title"][len(row["title"]) // 2 :],
                row["description"].split("。")[0],
                None,
            ),
        }
        for kind, (title, description, exclude) in asks.items():
            started = time.perf_counter()
            found = similar_appeals(
                scope,
                title=title,
                description=description,
                region_code=row["region_id"],
                category_code=row["category__code"],
                exclude=exclude,
            )
            whole[kind].append((time.perf_counter() - started) * 1000)
            counts["found"] += len(found)
            counts["lookups"] += 1
        started = time.perf_counter()
        ids = _candidate_ids(band_keys(row["title"], row["description"], area=county), since)
        candidates_ms.append((time.perf_counter() - started) * 1000)
        counts["candidates"] += len(ids)
    both = whole["triage"] + whole["registration"]
    result = {
        "appeals": total,
        "text_keys": keys,
        "database": connection.vendor,
        "lookup": summary(both),
        "triage": summary(whole["triage"]),
        "registration": summary(whole["registration"]),
        "candidate_query": summary(candidates_ms),
        "mean_candidates": counts["candidates"] / max(1, len(candidates_ms)),
        "mean_results": counts["found"] / max(1, counts["lookups"]),
        "target_p95_ms": TARGET_P95_MS,
        "met": summary(both)["p95"] <= TARGET_P95_MS,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1, default=lambda v: round(v, 2)))


if __name__ == "__main__":
    main()
