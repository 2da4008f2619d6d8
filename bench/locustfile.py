"""The mixed workload of the seven personas (DESIGN §1) for bench/load_mixed.py; not run on its own.

Each simulated user signs in as one demo account of its role (the plan file, LOCUST_PLAN, names them), then
works as that role does: visitors record visits, dispatchers register and read appeals, handlers and unit
heads read their queues, supervisors the flags and overdue items, leaders the dashboards, admins the reference
lists. Every user also calls the trivial endpoint (/healthz) now and then, so that its latency, measured in the
same run, shows what the framework and the machine cost by themselves. Created visits (by UUID) and appeals (by
id) are written to LOCUST_CREATED when the run stops, for the check of lost writes.
"""

import itertools
import json
import os
import random
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOCUST_PLAN"]).read_text(encoding="utf-8"))
CREATED: dict[str, list[Any]] = {"visits": [], "appeals": []}
LOCK = threading.Lock()
_accounts = {role: itertools.cycle(names) for role, names in PLAN["accounts"].items()}
PASSWORD = PLAN["password"]


@events.test_stop.add_listener
def _write_created(**kwargs: Any) -> None:
    with open(os.environ["LOCUST_CREATED"], "w", encoding="utf-8") as out:
        json.dump(CREATED, out)


class Persona(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.username = next(_accounts[self.role])
        response = self.client.post(
            "/api/v1/auth/token",
            json={"username": self.username, "password": PASSWORD, "name": "locust"},
            name="POST /api/v1/auth/token",
        )
        self.client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        self.rng = random.Random(self.username)

    def get(self, path: str, name: str | None = None) -> Any:
        return self.client.get(path, name=name or path)

    @task(1)
    def trivial(self) -> None:
        self.client.get("/healthz", name="GET /healthz (trivial)")


class Visitor(Persona):
    role = "visitor"

    def on_start(self) -> None:
        super().on_start()
        places = self.get("/api/v1/me/places").json()
        self.villages = [v["code"] for v in places["villages"]] or PLAN["villages"]

    @task(4)
    def record_visit(self) -> None:
        started = datetime.now(UTC) - timedelta(minutes=self.rng.randint(30, 60 * 24 * 5))
        body = {
            "uuid": str(uuid.uuid4()),
            "place_code": self.rng.choice(self.villages),
            "started_at": started.isoformat(),
            "households_reached": self.rng.randint(1, 30),
            "people_met": self.rng.randint(1, 60),
            "notes": f"入户走访{self.rng.randint(1, 10**6)}户，了解群众生产生活情况，宣传反诈知识。",
        }
        response = self.client.post("/api/v1/visits", json=body, name="POST /api/v1/visits")
        if response.status_code in (200, 201):
            with LOCK:
                CREATED["visits"].append(body["uuid"])

    @task(2)
    def my_visits(self) -> None:
        self.get("/api/v1/visits?limit=20", "GET /api/v1/visits")


class Dispatcher(Persona):
    role = "dispatcher"

    @task(2)
    def register(self) -> None:
        body = self.rng.choice(PLAN["appeals"])
        response = self.client.post("/api/v1/appeals", json=body, name="POST /api/v1/appeals")
        if response.status_code == 201:
            with LOCK:
                CREATED["appeals"].append(response.json()["id"])

    @task(3)
    def incoming(self) -> None:
        page = self.get("/api/v1/appeals?status=registered&limit=20", "GET /api/v1/appeals").json()
        items = page.get("items") or []
        if items:
            appeal = self.rng.choice(items)["id"]
            self.get(f"/api/v1/appeals/{appeal}", "GET /api/v1/appeals/{id}")


class Handler(Persona):
    role = "handler"

    @task(3)
    def queue(self) -> None:
        page = self.get("/api/v1/appeals?limit=20", "GET /api/v1/appeals").json()
        items = page.get("items") or []
        if items:
            appeal = self.rng.choice(items)["id"]
            self.get(f"/api/v1/appeals/{appeal}/events", "GET /api/v1/appeals/{id}/events")

    @task(1)
    def notifications(self) -> None:
        self.get("/api/v1/notifications/unread-count")


class UnitHead(Persona):
    role = "unit_head"

    @task(2)
    def queue(self) -> None:
        self.get("/api/v1/appeals?limit=20", "GET /api/v1/appeals")

    @task(1)
    def summary(self) -> None:
        self.get("/api/v1/metrics/summary", "GET /api/v1/metrics/summary")


class Supervisor(Persona):
    role = "supervisor"

    @task(2)
    def flags(self) -> None:
        self.get("/api/v1/visit-flags?limit=20", "GET /api/v1/visit-flags")

    @task(2)
    def overdue(self) -> None:
        self.get("/api/v1/appeals?overdue=true&limit=20", "GET /api/v1/appeals")


class Leader(Persona):
    role = "leader"

    @task(2)
    def dashboard(self) -> None:
        self.get("/api/v1/dashboard", "GET /api/v1/dashboard")

    @task(1)
    def rankings(self) -> None:
        self.get("/api/v1/rankings?league=county", "GET /api/v1/rankings")

    @task(1)
    def summary(self) -> None:
        self.get("/api/v1/metrics/summary", "GET /api/v1/metrics/summary")


class Admin(Persona):
    role = "admin"

    @task(1)
    def reference(self) -> None:
        self.get("/api/v1/units?limit=50", "GET /api/v1/units")
        self.get("/api/v1/categories")
        self.get("/api/v1/me")
