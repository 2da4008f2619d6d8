/* Where a visit is recorded and what a problem is about: the villages (社区) in the cadre's scope, the places
   they answer for (包保) in active campaigns, and the problem categories. Fetched from the API when online and
   kept in IndexedDB for the days without network. */

import { format, gettext, timeText } from "./i18n.js";
import { notice } from "./ui.js";
import { getAll, getMeta, replaceAll, setMeta } from "./db.js";
import { getJson, inLane } from "./net.js";

const MY_PLACES = gettext("Places I answer for");
const OTHER_PLACES = gettext("Other villages and communities in my scope");

let places = [];
let categories = [];
let myPlaces = { villages: [], enterprises: [] };

// The villages and enterprises I answer for (包保) in active campaigns, kept for use offline.
function loadMyPlacesFromApi() {
  return getJson("/api/v1/me/places").then((data) => {
    const mine = { villages: data.villages || [], enterprises: data.enterprises || [] };
    return setMeta("my_places", mine).then(() => mine);
  });
}

function loadPlacesFromApi() {
  const all = [];
  function page(cursor) {
    const url = "/api/v1/regions?level=5&limit=200" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return getJson(url).then((data) => {
      (data.items || []).forEach((item) => {
        all.push({ code: item.code, name: item.name, parent_code: item.parent_code });
      });
      return data.next_cursor ? page(data.next_cursor) : all;
    });
  }
  return page(null).then((items) =>
    replaceAll("places", items)
      .then(() => setMeta("places_updated", Date.now()))
      .then(() => items)
  );
}

function loadCategoriesFromApi() {
  return getJson("/api/v1/categories").then((items) => {
    const rows = items.map((c) => ({ code: c.code, name: c.name, parent_code: c.parent_code }));
    return replaceAll("categories", rows).then(() => rows);
  });
}

