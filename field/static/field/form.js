/* The visit form: problems heard added and removed, what was typed read into a visit, and the visit saved to the
   outbox with its photos. */

import { format, gettext } from "./i18n.js";
import { formError, notice } from "./ui.js";
import { STORAGE_FAILED, newUuid } from "./db.js";
import { describePlace, fillCategorySelect } from "./places.js";
import { currentFix } from "./location.js";
import { clearFormPhotos, photosSettled, takenPhotos } from "./photos.js";
import { renderOutbox, saveVisit } from "./outbox.js";
import { sync } from "./sync.js";

let saving = false;

function localInputValue(date) {
  const two = (n) => String(n).padStart(2, "0");
  return (
    date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) +
    "T" + two(date.getHours()) + ":" + two(date.getMinutes())
  );
}

export function setStartedNow() {
  document.getElementById("f-started").value = localInputValue(new Date());
}

function numberProblems() {
  document.querySelectorAll("#problems .problem").forEach((fs, i) => {
    fs.querySelector(".problem-number").textContent = String(i + 1);
  });
}

export function addProblem() {
  const template = document.getElementById("problem-template");
  const fieldset = template.content.firstElementChild.cloneNode(true);
  fillCategorySelect(fieldset.querySelector(".category-select"));
  const kind = fieldset.querySelector("[name=kind]");
  const risk = fieldset.querySelector(".risk");
  const anonymous = fieldset.querySelector("[name=anonymous]");
  const reporter = fieldset.querySelector(".reporter");
  // A risk colour is asked of disputes only, a reporter only when the problem is not anonymous.
  function showRelevant() {
    risk.hidden = kind.value !== "dispute";
    reporter.hidden = anonymous.checked;
  }
  kind.addEventListener("change", showRelevant);
  anonymous.addEventListener("change", showRelevant);
  fieldset.querySelector(".remove-problem").addEventListener("click", () => {
    fieldset.remove();
    numberProblems();
  });
  showRelevant();
  document.getElementById("problems").appendChild(fieldset);
  numberProblems();
  fieldset.querySelector("[name=title]").focus();
}

function value(root, name) {
  const el = root.querySelector("[name=" + name + "]");
  return el ? el.value.trim() : "";
}

function count(id) {
  const n = parseInt(document.getElementById(id).value, 10);
  return isNaN(n) || n < 0 ? 0 : n;
}

// One problem heard, as POST /api/v1/visits/batch takes it.
function readProblem(fs) {
  const p = {
    kind: value(fs, "kind"),
    title: value(fs, "title"),
    description: value(fs, "description"),
    category: value(fs, "category"),
  };
  if (p.kind === "dispute" && value(fs, "risk_colour")) {
    p.risk_colour = value(fs, "risk_colour");
  }
  if (fs.querySelector("[name=anonymous]").checked) {
    p.anonymous = true;
  } else if (value(fs, "reporter_name") || value(fs, "reporter_phone")) {
    p.reporter = { name: value(fs, "reporter_name"), phone: value(fs, "reporter_phone") };
  }
  if (value(fs, "on_site_reply")) {
    p.on_site_reply = value(fs, "on_site_reply");
  }
  return p;
}

// The visit as the API takes it, with the place's name for the outbox; or {error} saying what is missing.
function readForm() {
  const form = document.getElementById("visit-form");
  const place = form.querySelector("#f-place").value;
  if (!place) {
    return { error: gettext("Please choose the village, community or enterprise visited") };
  }
  const started = new Date(form.querySelector("#f-started").value);
  if (isNaN(started.getTime())) {
    return { error: gettext("Please fill in when the visit took place") };
  }
  const problems = [];
  let error = null;
  form.querySelectorAll("#problems .problem").forEach((fs, i) => {
    const problem = readProblem(fs);
    if (!problem.title || !problem.description || !problem.category) {
      error =
        error ||
        format(gettext("Problem %(number)s needs a title, a description and a category"), { number: i + 1 });
    }
    problems.push(problem);
  });
  if (error) {
    return { error: error };
  }
  const chosen = describePlace(place);
  const visit = {
    uuid: newUuid(),
    started_at: started.toISOString(),
    households_reached: count("f-households"),
    people_met: count("f-people"),
    notes: form.querySelector("#f-notes").value.trim(),
    problems: problems,
  };
  if (chosen.enterprise) {
    visit.enterprise = chosen.enterprise;
  } else {
    visit.place_code = place;
  }
  const suggestions = form.querySelector("#f-suggestions").value.trim();
  if (suggestions) {
    visit.suggestions = suggestions;
  }
  // The household met, only when the visitor filled it in (optional; the server masks it wherever shown).
  const householdName = form.querySelector("#f-household-name").value.trim();
  const householdPhone = form.querySelector("#f-household-phone").value.trim();
  if (householdName || householdPhone) {
    visit.household = { name: householdName, phone: householdPhone };
  }
  const fix = currentFix();
  if (fix) {
    visit.location = { lat: fix.lat, lng: fix.lng };
  }
  return { place_name: chosen.name, body: visit };
}

function resetForm() {
  const form = document.getElementById("visit-form");
  const place = form.querySelector("#f-place").value;
  const keep = form.querySelector("#f-keep-location").checked;
  form.reset();
  form.querySelector("#f-place").value = place; // the next household is usually in the same village
  form.querySelector("#f-keep-location").checked = keep; // a choice, not a per-visit answer
  document.getElementById("problems").textContent = "";
  setStartedNow();
  clearFormPhotos();
  formError("");
}

// The photos' outbox entries; they carry the visit's position only when the cadre chose to keep it.
function photoEntries(visit, now) {
  const location = document.getElementById("f-keep-location").checked ? visit.location : null;
  return takenPhotos().map((p, i) => ({
    uuid: p.uuid,
    visit_uuid: visit.uuid,
    blob: p.blob,
    width: p.width,
    height: p.height,
    taken_at: p.taken_at,
    lat: location ? location.lat : null,
    lng: location ? location.lng : null,
    state: "waiting",
    message: "",
    attempts: 0,
    next_at: 0,
    created_at: now + i,
  }));
}

function outboxRecord(read, now, photoCount) {
  return {
    uuid: read.body.uuid,
    created_at: now,
    state: "pending",
    body: read.body,
    place_name: read.place_name,
    message: "",
    details: null,
    server_id: null,
    synced_at: null,
    photo_count: photoCount,
  };
}

export function onSave(event) {
  event.preventDefault();
  if (saving) {
    return;
  }
  saving = true;
  // Photos still being shrunk belong to this visit: wait for them.
  photosSettled()
    .then(() => {
      const read = readForm();
      if (read.error) {
        formError(read.error);
        return undefined;
      }
      const now = Date.now();
      const photos = photoEntries(read.body, now);
      return saveVisit(outboxRecord(read, now, photos.length), photos)
        .then(() => {
          resetForm();
          notice(gettext("Saved on this phone; it is sent as soon as there is network"));
          return renderOutbox();
        })
        .then(() => {
          sync({ force: true });
        })
        .catch(() => {
          formError(STORAGE_FAILED);
        });
    })
    .then(() => {
      saving = false;
    });
}
