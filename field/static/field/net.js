/* Talking to the server: one request at a time, a fresh CSRF token for the cadre the page belongs to, requests
   that give up when the network dies under them, the retry delays, and the API's error shape as text. */

import { format, gettext, joinList } from "./i18n.js";
import { notice } from "./ui.js";

const body = document.body;
const OTHER_USER = "other user";

export const MAX_BACKOFF = 5 * 60 * 1000;
export const SIGN_IN_AGAIN = gettext("Your sign-in has lapsed: go online, sign in again, then sync");

// 5 s, 10 s, 20 s … 5 min for the 1st, 2nd, 3rd … try in a row, with jitter so that phones do not retry in step.
export function backoffDelay(attempt) {
  const delay = Math.min(MAX_BACKOFF, 5000 * Math.pow(2, attempt - 1));
  return delay * (0.75 + Math.random() * 0.5);
}

function csrfToken() {
  const meta = document.querySelector("meta[name=csrf-token]");
  return meta ? meta.getAttribute("content") : "";
}

// The shell may come from the service worker's cache, with a token from an older page; ask for the current one.
// A shell cached for one cadre must not send its outbox under another cadre's session: that refuses.
export function freshToken() {
  return fetch(body.dataset.csrfUrl, { credentials: "same-origin", cache: "no-store" })
    .then((response) => {
      if (!response.ok) {
        return csrfToken();
      }
      return response.json().then((data) => {
        if (data.username !== body.dataset.user) {
          throw new Error(OTHER_USER);
        }
        const meta = document.querySelector("meta[name=csrf-token]");
        if (meta && data.token) {
          meta.setAttribute("content", data.token);
        }
        return data.token || csrfToken();
      });
    })
    .catch((error) => {
      if (error && error.message === OTHER_USER) {
        notice(gettext("Signed in as another account: reload the page; this page's records wait here for their own account"));
        throw error;
      }
      return csrfToken();
    });
}

export function getJson(url) {
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((r) => {
    if (!r.ok) {
      throw new Error("HTTP " + r.status);
    }
    return r.json();
  });
}

// The page's requests run one after another: a phone on a weak network does better without parallel requests,
// and so does the embedded SQLite deployment, where each request also renews the session.
let lane = Promise.resolve();

export function inLane(task) {
  const run = lane.then(task, task);
  lane = run.catch(() => {});
  return run;
}

// A connection that died without a word (a phone leaving coverage mid-request) would otherwise hold the page's
// one request lane for many minutes; what was aborted is simply sent again (same UUIDs).
export function fetchWithin(url, init, timeout) {
  const controller = window.AbortController ? new AbortController() : null;
  const timer = controller
    ? setTimeout(() => {
        controller.abort();
      }, timeout)
    : null;
  const options = Object.assign({}, init, { signal: controller ? controller.signal : undefined });
  return fetch(url, options).then(
    (response) => {
      clearTimeout(timer);
      return response;
    },
    (error) => {
      clearTimeout(timer);
      throw error;
    }
  );
}

// The API's error ({code, message, details}) as one line: the message, then what the details add to it.
export function describeError(error) {
  if (!error) {
    return "";
  }
  const text = error.message || "";
  const details = error.details;
  let extra = [];
  if (details && typeof details === "object" && !Array.isArray(details)) {
    extra = Object.keys(details)
      .map((k) => (typeof details[k] === "string" ? details[k] : ""))
      .filter((v) => v && v !== text);
  } else if (Array.isArray(details)) {
    extra = details.map((d) => (d.loc || []).join(".") + " " + (d.msg || ""));
  }
  if (!extra.length) {
    return text;
  }
  return format(gettext("%(message)s: %(details)s"), { message: text, details: joinList(extra) });
}
