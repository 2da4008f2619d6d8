"""Fair rankings on the demo (issue 11): what the minimum samples, 数据不足 and shared ranks cost over the grouped
queries, and how the demo's leagues come out.

    .venv/bin/python bench/rank_rankings.py [--runs 15]

Against the database `seed_demo` filled (DATABASE_URL or var/zoufang.sqlite3), as qiannan.supervisor (the
prefecture), for the default period (the last complete month): `rankings()` in process for each league,
--runs times after one warm-up, and the Python part alone (`fair_score` + `ranked_with_ties` + `boards` over the
league's rows) timed the same way. Prints one JSON line per league.
"""

import argparse
import json
import os
import time

from _support import database_label, django_setup, machine, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    django_setup()
    from core.period import reporting_period
    from insights.selectors.rankings import (
        boards,
        fair_score,
        league_min_samples,
        league_weights,
        ranked_with_ties,
        rankings,
    )
    from org.models import User

    user = User.objects.get(username="qiannan.supervisor")
    period = reporting_period()
    where = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1] or database_label()
    print(json.dumps({"machine": machine(), "database": where, "period": period.text}, ensure_ascii=False))
    for league in ("county", "township", "department"):
        rankings(user=user, league=league, period=period)
        whole, python = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            ranking = rankings(user=user, league=league, period=period)
            whole.append((time.perf_counter() - started) * 1000)
            weights, samples = league_weights(league), league_min_samples(league)
            started = time.perf_counter()
            for row in ranking.rows:
                fair_score(row.rates, row.counts, weights=weights, min_samples=samples)
            boards(ranked_with_ties(ranking.rows))
            python.append((time.perf_counter() - started) * 1000)
        line = {
            "league": league,
            "members": len(ranking.rows),
            "ranked": len(ranking.rows) - len(ranking.insufficient),
            "insufficient": len(ranking.insufficient),
            "red": len(ranking.red),
            "black": len(ranking.black),
            "rankings_ms": {k: round(v, 1) for k, v in summary(whole).items() if k in ("p50", "p95")},
            "fairness_ms": {k: round(v, 2) for k, v in summary(python).items() if k in ("p50", "p95")},
        }
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
