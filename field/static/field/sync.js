/* Sending the outbox: unsent visits go to POST /api/v1/visits/batch in batches, oldest first, and each record
   takes the server's answer as its state; then the consultation answers heard go the same way to POST
   /api/v1/consultations/answers/batch. The server treats the same client UUID as the same record, so sending
   twice is harmless (DESIGN §2, principle 3); after a failure the next try waits a growing backoff. Then the
   photos of the visits that arrived follow. */

import { format, gettext, timeText } from "./i18n.js";
import { notice } from "./ui.js";
import { getAll, getMeta, setMeta } from "./db.js";
import { SIGN_IN_AGAIN, backoffDelay, describeError, fetchWithin, freshToken, inLane } from "./net.js";
import { putRecords, renderOutbox } from "./outbox.js";
import { uploadPhotos } from "./uploads.js";

const BATCH = 100;
const SEND_TIMEOUT = 60 * 1000;

let syncing = false;
let failures = 0;
let notBefore = 0;
let retryTimer = null;

function showLastSync(at) {
  document.getElementById("last-sync").textContent = format(gettext("Last synced %(time)s"), { time: timeText(at) });
}

export function showStoredLastSync() {
  return getMeta("last_sync").then((at) => {
    if (at) {
      showLastSync(at);
    }
  });
}

// After a failed sync the next try comes when the backoff ends, not only at the next periodic tick.
function backoff() {
  failures += 1;
  notBefore = Date.now() + backoffDelay(failures);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    sync();
  }, notBefore - Date.now() + 50);
}

// Where each kind of record goes: its store on the phone, its batch endpoint and the body's list.
const VISITS = { store: "outbox", url: "/api/v1/visits/batch", key: "visits" };
const ANSWERS = { store: "answers", url: "/api/v1/consultations/answers/batch", key: "items" };

function sendBatch(records, token, kind) {
  const payload = {};
  payload[kind.key] = records.map((r) => r.body);
  return fetchWithin(
    kind.url,
    {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload),
    },
    SEND_TIMEOUT
  );
}

// One record takes its result: confirmed (201 stored, 200 already stored), refused (409, 422), or still unsent.
function takeResult(r, result, now) {
  const status = result ? result.status : 0;
  if (status === 201 || status === 200) {
    r.state = "synced";
    r.server_id = result.id;
    r.synced_at = now;
    r.message = "";
  } else if (status === 409) {
    r.state = "conflict";
    r.message =
      describeError(result.error) || gettext("The server already holds a different record under the same number");
    r.details = result.error || null;
  } else if (status === 422) {
    r.state = "invalid";
    r.message = describeError(result.error);
    r.details = result.error || null;
  } else {
    r.state = "pending";
  }
}

// Applies the server's answer for one batch; resolves to false when the batch must be tried again later.
function applyAnswer(records, response, kind) {
  if (!response.ok) {
    if (response.status === 401 || response.status === 403) {
      notice(SIGN_IN_AGAIN);
    }
    records.forEach((r) => {
      r.state = "pending";
    });
    return putRecords(records, kind.store).then(() => false);
  }
  return response.json().then((data) => {
    const results = data.results || [];
    const now = Date.now();
    records.forEach((r, i) => {
      let result = results[i];
      if (!result || result.uuid !== r.uuid) {
        result = results.filter((x) => x && x.uuid === r.uuid)[0];
      }
      takeResult(r, result, now);
    });
    return putRecords(records, kind.store).then(() => records.every((r) => r.state !== "pending"));
  });
}

// Sends `unsent` batch by batch; resolves to false as soon as one batch must be tried again later.
function sendAll(unsent, token, kind) {
  function next(start) {
    const batch = unsent.slice(start, start + BATCH);
    if (!batch.length) {
      return Promise.resolve(true);
    }
    batch.forEach((r) => {
      r.state = "syncing";
    });
    return putRecords(batch, kind.store)
      .then(renderOutbox)
      .then(() =>
        sendBatch(batch, token, kind).then(
          (response) => applyAnswer(batch, response, kind),
          () => {
            batch.forEach((r) => {
              r.state = "pending";
            });
            return putRecords(batch, kind.store).then(() => false);
          }
        )
      )
      .then((ok) => renderOutbox().then(() => (ok ? next(start + BATCH) : false)));
  }
  return next(0);
}

// "syncing" left behind by a closed page was never confirmed: send it again.
function unsentOf(records) {
  return records
    .filter((r) => r.state === "pending" || r.state === "syncing")
    .sort((a, b) => a.created_at - b.created_at);
}

// An answer heard at a visit still in the outbox waits for it; it then names the visit if the server took it.
// The body is settled once, before its first sending, so that a repeat is the same body.
function readyAnswers(answers, visits) {
  const byUuid = {};
  visits.forEach((v) => {
    byUuid[v.uuid] = v;
  });
  const ready = [];
  answers.forEach((a) => {
    const visit = a.visit_uuid && !a.settled ? byUuid[a.visit_uuid] : null;
    if (visit && (visit.state === "pending" || visit.state === "syncing")) {
      return;
    }
    if (!a.settled) {
      if (visit && visit.state === "synced") {
        a.body.visit_uuid = visit.uuid;
      }
      a.settled = true;
    }
    ready.push(a);
  });
  return ready;
}

function sendKind(kind, records, tokenOf) {
  if (!records.length) {
    return Promise.resolve(true);
  }
  return tokenOf().then((token) => sendAll(records, token, kind));
}

function syncNow(options) {
  const force = options && options.force;
  if (syncing || !navigator.onLine || (!force && Date.now() < notBefore)) {
    return Promise.resolve();
  }
  syncing = true;
  let token = null;
  // One fresh token for the whole round, asked for only when there is something to send.
  const tokenOf = () => (token ? Promise.resolve(token) : freshToken().then((t) => (token = t)));
  return getAll("outbox")
    .then((records) => sendKind(VISITS, unsentOf(records), tokenOf))
    .then((visitsOk) => {
      if (!visitsOk) {
        return false; // the network or the server is away: the answers wait for the next round too
      }
      return Promise.all([getAll("answers"), getAll("outbox")]).then((stored) =>
        sendKind(ANSWERS, readyAnswers(unsentOf(stored[0]), stored[1]), tokenOf)
      );
    })
    .then((ok) => {
      if (ok) {
        failures = 0;
        notBefore = 0;
        const at = Date.now();
        showLastSync(at);
        return setMeta("last_sync", at);
      }
      backoff();
      notice(gettext("The network or the server is unavailable for now; trying again shortly"));
      return undefined;
    })
    .catch(() => {
      backoff();
    })
    .then(() => {
      syncing = false;
      return renderOutbox();
    });
}

// Visits first; then the photos of the visits the server has.
export function sync(options) {
  return inLane(() => syncNow(options)).then(() => uploadPhotos(options));
}
