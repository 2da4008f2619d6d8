"""The field app's sync survives the server going away in the middle of it: a real server stop (listening socket
closed, every open connection cut) while a batch is in flight, then a new server on the same port. The phone
retries on its own after its backoff, and every visit is on the server exactly once.

The server is Django's WSGI app in a threaded server this test controls (like pytest-django's `live_server`),
so it can be stopped at a chosen moment and started again on the same port. A gate in front of the app holds
the chosen batch request until the server has been stopped; the held request then either never reaches Django
(the process died before its transaction) or runs to its commit with nobody left to hear the answer.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
import uuid as uuid_module
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.utils import timezone
from playwright.sync_api import expect

from campaigns import models as campaigns_models
from tests.e2e.test_field_offline import open_field_app, outbox_states, queue_copies, record_visit

pytestmark = pytest.mark.django_db(transaction=True)

BATCH_PATH = "/api/v1/visits/batch"
APP_BATCH = 100  # BATCH in field/static/field/sync.js
QUEUED = 250  # three batch requests: 100, 100, 50


class BatchGate:
    """WSGI middleware: counts the batch requests, keeps each answer the app gave, and holds request number
    `hold` until the test releases it."""

    def __init__(self, *, hold: int, run_held: bool) -> None:
        self.hold, self.run_held = hold, run_held
        self.seen = 0
        self.answers: list[dict[str, Any]] = []
        self.arrived, self.release, self.finished = threading.Event(), threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def gated(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if environ.get("PATH_INFO") != BATCH_PATH or environ.get("REQUEST_METHOD") != "POST":
                return app(environ, start_response)
            with self.lock:
                self.seen += 1
                number = self.seen
            if number != self.hold:
                return self._answer(app, environ, start_response)
            # The whole request has arrived before the server dies (the body is read now, not after the stop).
            size = int(environ.get("CONTENT_LENGTH") or 0)
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(size))
            self.arrived.set()
            self.release.wait(30)
            try:
                if not self.run_held:  # the process died before Django read the request
                    start_response("503 Service Unavailable", [("Content-Length", "0")])
                    return [b""]
                return self._answer(app, environ, start_response)  # commits; the answer has nowhere to go
            finally:
                self.finished.set()

        return gated

    def _answer(
        self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any], start_response: Any
    ) -> list[bytes]:
        body = b"".join(app(environ, start_response))
        with self.lock:
            self.answers.append(json.loads(body) if body.startswith(b"{") else {"raw": body[:200]})
        return [body]


def one_at_a_time(app: Callable[..., Iterable[bytes]], lock: threading.Lock) -> Callable[..., list[bytes]]:
    """Run each request, body and `close()` (Django's request_finished) included, under `lock`. The threads of
    an in-memory SQLite test database share one connection, and two requests at once would interleave their
    transactions on it ("cannot start a transaction within a transaction")."""

    def serial(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

    return serial


class StoppableServer(ThreadedWSGIServer):
    """Django's threaded test server, plus `kill`: stop listening and cut every open connection, as a dying
    process would. Keep-alive connections would otherwise go on being served by the old server's threads."""

    def __init__(
        self, *args: Any, gate: BatchGate | None, serial: threading.Lock | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.gate, self.serial = gate, serial
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        self.dead = threading.Event()

    def set_app(self, application: Any) -> None:
        if self.serial is not None:
            application = one_at_a_time(application, self.serial)
        # The gate holds its request outside the lock, so the other requests go on meanwhile.
        gated = self.gate.wrap(application) if self.gate else application

        def unless_dead(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            # Chromium sends a request cut off on a keep-alive connection again at once, on another idle
            # connection of its pool, which may not be cut yet: a dead process would not answer it.
            if self.dead.is_set():
                start_response("503 Service Unavailable", [("Content-Length", "0"), ("Connection", "close")])
                return [b""]
            return gated(environ, start_response)

        super().set_app(unless_dead)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def kill(self) -> None:
        self.dead.set()
        self.shutdown()
        self.server_close()
        with self.open_lock:
            cut = list(self.open)
        for conn in cut:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class ServerThread(LiveServerThread):
    def __init__(
        self,
        *,
        port: int,
        gate: BatchGate | None,
        serial: threading.Lock | None,
        connections_override: dict[str, Any],
    ) -> None:
        super().__init__(
            "localhost", StaticFilesHandler, connections_override=connections_override, port=port
        )
        self.gate, self.serial = gate, serial
        self.daemon = True

    def _create_server(self, connections_override: Any = None) -> StoppableServer:
        return StoppableServer(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=True,  # the port is taken again at once, with connections in TIME_WAIT
            connections_override=connections_override,
            gate=self.gate,
            serial=self.serial,
        )

    def terminate(self) -> None:
        httpd = getattr(self, "httpd", None)
        if isinstance(httpd, StoppableServer):
            httpd.kill()
        self.join()


class RestartableServer:
    """The project served on one fixed port; `stop()` and `start()` as often as needed."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        # An in-memory SQLite test database exists only in this connection: the server threads share it.
        self.shared = {
            c.alias: c
            for c in connections.all()
            if c.vendor == "sqlite" and getattr(c, "is_in_memory_db", lambda: False)()
        }
        # One request at a time when they share that connection, across restarts (a held request outlives its server).
        self.serial = threading.Lock() if self.shared else None
        self.thread: ServerThread | None = None
        self.gate: BatchGate | None = None
        self.sharing = False

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self, gate: BatchGate | None = None) -> None:
        if not self.sharing:
            # Shared for as long as this object lives: a request held past a stop still runs to its end.
            for conn in self.shared.values():
                conn.inc_thread_sharing()
            self.sharing = True
        self.gate = gate
        self.thread = ServerThread(
            port=self.port, gate=gate, serial=self.serial, connections_override=self.shared
        )
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error

    def between_requests(self) -> contextlib.AbstractContextManager[Any]:
        """For the test's own queries on that shared connection: wait until no request is running."""
        return self.serial if self.serial is not None else contextlib.nullcontext()

    def stop(self) -> None:
        if self.thread is None:
            return
        self.thread.terminate()
        self.thread = None

    def close(self) -> None:
        self.stop()
        if self.sharing:
            for conn in self.shared.values():
                conn.dec_thread_sharing()
            self.sharing = False


@pytest.fixture
def server(settings: Any) -> Iterator[RestartableServer]:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    running = RestartableServer()
    yield running
    running.stop()
    if running.gate is not None:
        running.gate.release.set()
        if running.gate.arrived.is_set():
            running.gate.finished.wait(20)
    running.close()


def states(page) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in outbox_states(page):
        counts[state] = counts.get(state, 0) + 1
    return counts


@pytest.mark.parametrize(
    "held_request_commits",
    [False, True],
    ids=["server-dies-before-the-commit", "server-commits-but-the-answer-is-lost"],
)
def test_stopping_the_server_mid_sync_loses_and_doubles_nothing(
    page, server, personas, held_request_commits: bool
) -> None:
    Visit = campaigns_models.Visit
    today = timezone.localdate()
    campaigns_models.Campaign.objects.create(
        name="冬春大走访", starts=today - timedelta(days=7), ends=today + timedelta(days=30)
    )
    gate = BatchGate(hold=2, run_held=held_request_commits)
    server.start(gate)
    open_field_app(page, server)

    # 250 visits wait in the outbox: one typed in, the rest copies of it with their own UUIDs.
    page.context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")
    record_visit(page, households=4, notes="走访脱贫户，了解务工和医保情况。")
    queue_copies(page, QUEUED - 1)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.click("[data-tab=outbox]")
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(QUEUED, timeout=15_000)
    uuids = set(page.eval_on_selector_all("#outbox-list li", "items => items.map(li => li.dataset.uuid)"))
    assert len(uuids) == QUEUED

    # Online: the first batch goes through, the second is in flight when the server dies.
    page.context.set_offline(False)
    assert gate.arrived.wait(20), "the second batch never reached the server"
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(APP_BATCH, timeout=15_000)
    expect(page.locator("#outbox-list li[data-state=syncing]")).to_have_count(APP_BATCH, timeout=15_000)
    server.stop()
    gate.release.set()
    assert gate.finished.wait(20)

    # The phone heard nothing: the batch goes back to pending, the rest waits, and it says it will retry.
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(
        QUEUED - APP_BATCH, timeout=15_000
    )
    expect(page.locator("[data-testid=notice]")).to_contain_text("稍后自动重试", timeout=15_000)
    assert page.inner_text("[data-testid=pending-count]") == str(QUEUED - APP_BATCH)
    with server.between_requests():
        stored = Visit.objects.filter(uuid__in=uuids).count()
    heard = [(a.get("created"), a.get("repeated")) for a in gate.answers]
    assert stored == (2 * APP_BATCH if held_request_commits else APP_BATCH), (gate.seen, heard)

    # A new server on the same port; nobody presses anything: the retry after the backoff sends the rest.
    server.start(BatchGate(hold=0, run_held=True))
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(QUEUED, timeout=25_000)
    assert states(page) == {"synced": QUEUED}
    assert page.inner_text("[data-testid=pending-count]") == "0"

    with server.between_requests():
        assert Visit.objects.count() == QUEUED
        assert set(Visit.objects.values_list("uuid", flat=True).distinct()) == {
            uuid_module.UUID(u) for u in uuids
        }
    retried = server.gate.answers
    assert retried[0]["repeated"] == (APP_BATCH if held_request_commits else 0)
    assert retried[0]["created"] == (0 if held_request_commits else APP_BATCH)
    assert all(item["status"] in (200, 201) for answer in retried for item in answer["results"])
    assert sum(answer["created"] for answer in gate.answers + retried) == QUEUED


def test_a_server_that_stays_down_is_tried_again_after_growing_waits(page, server, personas) -> None:
    """Two failed tries in a row: the phone keeps its outbox and backs off (about 5 s, then about 10 s) instead
    of waiting for its 30-second periodic tick."""
    today = timezone.localdate()
    campaigns_models.Campaign.objects.create(
        name="冬春大走访", starts=today - timedelta(days=7), ends=today + timedelta(days=30)
    )
    server.start()
    open_field_app(page, server)
    page.context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")
    record_visit(page, households=2, notes="走访种植大户。")
    page.click("[data-tab=outbox]")
    server.stop()

    def batch_failed(request) -> bool:
        return request.url.endswith(BATCH_PATH)

    with page.expect_event("requestfailed", predicate=batch_failed, timeout=10_000):
        page.context.set_offline(False)  # nothing listens on the port: the first try fails at once
    first = time.monotonic()
    expect(page.locator("[data-testid=notice]")).to_contain_text("稍后自动重试", timeout=15_000)
    page.wait_for_event("requestfailed", predicate=batch_failed, timeout=10_000)
    second = time.monotonic()
    assert 3 < second - first < 8, second - first  # 5 s ± 25 %
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(1, timeout=15_000)

    server.start()
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(1, timeout=20_000)
    third = time.monotonic()
    assert 6 < third - second < 20, third - second  # 10 s ± 25 %, and the sync itself
    assert campaigns_models.Visit.objects.count() == 1