function byCode(a, b) {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

function placeMatches(filter, texts) {
  return !filter || texts.some((t) => t && t.indexOf(filter) !== -1);
}

function placeItem(attrs, name, detail) {
  const li = document.createElement("li");
  Object.keys(attrs).forEach((k) => {
    li.dataset[k] = attrs[k];
  });
  li.textContent = name;
  const code = document.createElement("span");
  code.className = "code";
  code.textContent = detail;
  li.appendChild(code);
  return li;
}

function groupHead(text, testid) {
  const li = document.createElement("li");
  li.className = "group-head";
  li.dataset.testid = testid;
  li.textContent = text;
  return li;
}

function mutedItem(text) {
  const li = document.createElement("li");
  li.className = "muted";
  li.textContent = text;
  return li;
}

function villageOption(name, where, code) {
  return new Option(format(gettext("%(name)s (%(where)s)"), { name: name, where: where }), code);
}

// The select lists my places (包保) first, then the other villages in scope; an enterprise's value is "e:<id>",
// a village's its 12-digit code.
function renderPlaceSelect(others, hasMine) {
  const select = document.getElementById("f-place");
  const chosen = select.value;
  while (select.children.length > 1) {
    select.removeChild(select.lastChild);
  }
  let target = select;
  if (hasMine) {
    const group = document.createElement("optgroup");
    group.label = MY_PLACES;
    myPlaces.villages.forEach((v) => {
      group.appendChild(villageOption(v.name, v.township_name || v.code, v.code));
    });
    myPlaces.enterprises.forEach((e) => {
      const label = format(gettext("%(name)s (enterprise · %(region)s)"), { name: e.name, region: e.region_name });
      group.appendChild(new Option(label, "e:" + e.id));
    });
    select.appendChild(group);
    target = document.createElement("optgroup");
    target.label = OTHER_PLACES;
    select.appendChild(target);
  }
  others.forEach((p) => {
    target.appendChild(villageOption(p.name, p.code, p.code));
  });
  select.value = chosen;
}

function renderPlaceList(others, hasMine) {
  const filter = (document.getElementById("places-filter").value || "").trim();
  const list = document.getElementById("places-list");
  list.textContent = "";
  list.appendChild(groupHead(MY_PLACES, "my-places"));
  myPlaces.villages.forEach((v) => {
    if (placeMatches(filter, [v.name, v.code, v.township_name])) {
      list.appendChild(placeItem({ code: v.code, mine: "1" }, v.name, (v.township_name || "") + " " + v.code));
    }
  });
  myPlaces.enterprises.forEach((e) => {
    if (placeMatches(filter, [e.name, e.region_name, e.township_name, e.address])) {
      const where = [e.township_name, e.region_name].filter(Boolean).join(" ");
      const detail = format(gettext("Enterprise · %(where)s"), { where: where });
      list.appendChild(placeItem({ enterprise: String(e.id), mine: "1" }, e.name, detail));
    }
  });
  if (!hasMine) {
    list.appendChild(mutedItem(gettext("No village, community or enterprise is assigned to me")));
  }
  list.appendChild(groupHead(OTHER_PLACES, "other-places"));
  others.forEach((p) => {
    if (placeMatches(filter, [p.name, p.code])) {
      list.appendChild(placeItem({ code: p.code }, p.name, p.code));
    }
  });
  if (!places.length) {
    list.appendChild(mutedItem(gettext("No villages or communities yet: go online and tap “Refresh”")));
  }
}

export function renderPlaces() {
  places.sort(byCode);
  const mine = myPlaces.villages.map((v) => v.code);
  const others = places.filter((p) => mine.indexOf(p.code) === -1);
  const hasMine = myPlaces.villages.length + myPlaces.enterprises.length > 0;
  renderPlaceSelect(others, hasMine);
  renderPlaceList(others, hasMine);
  getMeta("places_updated").then((at) => {
    document.getElementById("places-updated").textContent = at
      ? format(gettext("Updated %(time)s"), { time: timeText(at) })
      : "";
  });
}

export function fillCategorySelect(select) {
  const chosen = select.value;
  while (select.options.length > 1) {
    select.remove(1);
  }
  const children = {};
  categories.forEach((c) => {
    if (c.parent_code) {
      (children[c.parent_code] = children[c.parent_code] || []).push(c);
    }
  });
  categories
    .filter((c) => !c.parent_code)
    .sort(byCode)
    .forEach((top) => {
      const kids = (children[top.code] || []).sort(byCode);
      if (!kids.length) {
        select.add(new Option(top.name, top.code));
        return;
      }
      const group = document.createElement("optgroup");
      group.label = top.name;
      kids.forEach((c) => {
        group.appendChild(new Option(c.name, c.code));
      });
      select.appendChild(group);
    });
  select.value = chosen;
}

function renderCategories() {
  document.querySelectorAll("#problems .category-select").forEach(fillCategorySelect);
}

// What the phone kept from the last time it was online.
export function restoreReference() {
  return Promise.all([getAll("places"), getAll("categories"), getMeta("my_places")]).then((stored) => {
    places = stored[0];
    categories = stored[1];
    if (stored[2]) {
      myPlaces = stored[2];
    }
    renderPlaces();
    renderCategories();
  });
}

// Every request of this page goes through one lane, one at a time (see inLane).
export function refreshReference() {
  return inLane(() =>
    loadMyPlacesFromApi()
      .then((mine) => {
        myPlaces = mine;
      })
      .catch(() => {})
      .then(loadPlacesFromApi)
      .then((items) => {
        places = items;
        renderPlaces();
      })
      .catch(() => {
        if (navigator.onLine) {
          notice(gettext("Villages and communities cannot be fetched now; these are the ones saved last time"));
        }
      })
      .then(loadCategoriesFromApi)
      .then((items) => {
        categories = items;
        renderCategories();
      })
      .catch(() => {})
  );
}

// The select's value: a village's code, or "e:<id>" for an enterprise (see renderPlaceSelect).
export function describePlace(value) {
  if (value.indexOf("e:") === 0) {
    const id = parseInt(value.slice(2), 10);
    const enterprise = myPlaces.enterprises.filter((e) => e.id === id)[0];
    return { enterprise: id, name: enterprise ? enterprise.name : value };
  }
  const row = places.concat(myPlaces.villages).filter((p) => p.code === value)[0];
  return { enterprise: null, name: row ? row.name : value };
}

// Tapping a place in the list starts a visit record there.
export function onPlaceTapped(event) {
  const li = event.target.closest ? event.target.closest("li[data-code], li[data-enterprise]") : null;
  if (!li) {
    return;
  }
  const select = document.getElementById("f-place");
  select.value = li.dataset.enterprise ? "e:" + li.dataset.enterprise : li.dataset.code;
  select.dispatchEvent(new Event("change")); // what depends on the place follows (the consultations there)
  location.hash = "#record";
}
