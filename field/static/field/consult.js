/* Consultations (征集): the ones open at my places (包保), fetched with the places and kept in IndexedDB; at a
   place where one is open the visit form shows "征集：<topic>", and one person's answers are recorded into the
   outbox (the "answers" store) offline, then sent by the sync loop like visits, idempotent by their UUID. */

import { format, gettext } from "./i18n.js";
import { notice } from "./ui.js";
import { STORAGE_FAILED, getAll, newUuid, replaceAll } from "./db.js";
import { getJson, inLane } from "./net.js";
import { describePlace } from "./places.js";
import { renderOutbox, saveAnswer } from "./outbox.js";
import { sync } from "./sync.js";

// An answer recorded at a place soon after a visit there was saved on this phone was heard at that visit.
const SAME_VISIT = 12 * 60 * 60 * 1000;

let consultations = [];
let current = null; // {consultation, place_code, place_name} while the answer form is open
let saving = false;

function loadFromApi() {
  return getJson("/api/v1/me/consultations").then((data) => {
    const items = data.items || [];
    return replaceAll("consultations", items).then(() => items);
  });
}

export function restoreConsultations() {
  return getAll("consultations").then((items) => {
    consultations = items;
    renderCards();
  });
}

// Fetched with the places; offline, or when the server cannot answer, the ones kept last time stay.
export function refreshConsultations() {
  return inLane(() =>
    loadFromApi()
      .then((items) => {
        consultations = items;
        renderCards();
      })
      .catch(() => {})
  );
}

function openAt(code) {
  const today = new Date();
  const day =
    today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" + String(today.getDate()).padStart(2, "0");
  return consultations.filter((c) => c.place_codes.indexOf(code) !== -1 && c.starts <= day && day <= c.ends);
}

// The cards under the place of the visit form: one per consultation open there.
export function renderCards() {
  const box = document.getElementById("consultations");
  const code = document.getElementById("f-place").value;
  box.textContent = "";
  const open = code && code.indexOf("e:") !== 0 ? openAt(code) : [];
  open.forEach((c) => {
    const card = document.createElement("div");
    card.className = "consultation-card";
    card.dataset.id = String(c.id);
    const title = document.createElement("strong");
    title.textContent = format(gettext("Consultation: %(title)s"), { title: c.title });
    const meta = document.createElement("div");
    meta.className = "muted small";
    meta.textContent = format(gettext("%(unit)s, until %(ends)s"), { unit: c.unit, ends: c.ends });
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.dataset.consult = String(c.id);
    button.textContent = gettext("Record one person's answers");
    card.appendChild(title);
    card.appendChild(meta);
    card.appendChild(button);
    box.appendChild(card);
  });
  box.hidden = open.length === 0;
}

function consultError(text) {
  const el = document.getElementById("consult-error");
  el.textContent = text || "";
  el.hidden = !text;
}

function choiceButtons(question) {
  const group = document.createElement("div");
  group.className = "choices";
  group.setAttribute("role", "radiogroup");
  question.choices.forEach((choice) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "choice";
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", "false");
    button.dataset.value = choice;
    button.textContent = choice;
    group.appendChild(button);
  });
  // One choice at most; tapping the chosen one again takes it back.
  group.addEventListener("click", (event) => {
    const tapped = event.target.closest ? event.target.closest("button.choice") : null;
    if (!tapped) {
      return;
    }
    const was = tapped.getAttribute("aria-checked") === "true";
    group.querySelectorAll("button.choice").forEach((b) => {
      b.setAttribute("aria-checked", "false");
    });
    tapped.setAttribute("aria-checked", was ? "false" : "true");
  });
  return group;
}

function questionField(question, i) {
  const fieldset = document.createElement("fieldset");
  fieldset.className = "question";
  fieldset.dataset.index = String(i);
  const legend = document.createElement("legend");
  legend.textContent = i + 1 + ". " + question.text;
  fieldset.appendChild(legend);
  if (question.choices.length) {
    fieldset.dataset.kind = "choice";
    const hint = document.createElement("p");
    hint.className = "muted small";
    hint.textContent = gettext("Tap one; tap it again to take it back");
    fieldset.appendChild(hint);
    fieldset.appendChild(choiceButtons(question));
  } else {
    fieldset.dataset.kind = "text";
    const text = document.createElement("textarea");
    text.rows = 3;
    text.maxLength = 500;
    text.setAttribute("aria-label", question.text);
    fieldset.appendChild(text);
  }
  return fieldset;
}

function showContact() {
  document.getElementById("c-contact").hidden = document.getElementById("c-anonymous").checked;
}

