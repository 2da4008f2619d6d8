/* IndexedDB on the phone: the places, categories and open consultations (征集) kept for offline use, the outbox
   of recorded visits, their photos, the consultation answers heard, and a few dates (the "meta" store). Records
   are keyed by the UUID the phone gives them, which is also how the server recognises a record it already has. */

import { gettext } from "./i18n.js";
import { notice } from "./ui.js";

// One database per cadre: a page signed in as one cadre never reads, or sends, another cadre's outbox.
const DB_NAME = "zoufang-field-" + (document.body.dataset.user || "anonymous");
const DB_VERSION = 3;

export const STORAGE_FAILED = gettext("This phone's storage is unavailable; nothing can be saved offline");

let dbPromise = null;

// Each version adds to what the phone already holds: an outbox written by an older page must survive.
function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore("outbox", { keyPath: "uuid" });
    db.createObjectStore("places", { keyPath: "code" });
    db.createObjectStore("categories", { keyPath: "code" });
    db.createObjectStore("meta", { keyPath: "key" });
  }
  if (oldVersion < 2) {
    // Photos (JPEG Blobs) of recorded visits, until the server has them.
    const photos = db.createObjectStore("photos", { keyPath: "uuid" });
    photos.createIndex("visit_uuid", "visit_uuid", { unique: false });
  }
  if (oldVersion < 3) {
    // The consultations open at my places, and the answers heard, until the server has them.
    db.createObjectStore("consultations", { keyPath: "id" });
    db.createObjectStore("answers", { keyPath: "uuid" });
  }
}

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        upgrade(request.result, event.oldVersion || 0);
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer page (after an update) wants to upgrade the database: let it; this page opens it again when it
        // next needs it.
        db.onversionchange = () => {
          db.close();
          dbPromise = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        dbPromise = null;
        reject(request.error);
      };
      // An older page in another tab still holds the database; the upgrade waits until it is closed.
      request.onblocked = () => {
        notice(gettext("Close the other open visit pages before going on"));
      };
    });
  }
  return dbPromise;
}

// Runs `work(transaction)` and resolves to what it returned once the transaction has committed.
export function tx(stores, mode, work) {
  return openDb().then(
    (db) =>
      new Promise((resolve, reject) => {
        const t = db.transaction(stores, mode);
        let result;
        t.oncomplete = () => {
          resolve(result);
        };
        t.onerror = () => {
          reject(t.error);
        };
        t.onabort = () => {
          reject(t.error);
        };
        result = work(t);
      })
  );
}

export function getAll(store) {
  return openDb().then(
    (db) =>
      new Promise((resolve, reject) => {
        const request = db.transaction(store, "readonly").objectStore(store).getAll();
        request.onsuccess = () => {
          resolve(request.result || []);
        };
        request.onerror = () => {
          reject(request.error);
        };
      })
  );
}

export function replaceAll(store, items) {
  return tx([store], "readwrite", (t) => {
    const s = t.objectStore(store);
    s.clear();
    items.forEach((item) => {
      s.put(item);
    });
  });
}

export function setMeta(key, value) {
  return tx(["meta"], "readwrite", (t) => {
    t.objectStore("meta").put({ key: key, value: value });
  });
}

export function getMeta(key) {
  return getAll("meta").then((rows) => {
    const row = rows.filter((r) => r.key === key)[0];
    return row ? row.value : null;
  });
}

// A version-4 UUID; by hand where crypto.randomUUID is missing (older browsers, pages not served over HTTPS).
export function newUuid() {
  if (window.crypto && crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.prototype.map.call(b, (x) => (x + 0x100).toString(16).slice(1)).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}
