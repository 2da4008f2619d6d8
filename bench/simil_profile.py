"""Where the time of a similar-appeals lookup goes (issue 13 item 3, round 2): each step timed apart.

    DATABASE_URL=postgres://… .venv/bin/python bench/simil_profile.py -n 150

The same sample as bench/similar.py (seeded), triage asks only (the appeal's own text). Steps as
`appeals.selectors.similar_appeals` runs them: the text keys, the scorer (IDF, cached), the one query
(candidates, fetch and scope), the profiles of the text and of the candidates, the scores. Prints p50/p95.
"""

import argparse
import json
import random
import time

from _support import django_setup, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=150)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    django_setup()
    from django.db.models import Q
    from django.utils import timezone

    from appeals.models import Appeal, AppealStatus
    from appeals.permissions import appeals_visible_to
    from appeals.selectors import SIMILAR_WINDOW, _candidates, similarity_scorer
    from demo.appeals import demo_cast
    from text.similar import band_keys

    cast = demo_cast()
    since = timezone.now() - SIMILAR_WINDOW
    recent = list(Appeal.objects.filter(created_at__gte=since).values_list("pk", flat=True)[:200_000])
    rng = random.Random(args.seed)
    sample = Appeal.objects.filter(pk__in=rng.sample(recent, min(args.n, len(recent)))).values(
        "pk", "title", "description", "region_id", "category__code"
    )
    visible = {county: appeals_visible_to(user) for county, user in cast.dispatcher.items()}
    steps: dict[str, list[float]] = {
        k: [] for k in ("keys", "scorer", "query", "profiles", "scores", "whole")
    }
    for row in sample:
        county = row["region_id"][:6]
        clock = time.perf_counter()
        start = clock

        def lap(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            steps[step].append((now - clock) * 1000)
            clock = now

        keys = band_keys(row["title"], row["description"], area=county)
        lap("keys")
        scorer = similarity_scorer(county)
        lap("scorer")
        rows = list(
            visible[f"{county}000000"]
            .filter(pk__in=_candidates(keys, since))
            .exclude(status=AppealStatus.MERGED)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
            .exclude(pk=row["pk"])
            .values_list("id", "code", "title", "description", "status", "category__code")
        )
        lap("query")
        wanted = scorer.profile(row["title"], row["description"], row["category__code"])
        profiles = [scorer.profile(r[2], r[3], r[5]) for r in rows]
        lap("profiles")
        for profile in profiles:
            scorer.score(wanted, profile)
        lap("scores")
        steps["whole"].append((time.perf_counter() - start) * 1000)
    print(json.dumps({k: summary(v) for k, v in steps.items()}, indent=1, default=lambda v: round(v, 2)))


if __name__ == "__main__":
    main()
