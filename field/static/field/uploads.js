/* Photo uploads: each photo of a visit the server has goes to POST /api/v1/visits/{uuid}/photos, one at a time,
   and is retried with its own backoff until it arrives. Once the server has it, the picture leaves the phone. */

import { gettext } from "./i18n.js";
import { notice } from "./ui.js";
import { getAll, tx } from "./db.js";
import { MAX_BACKOFF, SIGN_IN_AGAIN, backoffDelay, describeError, fetchWithin, freshToken, inLane } from "./net.js";
import { renderOutbox } from "./outbox.js";

const PHOTO_TIMEOUT = 120 * 1000;

let uploading = false;
let photoTimer = null;

function putPhoto(photo) {
  return tx(["photos"], "readwrite", (t) => {
    t.objectStore("photos").put(photo);
  });
}

function photoRetryLater(photo) {
  photo.attempts = (photo.attempts || 0) + 1;
  photo.next_at = Date.now() + backoffDelay(photo.attempts);
  photo.state = "waiting";
  photo.message = "";
  return putPhoto(photo);
}

function postPhoto(photo, token) {
  const form = new FormData();
  form.append("uuid", photo.uuid);
  if (photo.lat !== null && photo.lat !== undefined && photo.lng !== null && photo.lng !== undefined) {
    form.append("lat", String(photo.lat));
    form.append("lng", String(photo.lng));
  }
  if (photo.taken_at) {
    form.append("taken_at", photo.taken_at);
  }
  form.append("file", photo.blob, photo.uuid + ".jpg");
  const url = "/api/v1/visits/" + encodeURIComponent(photo.visit_uuid) + "/photos";
  const init = {
    method: "POST",
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json", "X-CSRFToken": token },
    body: form,
  };
  return fetchWithin(url, init, PHOTO_TIMEOUT);
}

// The server has it: the phone's copy goes, the record of its arrival stays for the outbox.
function uploaded(photo) {
  photo.state = "uploaded";
  photo.blob = null;
  photo.message = "";
  photo.uploaded_at = Date.now();
  return putPhoto(photo);
}

// Refused for good (409 another photo under this UUID, 422 not acceptable): kept, with the reason, not retried.
function refused(photo, response) {
  return response
    .json()
    .catch(() => ({}))
    .then((data) => {
      photo.state = "failed";
      photo.message =
        describeError(data.error) ||
        (response.status === 409 ? gettext("The server already holds a different photo under the same number") : "");
      return putPhoto(photo);
    });
}

// Sends one photo and records the answer; resolves to true when this round of uploads should stop.
function sendPhoto(photo, token) {
  photo.state = "uploading";
  return putPhoto(photo)
    .then(() => postPhoto(photo, token))
    .then(
      (response) => {
        const status = response.status;
        if (status === 201 || status === 200) {
          return uploaded(photo).then(() => false);
        }
        if (status === 409 || status === 422) {
          return refused(photo, response).then(() => false);
        }
        if (status === 401 || status === 403) {
          notice(SIGN_IN_AGAIN);
          return photoRetryLater(photo).then(() => true);
        }
        // 404: the visit has not arrived (or not yet been committed); 5xx: the server is unwell. Later.
        return photoRetryLater(photo).then(() => status >= 500);
      },
      // No network, or the connection died: this photo and the others wait for the next round.
      () => photoRetryLater(photo).then(() => true)
    );
}

function uploadPhotosNow(force) {
  if (uploading || !navigator.onLine) {
    return Promise.resolve();
  }
  uploading = true;
  return Promise.all([getAll("outbox"), getAll("photos")])
    .then((stored) => {
      const arrived = {};
      stored[0].forEach((r) => {
        if (r.state === "synced") {
          arrived[r.uuid] = true;
        }
      });
      const now = Date.now();
      const due = stored[1]
        .filter((p) => {
          // "uploading" left behind by a closed page was never confirmed: send it again (same UUID).
          const open = p.state === "waiting" || p.state === "uploading";
          return open && p.blob && arrived[p.visit_uuid] && (force || (p.next_at || 0) <= now);
        })
        .sort((a, b) => a.created_at - b.created_at);
      if (!due.length) {
        return undefined;
      }
      return freshToken().then((token) => {
        function next(i) {
          if (i >= due.length) {
            return Promise.resolve();
          }
          return sendPhoto(due[i], token).then((stop) => renderOutbox().then(() => (stop ? undefined : next(i + 1))));
        }
        return next(0);
      });
    })
    .catch(() => {})
    .then(() => {
      uploading = false;
      return schedulePhotos();
    })
    .then(renderOutbox);
}

// `force` (the network came back, the cadre asked): every waiting photo now, whatever its backoff.
export function uploadPhotos(options) {
  const force = Boolean(options && options.force);
  return inLane(() => uploadPhotosNow(force));
}

// The next try comes when the earliest waiting photo's backoff ends, not only at the next periodic tick.
function schedulePhotos() {
  return getAll("photos").then((photos) => {
    const times = photos.filter((p) => p.state === "waiting" && p.blob && p.next_at).map((p) => p.next_at);
    clearTimeout(photoTimer);
    if (!times.length) {
      return;
    }
    const wait = Math.max(0, Math.min.apply(null, times) - Date.now()) + 50;
    photoTimer = setTimeout(() => {
      uploadPhotos();
    }, Math.min(wait, MAX_BACKOFF + 1000));
  });
}
