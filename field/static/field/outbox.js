/* The outbox: the visits recorded on this phone with their state (pending, syncing, synced, conflict, invalid)
   and their photos, the consultation answers heard (the same states), and the list the cadre sees of them. A
   record leaves the phone only once the server has confirmed it. */

import { format, gettext, joinList, ngettext, timeText } from "./i18n.js";
import { getAll, tx } from "./db.js";

// A confirmed visit stays in the list this long, for the cadre to look back on.
const KEEP_SYNCED = 30 * 24 * 60 * 60 * 1000;

const STATE_TEXT = {
  pending: gettext("waiting to sync"),
  syncing: gettext("syncing"),
  synced: gettext("synced"),
  conflict: gettext("conflict"),
  invalid: gettext("refused"),
};

// Visits live in the "outbox" store, consultation answers in "answers".
export function putRecords(records, store) {
  const name = store || "outbox";
  return tx([name], "readwrite", (t) => {
    const s = t.objectStore(name);
    records.forEach((record) => {
      s.put(record);
    });
  });
}

export function saveAnswer(record) {
  return putRecords([record], "answers");
}

// The visit and its photos in one transaction: either both are on the phone or neither is.
export function saveVisit(record, photos) {
  return tx(["outbox", "photos"], "readwrite", (t) => {
    t.objectStore("outbox").put(record);
    const store = t.objectStore("photos");
    photos.forEach((p) => {
      store.put(p);
    });
  });
}

// Per visit: how many photos it has, and how many arrived or failed.
function photoSummaries(photos) {
  const byVisit = {};
  photos.forEach((p) => {
    const s = (byVisit[p.visit_uuid] = byVisit[p.visit_uuid] || { total: 0, uploaded: 0, failed: [] });
    s.total += 1;
    if (p.state === "uploaded") {
      s.uploaded += 1;
    } else if (p.state === "failed") {
      s.failed.push(p.message || "");
    }
  });
  return byVisit;
}

function photoLine(record, summary) {
  const line = document.createElement("div");
  line.className = "photos-state";
  line.dataset.testid = "photos";
  line.dataset.total = String(summary.total);
  line.dataset.uploaded = String(summary.uploaded);
  line.dataset.failed = String(summary.failed.length);
  const counts = { uploaded: summary.uploaded, total: summary.total };
  line.textContent =
    record.state !== "synced" && summary.uploaded < summary.total
      ? format(gettext("Photos %(uploaded)s/%(total)s uploaded (the others once the visit is synced)"), counts)
      : format(gettext("Photos %(uploaded)s/%(total)s uploaded"), counts);
  if (summary.failed.length) {
    const failed = document.createElement("div");
    failed.className = "message";
    failed.dataset.testid = "photo-message";
    const n = summary.failed.length;
    failed.textContent = format(
      ngettext("%(count)s photo failed to upload: %(reasons)s", "%(count)s photos failed to upload: %(reasons)s", n),
      { count: n, reasons: joinList(summary.failed) }
    );
    line.appendChild(failed);
  }
  return line;
}

// The item with its first line: the place, and the record's state.
function outboxHead(r) {
  const li = document.createElement("li");
  li.dataset.uuid = r.uuid;
  li.dataset.state = r.state;
  const head = document.createElement("div");
  head.className = "head";
  const place = document.createElement("strong");
  place.textContent = r.place_name;
  const state = document.createElement("span");
  state.className = "state";
  state.dataset.state = r.state;
  state.textContent = STATE_TEXT[r.state] || r.state;
  head.appendChild(place);
  head.appendChild(state);
  li.appendChild(head);
  return li;
}

function appendMessage(li, r) {
  if (r.message) {
    const message = document.createElement("div");
    message.className = "message";
    message.dataset.testid = "message";
    message.textContent = r.message;
    li.appendChild(message);
  }
}

function outboxItem(r, summary) {
  const li = outboxHead(r);
  const info = document.createElement("div");
  info.className = "muted";
  const n = r.body.problems.length;
  const parts = [
    timeText(Date.parse(r.body.started_at)),
    format(ngettext("%(count)s household", "%(count)s households", r.body.households_reached), {
      count: r.body.households_reached,
    }),
    format(ngettext("%(count)s person", "%(count)s people", r.body.people_met), { count: r.body.people_met }),
  ];
  if (n) {
    parts.push(format(ngettext("%(count)s problem", "%(count)s problems", n), { count: n }));
  }
  info.textContent = parts.join(" · ");
  li.appendChild(info);
  if (summary) {
    li.appendChild(photoLine(r, summary));
  }
  appendMessage(li, r);
  return li;
}

// One person's answers to a consultation: where, which consultation, when, how many questions answered.
function answerItem(r) {
  const li = outboxHead(r);
  li.dataset.kind = "answer";
  const info = document.createElement("div");
  info.className = "muted";
  const answered = r.body.answers.filter((a) => a).length;
  info.textContent = [
    format(gettext("Consultation: %(title)s"), { title: r.title }),
    timeText(Date.parse(r.body.answered_at)),
    format(gettext("%(answered)s of %(total)s questions answered"), {
      answered: answered,
      total: r.body.answers.length,
    }),
  ].join(" · ");
  li.appendChild(info);
  appendMessage(li, r);
  return li;
}

export function renderOutbox() {
  return Promise.all([getAll("outbox"), getAll("photos"), getAll("answers")]).then((stored) => {
    const summaries = photoSummaries(stored[1]);
    const records = stored[0].concat(stored[2].map((r) => Object.assign({ is_answer: true }, r)));
    records.sort((a, b) => b.created_at - a.created_at);
    const list = document.getElementById("outbox-list");
    list.textContent = "";
    let unsent = 0;
    records.forEach((r) => {
      if (r.state === "pending" || r.state === "syncing") {
        unsent += 1;
      }
      list.appendChild(r.is_answer ? answerItem(r) : outboxItem(r, summaries[r.uuid]));
    });
    document.getElementById("outbox-empty").hidden = records.length > 0;
    const badge = document.querySelector("[data-testid=pending-count]");
    badge.textContent = String(unsent);
    badge.classList.toggle("has", unsent > 0);
  });
}

export function pruneSynced() {
  const limit = Date.now() - KEEP_SYNCED;
  return tx(["outbox", "photos", "answers"], "readwrite", (t) => {
    t.objectStore("answers").openCursor().onsuccess = (e) => {
      const cursor = e.target.result;
      if (!cursor) {
        return;
      }
      const r = cursor.value;
      if (r.state === "synced" && r.synced_at && r.synced_at < limit) {
        cursor.delete();
      }
      cursor.continue();
    };
    const photos = t.objectStore("photos");
    photos.getAll().onsuccess = (event) => {
      // A visit whose photos are still on their way stays, so that they can still be sent.
      const unfinished = {};
      (event.target.result || []).forEach((p) => {
        if (p.state === "waiting" || p.state === "uploading") {
          unfinished[p.visit_uuid] = true;
        }
      });
      t.objectStore("outbox").openCursor().onsuccess = (e) => {
        const cursor = e.target.result;
        if (!cursor) {
          return;
        }
        const r = cursor.value;
        // Only records the server has confirmed may leave the phone.
        if (r.state === "synced" && r.synced_at && r.synced_at < limit && !unfinished[r.uuid]) {
          cursor.delete();
          photos.index("visit_uuid").openCursor(IDBKeyRange.only(r.uuid)).onsuccess = (pe) => {
            const photoCursor = pe.target.result;
            if (photoCursor) {
              photoCursor.delete();
              photoCursor.continue();
            }
          };
        }
        cursor.continue();
      };
    };
  });
}
