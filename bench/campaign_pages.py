"""The campaign pages at scale (issue 11, "Slow pages"): coverage, plan and spot-check pages and the coverage API,
p95 ≤ 300 ms on the demo and ≤ 1 s at 10M visits on PostgreSQL.

    .venv/bin/python bench/campaign_pages.py                        # the demo (SQLite under ./var)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_camp .venv/bin/python bench/campaign_pages.py

The database holds `seed_demo` (and for scale `seed_scale --visits 10000000 --method sql`). Requests go through
the whole Django stack in process (django.test.Client: middleware, sessions, templates, the API's token
authentication), --requests times each after --warmup discarded, one after another; latencies are wall-clock
per answer. Personas: qiannan.supervisor (prefecture scope: coverage, plan, spot-checks) and, for a township's
plan, the same user with ?region=<the township with most villages>. A spot-check of --sample visits of the busiest
visitor's unit is drawn once if none exists (left in place: it is what the supervisors' pages list).
"""

import argparse
import json
import time
from typing import Any

from _support import database_label, django_setup, machine, summary

SUPERVISOR = "qiannan.supervisor"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--only", default="", help="comma-separated page names to run")
    args = parser.parse_args()
    django_setup()
    from django.db.models import Count, Sum
    from django.test import Client

    from campaigns.models import Campaign, SpotCheck, VisitTally
    from campaigns.services import spot_check_draw
    from geo.models import Region
    from org.models import Membership, Unit, User
    from org.services import token_issue

    user = User.objects.get(username=SUPERVISOR)
    campaign = Campaign.objects.filter(is_active=True).order_by("-starts", "-id").first()
    assert campaign is not None, "seed_demo first"
    visits = VisitTally.objects.filter(campaign=campaign).aggregate(n=Sum("visits"))["n"] or 0
    check = SpotCheck.objects.filter(campaign=campaign).order_by("-id").first()
    if check is None:
        # The unit of the busiest visitor, read from the tallies (a join over ten million visits takes long).
        busiest = (
            VisitTally.objects.filter(campaign=campaign)
            .values("visitor")
            .annotate(n=Sum("visits"))
            .order_by("-n")
            .values_list("visitor", flat=True)
            .first()
        )
        unit_id = Membership.objects.filter(user_id=int(busiest or 0)).values_list("unit", flat=True).first()
        check = spot_check_draw(
            actor=user, campaign=campaign, unit=Unit.objects.get(pk=int(unit_id or 0)), size=args.sample
        )
    township = (
        Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith="5227")
        .annotate(n=Count("children"))
        .order_by("-n", "code")
        .first()
    )
    assert township is not None
    county = township.code[:6] + "000000"
    client = Client()
    client.force_login(user)
    token = token_issue(user=user, name="bench").key
    c = campaign.pk
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "coverage prefecture": (f"/campaigns/{c}/coverage/", {}),
        "coverage county": (f"/campaigns/{c}/coverage/?region={county}", {}),
        "coverage township": (f"/campaigns/{c}/coverage/?region={township.code}", {}),
        "plan prefecture": (f"/campaigns/{c}/plan/", {}),
        "plan township": (f"/campaigns/{c}/plan/?region={township.code}", {}),
        "spot-checks": ("/campaigns/spot-checks/", {}),
        "spot-check sample": (f"/campaigns/spot-checks/{check.pk}/", {}),
        "API coverage": (f"/api/v1/campaigns/{c}/coverage", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        "API coverage township": (
            f"/api/v1/campaigns/{c}/coverage?region={township.code}",
            {"HTTP_AUTHORIZATION": f"Bearer {token}"},
        ),
    }
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    results = {}
    for name, (url, headers) in pages.items():
        if only and name not in only:
            continue
        latencies = []
        for i in range(args.requests + args.warmup):
            started = time.perf_counter()
            response = client.get(url, **headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")
            if i >= args.warmup:
                latencies.append(elapsed)
        results[name] = {k: round(v, 1) for k, v in summary(latencies).items()}
        print(f"{name:24} p50 {results[name]['p50']:8.1f} ms  p95 {results[name]['p95']:8.1f} ms", flush=True)
    print(
        json.dumps(
            {"database": database_label(), "machine": machine(), "visits": visits, "pages": results},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