function openForm(consultation) {
  const code = document.getElementById("f-place").value;
  current = { consultation: consultation, place_code: code, place_name: describePlace(code).name };
  document.getElementById("consult-title").textContent = format(gettext("Consultation: %(title)s"), {
    title: consultation.title,
  });
  document.getElementById("consult-meta").textContent = format(gettext("%(unit)s, until %(ends)s"), {
    unit: consultation.unit,
    ends: consultation.ends,
  });
  document.getElementById("consult-text").textContent = consultation.text;
  document.getElementById("consult-place").textContent = format(gettext("Heard at %(place)s"), {
    place: current.place_name,
  });
  const questions = document.getElementById("consult-questions");
  questions.textContent = "";
  consultation.questions.forEach((q, i) => {
    questions.appendChild(questionField(q, i));
  });
  document.getElementById("consult-form").reset();
  showContact();
  consultError("");
  location.hash = "#consult";
  window.scrollTo(0, 0);
}

export function onCardClicked(event) {
  const button = event.target.closest ? event.target.closest("button[data-consult]") : null;
  if (!button) {
    return;
  }
  const id = parseInt(button.dataset.consult, 10);
  const consultation = consultations.filter((c) => c.id === id)[0];
  if (consultation) {
    openForm(consultation);
  }
}

function readAnswers() {
  return Array.prototype.map.call(document.querySelectorAll("#consult-questions .question"), (fs) => {
    if (fs.dataset.kind === "choice") {
      const chosen = fs.querySelector("button.choice[aria-checked=true]");
      return chosen ? chosen.dataset.value : "";
    }
    return fs.querySelector("textarea").value.trim();
  });
}

// The latest visit saved on this phone at the place, if it was saved a short while ago.
function visitHere(code, now) {
  return getAll("outbox").then((visits) => {
    const here = visits
      .filter((v) => v.body.place_code === code && now - v.created_at < SAME_VISIT)
      .sort((a, b) => b.created_at - a.created_at)[0];
    return here ? here.uuid : null;
  });
}

function answerRecord(answers, now, visitUuid) {
  const body = {
    uuid: newUuid(),
    consultation: current.consultation.id,
    place_code: current.place_code,
    answered_at: new Date(now).toISOString(),
    answers: answers,
  };
  if (document.getElementById("c-anonymous").checked) {
    body.anonymous = true;
  } else {
    const name = document.getElementById("c-name").value.trim();
    const phone = document.getElementById("c-phone").value.trim();
    if (name || phone) {
      body.reporter = { name: name, phone: phone };
    }
  }
  return {
    uuid: body.uuid,
    created_at: now,
    state: "pending",
    body: body,
    title: current.consultation.title,
    place_name: current.place_name,
    visit_uuid: visitUuid,
    settled: !visitUuid,
    message: "",
    details: null,
    server_id: null,
    synced_at: null,
  };
}

export function onSaveAnswers(event) {
  event.preventDefault();
  if (saving || !current) {
    return;
  }
  const answers = readAnswers();
  if (!answers.some((a) => a)) {
    consultError(gettext("Please answer at least one question"));
    return;
  }
  saving = true;
  const now = Date.now();
  visitHere(current.place_code, now)
    .then((visitUuid) => saveAnswer(answerRecord(answers, now, visitUuid)))
    .then(() => {
      current = null;
      location.hash = "#record";
      notice(gettext("Saved on this phone; it is sent as soon as there is network"));
      return renderOutbox();
    })
    .then(() => {
      sync({ force: true });
    })
    .catch(() => {
      consultError(STORAGE_FAILED);
    })
    .then(() => {
      saving = false;
    });
}

export function onCancel() {
  current = null;
  location.hash = "#record";
}

export function listenConsultations() {
  document.getElementById("f-place").addEventListener("change", renderCards);
  document.getElementById("consultations").addEventListener("click", onCardClicked);
  document.getElementById("consult-form").addEventListener("submit", onSaveAnswers);
  document.getElementById("consult-cancel").addEventListener("click", onCancel);
  document.getElementById("c-anonymous").addEventListener("change", showContact);
  // Once something is answered, "answer at least one question" no longer applies.
  ["input", "click"].forEach((name) => {
    document.getElementById("consult-questions").addEventListener(name, () => {
      consultError("");
    });
  });
  // The answer form belongs to the consultation chosen on this page; opened afresh it goes back to the visit.
  window.addEventListener("hashchange", () => {
    if (location.hash === "#consult" && !current) {
      location.replace("#record");
    }
  });
  if (location.hash === "#consult") {
    location.replace("#record");
  }
}
