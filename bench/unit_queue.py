"""The unit queue API (DESIGN §9): a busy unit's open tasks, soonest deadline first, one page of 50.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/unit_queue.py

Starts gunicorn (2 gthread workers × 8 threads) on 127.0.0.1:8300, takes a token for the handler of the unit with
the most accepted tasks, then sends sequential GET /api/v1/appeals?unit=..&order=due&task_status=..&limit=50
(20 warm-up, 300 measured) for task_status=accepted and =assigned, and prints p50/p95/p99. Then the same for
the unit head of the prefecture's 人社局, a functional department whose scope is the 条块 rule of DESIGN §4 (the
appeals in which it or a county 人社局 has a part, not its region subtree): its default list (newest first),
its open items soonest deadline first, and its overdue items. With --explain it also prints EXPLAIN (ANALYZE,
BUFFERS) of the list queries. Target: p95 ≤ 100 ms.
"""

import argparse
import http.client
import time

from _support import HOST, PORT, Gunicorn, django_setup, request, summary, token_for

TARGET_P95_MS = 100.0
# The department head's lists: the default one, the open items by deadline, the overdue ones.
DEPARTMENT_QUERIES: tuple[dict[str, str], ...] = (
    {},
    {"order": "due", "status": "in_progress"},
    {"overdue": "true"},
)


def busy_unit() -> tuple[int, str, str, dict[str, int]]:
    """The unit with a handler and the most accepted tasks: (unit id, unit name, handler username, open counts)."""
    from django.db.models import Count

    from appeals.models import UnitTask
    from org.models import Membership, Role

    handlers = dict(
        Membership.objects.filter(role=Role.HANDLER)
        .order_by("-user__username")
        .values_list("unit_id", "user__username")
    )
    counts = (
        UnitTask.objects.filter(status="accepted", unit_id__in=list(handlers))
        .values("unit_id", "unit__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    top = counts[0]
    open_counts = dict(
        UnitTask.objects.filter(unit_id=top["unit_id"])
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return top["unit_id"], top["unit__name"], handlers[top["unit_id"]], open_counts


def department_head() -> tuple[str, str]:
    """The unit head of the prefecture-level 人社局 (a functional department): (username, unit name)."""
    from org.models import Membership, Role, UnitKind, UnitLevel

    member = (
        Membership.objects.filter(
            role=Role.UNIT_HEAD, unit__kind=UnitKind.HUMAN_RESOURCES, unit__level=UnitLevel.PREFECTURE
        )
        .select_related("user", "unit")
        .order_by("user__username")
        .first()
    )
    if member is None:
        raise SystemExit("no unit head of the prefecture 人社局: run seed_demo first")
    return member.user.username, member.unit.name


def explain_department(username: str, query: dict[str, str]) -> str:
    from appeals.permissions import appeals_visible_to
    from appeals.selectors import AppealFilters, appeals_filter, ordered
    from org.models import User

    user = User.objects.get(username=username)
    filters = AppealFilters(
        status=(query["status"],) if "status" in query else (), overdue=True if "overdue" in query else None
    )
    appeals, order = ordered(appeals_filter(appeals_visible_to(user), filters), query.get("order", "newest"))
    return appeals.select_related("policy").order_by(*order)[:51].explain(analyze=True, buffers=True)


def explain(username: str, unit_id: int, task_status: str) -> str:
    from appeals.permissions import appeals_visible_to
    from appeals.selectors import AppealFilters, appeals_filter, ordered
    from org.models import User

    user = User.objects.get(username=username)
    appeals = appeals_filter(appeals_visible_to(user), AppealFilters(unit=unit_id, task_status=task_status))
    appeals, order = ordered(appeals, "due", unit=unit_id)
    return appeals.select_related("policy").order_by(*order)[:51].explain(analyze=True, buffers=True)


def measure(path: str, token: str, *, warmup: int, requests: int) -> dict[str, float]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    for _ in range(warmup):
        status, body = request("GET", path, token=token, connection=conn)
        assert status == 200, (status, body)
    latencies = []
    items = 0
    for _ in range(requests):
        started = time.perf_counter()
        status, body = request("GET", path, token=token, connection=conn)
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, (status, body)
        items = len(body["items"])
    conn.close()
    return {**summary(latencies), "items": items}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--explain", action="store_true", help="print the query plans too")
    args = parser.parse_args()
    django_setup()
    from appeals.models import Appeal

    unit_id, unit_name, username, open_counts = busy_unit()
    print(f"dataset: {Appeal.objects.count():,} appeals; unit {unit_id} {unit_name}: tasks {open_counts}")
    print(f"token user: {username}")
    with Gunicorn():
        token = token_for(username)
        for task_status in ("accepted", "assigned"):
            path = f"/api/v1/appeals?unit={unit_id}&order=due&task_status={task_status}&limit=50"
            result = measure(path, token, warmup=args.warmup, requests=args.requests)
            verdict = "PASS" if result["p95"] <= TARGET_P95_MS else "FAIL"
            print(
                f"GET {path}: n={result['n']:.0f} items/page={result['items']:.0f} p50={result['p50']:.1f} ms "
                f"p95={result['p95']:.1f} ms p99={result['p99']:.1f} ms mean={result['mean']:.1f} ms "
                f"(target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict})"
            )
        head, head_unit = department_head()
        print(f"department head: {head} ({head_unit})")
        head_token = token_for(head)
        for query in DEPARTMENT_QUERIES:
            path = "/api/v1/appeals?" + "&".join(f"{k}={v}" for k, v in {**query, "limit": "50"}.items())
            result = measure(path, head_token, warmup=args.warmup, requests=args.requests)
            verdict = "PASS" if result["p95"] <= TARGET_P95_MS else "FAIL"
            print(
                f"GET {path}: n={result['n']:.0f} items/page={result['items']:.0f} p50={result['p50']:.1f} ms "
                f"p95={result['p95']:.1f} ms p99={result['p99']:.1f} ms mean={result['mean']:.1f} ms "
                f"(target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict})"
            )
    if args.explain:
        for task_status in ("accepted", "assigned"):
            print(f"\nEXPLAIN ANALYZE, task_status={task_status}:\n{explain(username, unit_id, task_status)}")
        for query in DEPARTMENT_QUERIES:
            print(f"\nEXPLAIN ANALYZE, department head {query}:\n{explain_department(head, query)}")


if __name__ == "__main__":
    main()
