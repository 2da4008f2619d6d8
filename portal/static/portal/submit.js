/* The citizen's form: topics by kind, the place picker, "use my location", photos shrunk on the phone, and the
   proof-of-work challenge solved in the background so that a person never notices it. */

import { solve } from "./sha256.js";

const form = document.getElementById("portal-form");
const msg = (name) => form.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || "";

// --- topics follow the kind -------------------------------------------------------------------------------
const topic = document.getElementById("id_topic");
function showTopics() {
  if (!topic) return; // a consultation's answers have no topic
  const kind = form.querySelector("input[name=kind]:checked")?.value || "problem";
  let firstMatch = null;
  topic.querySelectorAll("optgroup").forEach((group) => {
    const on = group.dataset.kind === kind;
    group.hidden = !on;
    group.disabled = !on;
    if (on && !firstMatch) firstMatch = group.querySelector("option");
  });
  if (topic.selectedOptions[0]?.parentElement.disabled && firstMatch) firstMatch.selected = true;
}
form.querySelectorAll("input[name=kind]").forEach((r) => r.addEventListener("change", showTopics));
showTopics();

// --- the place: county → township → village ---------------------------------------------------------------
const levels = ["county", "township", "village"].map((n) => document.getElementById("id_" + n));
function fill(select, items, selected) {
  const placeholder = select.options[0];
  select.textContent = "";
  select.append(placeholder);
  for (const item of items) {
    const option = new Option(item.name, item.code, false, item.code === selected);
    select.append(option);
  }
  select.disabled = items.length === 0;
}
async function children(code) {
  const response = await fetch(form.dataset.placesUrl + "?parent=" + encodeURIComponent(code));
  return response.ok ? (await response.json()).items : [];
}
levels.forEach((select, i) => {
  select.addEventListener("change", async () => {
    for (const below of levels.slice(i + 1)) fill(below, [], "");
    if (select.value && levels[i + 1]) fill(levels[i + 1], await children(select.value), "");
  });
});

// A place filled in from a poster (or chosen before this script ran): offer its siblings too.
(async () => {
  for (let i = 0; i < levels.length - 1; i++) {
    if (!levels[i].value) break;
    const keep = levels[i + 1].value;
    fill(levels[i + 1], await children(levels[i].value), keep);
  }
})();

const locationStatus = document.getElementById("location-status");
document.getElementById("use-location").addEventListener("click", () => {
  if (!navigator.geolocation) {
    locationStatus.textContent = msg("noLocation");
    return;
  }
  locationStatus.textContent = msg("locating");
  navigator.geolocation.getCurrentPosition(
    async (position) => {
      const lat = position.coords.latitude.toFixed(6);
      const lng = position.coords.longitude.toFixed(6);
      document.getElementById("id_latitude").value = lat;
      document.getElementById("id_longitude").value = lng;
      const response = await fetch(form.dataset.placesUrl + "?lat=" + lat + "&lng=" + lng);
      const path = response.ok ? (await response.json()).path : [];
      if (!path.length) {
        locationStatus.textContent = msg("notFound");
        return;
      }
      levels[0].value = path[0].code;
      for (let i = 1; i < levels.length; i++) {
        fill(levels[i], path[i - 1] ? await children(path[i - 1].code) : [], path[i] ? path[i].code : "");
      }
      locationStatus.textContent = msg("located") + path.map((p) => p.name).join("");
    },
    () => {
      locationStatus.textContent = msg("noLocation");
    },
    { timeout: 10000, maximumAge: 60000 }
  );
});

// --- contact or anonymous ---------------------------------------------------------------------------------
const anonymous = document.getElementById("id_anonymous");
function showContact() {
  form.querySelector("[data-contact-fields]").hidden = anonymous.checked;
}
anonymous.addEventListener("change", showContact);
showContact();

// --- photos, shrunk on the phone (a canvas keeps no EXIF; the server strips again anyway) ------------------
const PHOTO_EDGE = 1600;
const maxPhotos = Number(form.dataset.maxPhotos);
const picker = document.getElementById("id_photos");
const carrier = document.getElementById("id_photos_shrunk");
const previews = document.getElementById("photo-previews");
const photoError = document.getElementById("photo-error");
let photos = []; // {file, url}

async function shrink(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.82));
  return new File([blob], "photo.jpg", { type: "image/jpeg" });
}
function renderPhotos() {
  previews.textContent = "";
  const transfer = new DataTransfer();
  photos.forEach((p, i) => {
    transfer.items.add(p.file);
    const li = document.createElement("li");
    const img = document.createElement("img");
    img.src = p.url;
    img.alt = msg("photo") + (i + 1);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button";
    remove.textContent = msg("remove");
    remove.addEventListener("click", () => {
      URL.revokeObjectURL(p.url);
      photos.splice(i, 1);
      renderPhotos();
    });
    li.append(img, remove);
    previews.append(li);
  });
  carrier.files = transfer.files;
  picker.disabled = photos.length >= maxPhotos;
  document.querySelector("label[for=id_photos]").hidden = picker.disabled;
}
let photosReady = Promise.resolve();
picker?.addEventListener("change", () => {
  const chosen = Array.from(picker.files);
  picker.value = "";
  photoError.hidden = true;
  photosReady = (async () => {
    for (const file of chosen) {
      if (photos.length >= maxPhotos) {
        photoError.textContent = msg("tooMany");
        photoError.hidden = false;
        break;
      }
      try {
        const small = await shrink(file);
        photos.push({ file: small, url: URL.createObjectURL(small) });
      } catch {
        photoError.textContent = msg("unreadable");
        photoError.hidden = false;
      }
    }
    renderPhotos();
  })();
});

// --- the challenge ---------------------------------------------------------------------------------------
const challenge = form.querySelector("input[name=challenge]");
const answer = form.querySelector("input[name=answer]");
const solved = solve(challenge.value, Number(challenge.dataset.bits)).then((counter) => {
  answer.value = counter;
});

const status = document.getElementById("submit-status");
let sending = false;
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (sending) return;
  sending = true;
  document.getElementById("portal-submit").disabled = true;
  status.textContent = msg("sending");
  await Promise.all([solved, photosReady]);
  form.submit();
});
form.dataset.ready = "1";
