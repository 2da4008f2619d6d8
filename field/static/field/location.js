/* Where the phone is while the form is open: the visit records it, and its photos too when the cadre ticks
   "keep where the photos were taken". */

import { format, gettext } from "./i18n.js";

// A position older than this is not where the visit happened.
const FIX_MAX_AGE = 10 * 60 * 1000;

let lastFix = null;

export function currentFix() {
  return lastFix && Date.now() - lastFix.at < FIX_MAX_AGE ? lastFix : null;
}

function showFix() {
  const fix = currentFix();
  document.getElementById("location-state").textContent = fix
    ? format(gettext("Located to within about %(metres)s m; tick the box for the photos to carry it"), {
        metres: Math.round(fix.accuracy),
      })
    : gettext("No position: the photos carry none");
}

function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

export function watchLocation() {
  showFix();
  if (!navigator.geolocation) {
    return;
  }
  try {
    navigator.geolocation.watchPosition(
      (position) => {
        lastFix = {
          lat: round6(position.coords.latitude),
          lng: round6(position.coords.longitude),
          accuracy: position.coords.accuracy || 0,
          at: Date.now(),
        };
        showFix();
      },
      showFix,
      { enableHighAccuracy: true, maximumAge: 60 * 1000, timeout: 60 * 1000 }
    );
  } catch (error) {
    showFix();
  }
  // The shown state ages: after FIX_MAX_AGE without a new fix it says there is none.
  setInterval(showFix, 60 * 1000);
}
