/* Photos taken on the form: shrunk on the phone, previewed, and handed to the visit when it is saved. */

import { format, gettext } from "./i18n.js";
import { formError } from "./ui.js";
import { newUuid } from "./db.js";

// Photos are shrunk on the phone before they are kept: less storage and mobile data, and re-encoding through a
// canvas leaves the camera's EXIF (GPS, device) behind. The server downscales and strips again anyway.
const PHOTO_EDGE = 1600;
const PHOTO_QUALITY = 0.82;
const MAX_PHOTOS = 20;

let formPhotos = []; // {uuid, blob, width, height, taken_at, url}
let photosReady = Promise.resolve();
let photosQueued = 0;

function decodeImage(file) {
  function viaElement() {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => {
        resolve({
          source: img,
          width: img.naturalWidth,
          height: img.naturalHeight,
          release: () => {
            URL.revokeObjectURL(url);
          },
        });
      };
      img.onerror = () => {
        URL.revokeObjectURL(url);
        reject(new Error("unreadable"));
      };
      img.src = url;
    });
  }
  if (!window.createImageBitmap) {
    return viaElement();
  }
  // "from-image": the picture upright as the camera's orientation tag says, like the server does.
  return createImageBitmap(file, { imageOrientation: "from-image" }).then(
    (bitmap) => ({
      source: bitmap,
      width: bitmap.width,
      height: bitmap.height,
      release: () => {
        bitmap.close();
      },
    }),
    viaElement
  );
}

// The photo as a JPEG whose long edge is at most PHOTO_EDGE pixels; a canvas keeps no EXIF.
function shrinkPhoto(file) {
  return decodeImage(file).then((decoded) => {
    const scale = Math.min(1, PHOTO_EDGE / Math.max(decoded.width, decoded.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(decoded.width * scale));
    canvas.height = Math.max(1, Math.round(decoded.height * scale));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff"; // transparent parts of a PNG on white, as JPEG has no transparency
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(decoded.source, 0, 0, canvas.width, canvas.height);
    decoded.release();
    return new Promise((resolve, reject) => {
      canvas.toBlob(
        (blob) => {
          if (!blob) {
            reject(new Error("encode"));
            return;
          }
          resolve({ blob: blob, width: canvas.width, height: canvas.height });
        },
        "image/jpeg",
        PHOTO_QUALITY
      );
    });
  });
}

function renderFormPhotos() {
  const list = document.getElementById("photo-previews");
  list.textContent = "";
  formPhotos.forEach((p, i) => {
    const li = document.createElement("li");
    li.dataset.uuid = p.uuid;
    const img = document.createElement("img");
    img.src = p.url;
    img.alt = format(gettext("Photo %(number)s"), { number: i + 1 });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button";
    remove.textContent = gettext("Remove");
    remove.addEventListener("click", () => {
      URL.revokeObjectURL(p.url);
      formPhotos = formPhotos.filter((q) => q !== p);
      renderFormPhotos();
    });
    li.appendChild(img);
    li.appendChild(remove);
    list.appendChild(li);
  });
}

export function clearFormPhotos() {
  formPhotos.forEach((p) => {
    URL.revokeObjectURL(p.url);
  });
  formPhotos = [];
  renderFormPhotos();
}

// The photos on the form now; call after photosSettled().
export function takenPhotos() {
  return formPhotos;
}

// Resolves when every photo chosen so far has been shrunk and is on the form.
export function photosSettled() {
  return photosReady;
}

export function onPhotosChosen(event) {
  const input = event.target;
  const files = Array.prototype.slice.call(input.files || []);
  input.value = ""; // the same photo may be chosen again after removing it
  files.forEach((file) => {
    if (formPhotos.length + photosQueued >= MAX_PHOTOS) {
      formError(format(gettext("At most %(max)s photos per visit"), { max: MAX_PHOTOS }));
      return;
    }
    photosQueued += 1;
    // One photo at a time: decoding several 12-megapixel images at once can exhaust a phone's memory.
    photosReady = photosReady.then(() =>
      shrinkPhoto(file)
        .then((shrunk) => {
          formPhotos.push({
            uuid: newUuid(),
            blob: shrunk.blob,
            width: shrunk.width,
            height: shrunk.height,
            taken_at: new Date(file.lastModified || Date.now()).toISOString(),
            url: URL.createObjectURL(shrunk.blob),
          });
          renderFormPhotos();
        })
        .catch(() => {
          formError(gettext("This photo cannot be read: take it again or choose another"));
        })
        .then(() => {
          photosQueued -= 1;
        })
    );
  });
}
