/* 走访 field app (/m/), the entry module: places, categories and open consultations (征集) from the API kept in
   IndexedDB, visits and consultation answers recorded offline into an IndexedDB outbox and sent to the server when
   the network is there. A record leaves the phone's list of unsent work only when the server has confirmed it.
   Modules: db (IndexedDB), net (requests), places, location, photos and form (recording a visit), consult (the
   consultations and their answers), outbox, sync and uploads (sending it). */

import { formError, showNetwork, showTab } from "./ui.js";
import { STORAGE_FAILED } from "./db.js";
import { onPlaceTapped, refreshReference, renderPlaces, restoreReference } from "./places.js";
import { watchLocation } from "./location.js";
import { onPhotosChosen } from "./photos.js";
import { addProblem, onSave, setStartedNow } from "./form.js";
import { listenConsultations, refreshConsultations, restoreConsultations } from "./consult.js";
import { pruneSynced, renderOutbox } from "./outbox.js";
import { showStoredLastSync, sync } from "./sync.js";

const PERIOD = 30 * 1000;
const body = document.body;

function registerWorker() {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(() => {});
}

// The places, categories and the consultations open at my places, as the server has them now.
function refreshAll() {
  return refreshReference().then(refreshConsultations);
}

function listen() {
  listenConsultations();
  window.addEventListener("hashchange", showTab);
  window.addEventListener("online", () => {
    showNetwork();
    refreshAll();
    sync({ force: true });
  });
  window.addEventListener("offline", showNetwork);
  document.getElementById("visit-form").addEventListener("submit", onSave);
  document.getElementById("add-problem").addEventListener("click", addProblem);
  document.getElementById("sync-now").addEventListener("click", () => {
    sync({ force: true });
  });
  document.getElementById("refresh-places").addEventListener("click", refreshAll);
  document.getElementById("places-filter").addEventListener("input", renderPlaces);
  document.getElementById("f-photos").addEventListener("change", onPhotosChosen);
  document.getElementById("places-list").addEventListener("click", onPlaceTapped);
}

// A module runs once the document is parsed, so the page's elements are all there.
function start() {
  listen();
  showTab();
  showNetwork();
  setStartedNow();
  watchLocation();
  Promise.all([restoreReference(), restoreConsultations(), showStoredLastSync()])
    .then(() => {
      body.dataset.ready = "1";
      return pruneSynced();
    })
    .then(renderOutbox)
    .then(() => {
      const ready = navigator.onLine ? refreshAll() : Promise.resolve();
      ready.then(() => {
        body.dataset.placesLoaded = "1";
      });
      // The worker installs after the page's own requests, so the two do not compete.
      return sync({ force: true }).then(registerWorker);
    })
    .catch(() => {
      formError(STORAGE_FAILED);
    });
  setInterval(() => {
    sync();
  }, PERIOD);
}

start();
