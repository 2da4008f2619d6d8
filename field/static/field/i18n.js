/* The field app's texts: English msgids in the modules, the Chinese in locale/zh_Hans/LC_MESSAGES/djangojs.po.
   They come from Django's JavaScript catalog at /m/jsi18n.js, which app.html loads before main.js and the service
   worker keeps for offline use. */

export const { gettext, ngettext } = globalThis;
const { pgettext, interpolate } = globalThis;

// Fills the %(name)s placeholders of a translated text.
export function format(text, values) {
  return interpolate(text, values, true);
}

// Chinese joins the items of a list with a full-width semicolon.
export function joinList(items) {
  return items.join(pgettext("list separator", "; "));
}

// "12月2日 09:30" for a Chinese cadre: a visit's day and time, without the year.
export function timeText(ms) {
  const d = new Date(ms);
  const time = String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  return format(gettext("%(month)s/%(day)s %(time)s"), { month: d.getMonth() + 1, day: d.getDate(), time: time });
}
