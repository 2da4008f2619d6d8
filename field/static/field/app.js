/* 走访 field app (/m/): places and categories from the API kept in IndexedDB, visits recorded offline into an
   IndexedDB outbox, sent to POST /api/v1/visits/batch when the network is there. A record leaves the phone's
   list of unsent work only when the server has confirmed it (201 stored, 200 already stored); the server treats
   the same client UUID as the same visit, so sending twice is harmless (DESIGN §2, principle 3).
   gettext does not reach static files, so the texts this script writes are Chinese here. */
(function () {
  "use strict";

  var T = {
    online: "在线",
    offline: "离线",
    pending: "待同步",
    syncing: "同步中",
    synced: "已同步",
    conflict: "冲突",
    invalid: "有误",
    saved: "已保存到本机，联网后自动上报",
    choosePlace: "请选择走访的村（社区）",
    startedRequired: "请填写走访时间",
    problemIncomplete: "第 %s 个问题请填写标题、描述和分类",
    noPlaces: "还没有村（社区）数据，请联网后点“刷新”",
    placesUpdated: "更新于 %s",
    placesFailed: "暂时无法获取村（社区），显示的是上次保存的数据",
    lastSync: "上次同步 %s",
    syncFailed: "网络或服务器暂时不可用，稍后自动重试",
    signIn: "登录已失效，请联网后重新登录再同步",
    conflictMessage: "服务器上已有同一编号但内容不同的记录",
    problems: "%s 个问题",
    households: "%s 户",
    people: "%s 人",
    storageFailed: "本机存储不可用，无法离线保存",
    otherUser: "当前登录的账号与本页不一致，请刷新页面；本页记录留在本机，原账号登录后再同步",
    choosePlaceOrEnterprise: "请选择走访的村（社区）或企业",
    myPlaces: "我的包保",
    otherPlaces: "工作范围内的其他村（社区）",
    enterprise: "企业",
    noMyPlaces: "暂无包保村（社区）或企业",
    photosUploaded: "照片 %s/%s 已上传",
    photosWaiting: "照片待走访记录同步后上传",
    photosFailed: "%s 张照片上传失败：%s",
    photoUnreadable: "无法读取这张照片，请重新拍摄或换一张",
    tooManyPhotos: "每条走访记录最多 %s 张照片",
    removePhoto: "删除",
    photoAlt: "第 %s 张照片",
    photoConflict: "服务器上已有同一编号但内容不同的照片",
    located: "已定位，精度约 %s 米；勾选后照片附带此位置",
    notLocated: "未取得定位：照片不带位置",
    closeOtherTabs: "请关闭其他打开的走访页面后再继续",
  };

  var BATCH = 100;
  var PERIOD = 30 * 1000;
  var MAX_BACKOFF = 5 * 60 * 1000;
  var KEEP_SYNCED = 30 * 24 * 60 * 60 * 1000;
  // Photos are shrunk on the phone before they are kept: less storage and mobile data, and re-encoding through a
  // canvas leaves the camera's EXIF (GPS, device) behind. The server downscales and strips again anyway.
  var PHOTO_EDGE = 1600;
  var PHOTO_QUALITY = 0.82;
  var MAX_PHOTOS = 20;
  var PHOTO_TIMEOUT = 120 * 1000;
  // A position older than this is not where the visit happened.
  var FIX_MAX_AGE = 10 * 60 * 1000;

  var body = document.body;
  var dbName = "zoufang-field-" + (body.dataset.user || "anonymous");
  var dbPromise = null;

  function fmt(text, value) {
    return text.replace("%s", String(value));
  }

  function fmtAll(text, values) {
    values.forEach(function (v) {
      text = fmt(text, v);
    });
    return text;
  }

  // --- IndexedDB -----------------------------------------------------------------------------------------

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(dbName, 2);
        // Each version adds to what the phone already holds: an outbox written by an older page must survive.
        request.onupgradeneeded = function (event) {
          var db = request.result;
          var old = event.oldVersion || 0;
          if (old < 1) {
            db.createObjectStore("outbox", { keyPath: "uuid" });
            db.createObjectStore("places", { keyPath: "code" });
            db.createObjectStore("categories", { keyPath: "code" });
            db.createObjectStore("meta", { keyPath: "key" });
          }
          if (old < 2) {
            // Photos (JPEG Blobs) of recorded visits, until the server has them.
            var photos = db.createObjectStore("photos", { keyPath: "uuid" });
            photos.createIndex("visit_uuid", "visit_uuid", { unique: false });
          }
        };
        request.onsuccess = function () {
          var db = request.result;
          // A newer page (after an update) wants to upgrade the database: let it; this page opens it again
          // when it next needs it.
          db.onversionchange = function () {
            db.close();
            dbPromise = null;
          };
          resolve(db);
        };
        request.onerror = function () {
          dbPromise = null;
          reject(request.error);
        };
        // An older page in another tab still holds the database; the upgrade waits until it is closed.
        request.onblocked = function () {
          notice(T.closeOtherTabs);
        };
      });
    }
    return dbPromise;
  }

  function tx(stores, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode);
        var result;
        t.oncomplete = function () {
          resolve(result);
        };
        t.onerror = function () {
          reject(t.error);
        };
        t.onabort = function () {
          reject(t.error);
        };
        result = work(t);
      });
    });
  }

  function getAll(store) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var request = db.transaction(store, "readonly").objectStore(store).getAll();
        request.onsuccess = function () {
          resolve(request.result || []);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    });
  }

  function replaceAll(store, items) {
    return tx([store], "readwrite", function (t) {
      var s = t.objectStore(store);
      s.clear();
      items.forEach(function (item) {
        s.put(item);
      });
    });
  }

  function putRecords(records) {
    return tx(["outbox"], "readwrite", function (t) {
      var s = t.objectStore("outbox");
      records.forEach(function (record) {
        s.put(record);
      });
    });
  }

  function setMeta(key, value) {
    return tx(["meta"], "readwrite", function (t) {
      t.objectStore("meta").put({ key: key, value: value });
    });
  }

  function getMeta(key) {
    return getAll("meta").then(function (rows) {
      var row = rows.filter(function (r) {
        return r.key === key;
      })[0];
      return row ? row.value : null;
    });
  }

  // --- network helpers -----------------------------------------------------------------------------------

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  // The shell may come from the service worker's cache, with a token from an older page; ask for the current one.
  function freshToken() {
    return fetch(body.dataset.csrfUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          return csrfToken();
        }
        return response.json().then(function (data) {
          if (data.username !== body.dataset.user) {
            throw new Error("other user");
          }
          var meta = document.querySelector("meta[name=csrf-token]");
          if (meta && data.token) {
            meta.setAttribute("content", data.token);
          }
          return data.token || csrfToken();
        });
      })
      .catch(function (error) {
        if (error && error.message === "other user") {
          notice(T.otherUser);
          throw error;
        }
        return csrfToken();
      });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error("HTTP " + r.status);
      }
      return r.json();
    });
  }

  // The page's requests run one after another: a phone on a weak network does better without parallel
  // requests, and so does the embedded SQLite deployment, where each request also renews the session.
  var lane = Promise.resolve();

  function inLane(task) {
    var run = lane.then(task, task);
    lane = run.catch(function () {});
    return run;
  }

  // --- places and categories -----------------------------------------------------------------------------

  var places = [];
  var categories = [];
  var myPlaces = { villages: [], enterprises: [] };

  // The villages and enterprises I answer for (包保) in active campaigns, kept for use offline.
  function loadMyPlacesFromApi() {
    return getJson("/api/v1/me/places").then(function (data) {
      var mine = { villages: data.villages || [], enterprises: data.enterprises || [] };
      return setMeta("my_places", mine).then(function () {
        return mine;
      });
    });
  }

  function loadPlacesFromApi() {
    var all = [];
    function page(cursor) {
      var url = "/api/v1/regions?level=5&limit=200" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      return getJson(url).then(function (data) {
        (data.items || []).forEach(function (item) {
          all.push({ code: item.code, name: item.name, parent_code: item.parent_code });
        });
        return data.next_cursor ? page(data.next_cursor) : all;
      });
    }
    return page(null).then(function (items) {
      return replaceAll("places", items).then(function () {
        return setMeta("places_updated", Date.now());
      }).then(function () {
        return items;
      });
    });
  }

  function loadCategoriesFromApi() {
    return getJson("/api/v1/categories").then(function (items) {
      var rows = items.map(function (c) {
        return { code: c.code, name: c.name, parent_code: c.parent_code };
      });
      return replaceAll("categories", rows).then(function () {
        return rows;
      });
    });
  }

  function byCode(a, b) {
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  }

  function placeMatches(filter, texts) {
    return !filter || texts.some(function (t) {
      return t && t.indexOf(filter) !== -1;
    });
  }

  function placeItem(attrs, name, detail) {
    var li = document.createElement("li");
    Object.keys(attrs).forEach(function (k) {
      li.dataset[k] = attrs[k];
    });
    li.textContent = name;
    var code = document.createElement("span");
    code.className = "code";
    code.textContent = detail;
    li.appendChild(code);
    return li;
  }

  function groupHead(text, testid) {
    var li = document.createElement("li");
    li.className = "group-head";
    li.dataset.testid = testid;
    li.textContent = text;
    return li;
  }

  // The select lists my places (包保) first, then the other villages in scope; an enterprise's value is
  // "e:<id>", a village's its 12-digit code.
  function renderPlaces() {
    places.sort(byCode);
    var mine = myPlaces.villages.map(function (v) {
      return v.code;
    });
    var others = places.filter(function (p) {
      return mine.indexOf(p.code) === -1;
    });
    var hasMine = myPlaces.villages.length + myPlaces.enterprises.length > 0;
    var select = document.getElementById("f-place");
    var chosen = select.value;
    while (select.children.length > 1) {
      select.removeChild(select.lastChild);
    }
    var target = select;
    if (hasMine) {
      var group = document.createElement("optgroup");
      group.label = T.myPlaces;
      myPlaces.villages.forEach(function (v) {
        group.appendChild(new Option(v.name + "（" + (v.township_name || v.code) + "）", v.code));
      });
      myPlaces.enterprises.forEach(function (e) {
        group.appendChild(new Option(e.name + "（" + T.enterprise + "·" + e.region_name + "）", "e:" + e.id));
      });
      select.appendChild(group);
      target = document.createElement("optgroup");
      target.label = T.otherPlaces;
      select.appendChild(target);
    }
    others.forEach(function (p) {
      target.appendChild(new Option(p.name + "（" + p.code + "）", p.code));
    });
    select.value = chosen;

    var filter = (document.getElementById("places-filter").value || "").trim();
    var list = document.getElementById("places-list");
    list.textContent = "";
    list.appendChild(groupHead(T.myPlaces, "my-places"));
    myPlaces.villages.forEach(function (v) {
      if (placeMatches(filter, [v.name, v.code, v.township_name])) {
        var li = placeItem({ code: v.code, mine: "1" }, v.name, (v.township_name || "") + " " + v.code);
        list.appendChild(li);
      }
    });
    myPlaces.enterprises.forEach(function (e) {
      if (placeMatches(filter, [e.name, e.region_name, e.township_name, e.address])) {
        var detail = T.enterprise + " · " + [e.township_name, e.region_name].filter(Boolean).join(" ");
        list.appendChild(placeItem({ enterprise: String(e.id), mine: "1" }, e.name, detail));
      }
    });
    if (!hasMine) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = T.noMyPlaces;
      list.appendChild(none);
    }
    list.appendChild(groupHead(T.otherPlaces, "other-places"));
    others.forEach(function (p) {
      if (placeMatches(filter, [p.name, p.code])) {
        list.appendChild(placeItem({ code: p.code }, p.name, p.code));
      }
    });
    if (!places.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = T.noPlaces;
      list.appendChild(empty);
    }
    getMeta("places_updated").then(function (at) {
      document.getElementById("places-updated").textContent = at ? fmt(T.placesUpdated, timeText(at)) : "";
    });
  }

  function fillCategorySelect(select) {
    var chosen = select.value;
    while (select.options.length > 1) {
      select.remove(1);
    }
    var children = {};
    categories.forEach(function (c) {
      if (c.parent_code) {
        (children[c.parent_code] = children[c.parent_code] || []).push(c);
      }
    });
    categories
      .filter(function (c) {
        return !c.parent_code;
      })
      .sort(byCode)
      .forEach(function (top) {
        var kids = (children[top.code] || []).sort(byCode);
        if (!kids.length) {
          select.add(new Option(top.name, top.code));
          return;
        }
        var group = document.createElement("optgroup");
        group.label = top.name;
        kids.forEach(function (c) {
          group.appendChild(new Option(c.name, c.code));
        });
        select.appendChild(group);
      });
    select.value = chosen;
  }

  function renderCategories() {
    document.querySelectorAll("#problems .category-select").forEach(fillCategorySelect);
  }

  // Every request of this page goes through one lane, one at a time (see inLane).
  function refreshReference() {
    return inLane(function () {
      return loadMyPlacesFromApi()
        .then(function (mine) {
          myPlaces = mine;
        })
        .catch(function () {})
        .then(loadPlacesFromApi)
        .then(function (items) {
          places = items;
          renderPlaces();
        })
        .catch(function () {
          if (navigator.onLine) {
            notice(T.placesFailed);
          }
        })
        .then(loadCategoriesFromApi)
        .then(function (items) {
          categories = items;
          renderCategories();
        })
        .catch(function () {});
    });
  }

  // --- the visit form ------------------------------------------------------------------------------------

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function localInputValue(date) {
    return (
      date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes())
    );
  }

  function timeText(ms) {
    var d = new Date(ms);
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function numberProblems() {
    document.querySelectorAll("#problems .problem").forEach(function (fs, i) {
      fs.querySelector(".problem-number").textContent = String(i + 1);
    });
  }

  function addProblem() {
    var template = document.getElementById("problem-template");
    var fieldset = template.content.firstElementChild.cloneNode(true);
    fillCategorySelect(fieldset.querySelector(".category-select"));
    var kind = fieldset.querySelector("[name=kind]");
    var risk = fieldset.querySelector(".risk");
    var anonymous = fieldset.querySelector("[name=anonymous]");
    var reporter = fieldset.querySelector(".reporter");
    function sync() {
      risk.hidden = kind.value !== "dispute";
      reporter.hidden = anonymous.checked;
    }
    kind.addEventListener("change", sync);
    anonymous.addEventListener("change", sync);
    fieldset.querySelector(".remove-problem").addEventListener("click", function () {
      fieldset.remove();
      numberProblems();
    });
    sync();
    document.getElementById("problems").appendChild(fieldset);
    numberProblems();
    fieldset.querySelector("[name=title]").focus();
  }

  function value(root, name) {
    var el = root.querySelector("[name=" + name + "]");
    return el ? el.value.trim() : "";
  }

  function formError(text) {
    var el = document.getElementById("form-error");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function count(id) {
    var n = parseInt(document.getElementById(id).value, 10);
    return isNaN(n) || n < 0 ? 0 : n;
  }

  function readForm() {
    var form = document.getElementById("visit-form");
    var place = form.querySelector("#f-place").value;
    if (!place) {
      return { error: T.choosePlaceOrEnterprise };
    }
    var started = new Date(form.querySelector("#f-started").value);
    if (isNaN(started.getTime())) {
      return { error: T.startedRequired };
    }
    var problems = [];
    var error = null;
    form.querySelectorAll("#problems .problem").forEach(function (fs, i) {
      var p = {
        kind: value(fs, "kind"),
        title: value(fs, "title"),
        description: value(fs, "description"),
        category: value(fs, "category"),
      };
      if (!p.title || !p.description || !p.category) {
        error = error || fmt(T.problemIncomplete, i + 1);
      }
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
      problems.push(p);
    });
    if (error) {
      return { error: error };
    }
    var chosen = describePlace(place);
    var body = {
      uuid: newUuid(),
      started_at: started.toISOString(),
      households_reached: count("f-households"),
      people_met: count("f-people"),
      notes: form.querySelector("#f-notes").value.trim(),
      problems: problems,
    };
    if (chosen.enterprise) {
      body.enterprise = chosen.enterprise;
    } else {
      body.place_code = place;
    }
    var suggestions = form.querySelector("#f-suggestions").value.trim();
    if (suggestions) {
      body.suggestions = suggestions;
    }
    var fix = currentFix();
    if (fix) {
      body.location = { lat: fix.lat, lng: fix.lng };
    }
    return { place_name: chosen.name, body: body };
  }

  // The select's value: a village's code, or "e:<id>" for an enterprise (see renderPlaces).
  function describePlace(value) {
    if (value.indexOf("e:") === 0) {
      var id = parseInt(value.slice(2), 10);
      var enterprise = myPlaces.enterprises.filter(function (e) {
        return e.id === id;
      })[0];
      return { enterprise: id, name: enterprise ? enterprise.name : value };
    }
    var row = places.concat(myPlaces.villages).filter(function (p) {
      return p.code === value;
    })[0];
    return { enterprise: null, name: row ? row.name : value };
  }

  function resetForm() {
    var form = document.getElementById("visit-form");
    var place = form.querySelector("#f-place").value;
    var keep = form.querySelector("#f-keep-location").checked;
    form.reset();
    form.querySelector("#f-place").value = place; // the next household is usually in the same village
    form.querySelector("#f-keep-location").checked = keep; // a choice, not a per-visit answer
    document.getElementById("problems").textContent = "";
    form.querySelector("#f-started").value = localInputValue(new Date());
    clearFormPhotos();
    formError("");
  }

  // --- photos on the form --------------------------------------------------------------------------------

  var formPhotos = []; // {uuid, blob, width, height, taken_at, url}
  var photosReady = Promise.resolve();
  var photosQueued = 0;

  function decodeImage(file) {
    function viaElement() {
      return new Promise(function (resolve, reject) {
        var url = URL.createObjectURL(file);
        var img = new Image();
        img.onload = function () {
          resolve({
            source: img,
            width: img.naturalWidth,
            height: img.naturalHeight,
            release: function () {
              URL.revokeObjectURL(url);
            },
          });
        };
        img.onerror = function () {
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
      function (bitmap) {
        return {
          source: bitmap,
          width: bitmap.width,
          height: bitmap.height,
          release: function () {
            bitmap.close();
          },
        };
      },
      viaElement
    );
  }

  // The photo as a JPEG whose long edge is at most PHOTO_EDGE pixels; a canvas keeps no EXIF.
  function shrinkPhoto(file) {
    return decodeImage(file).then(function (decoded) {
      var scale = Math.min(1, PHOTO_EDGE / Math.max(decoded.width, decoded.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(decoded.width * scale));
      canvas.height = Math.max(1, Math.round(decoded.height * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; // transparent parts of a PNG on white, as JPEG has no transparency
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(decoded.source, 0, 0, canvas.width, canvas.height);
      decoded.release();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(
          function (blob) {
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
    var list = document.getElementById("photo-previews");
    list.textContent = "";
    formPhotos.forEach(function (p, i) {
      var li = document.createElement("li");
      li.dataset.uuid = p.uuid;
      var img = document.createElement("img");
      img.src = p.url;
      img.alt = fmt(T.photoAlt, i + 1);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = T.removePhoto;
      remove.addEventListener("click", function () {
        URL.revokeObjectURL(p.url);
        formPhotos = formPhotos.filter(function (q) {
          return q !== p;
        });
        renderFormPhotos();
      });
      li.appendChild(img);
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  function clearFormPhotos() {
    formPhotos.forEach(function (p) {
      URL.revokeObjectURL(p.url);
    });
    formPhotos = [];
    renderFormPhotos();
  }

  function onPhotosChosen(event) {
    var input = event.target;
    var files = Array.prototype.slice.call(input.files || []);
    input.value = ""; // the same photo may be chosen again after removing it
    files.forEach(function (file) {
      if (formPhotos.length + photosQueued >= MAX_PHOTOS) {
        formError(fmt(T.tooManyPhotos, MAX_PHOTOS));
        return;
      }
      photosQueued += 1;
      // One photo at a time: decoding several 12-megapixel images at once can exhaust a phone's memory.
      photosReady = photosReady.then(function () {
        return shrinkPhoto(file)
          .then(function (shrunk) {
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
          .catch(function () {
            formError(T.photoUnreadable);
          })
          .then(function () {
            photosQueued -= 1;
          });
      });
    });
  }

  // --- location ------------------------------------------------------------------------------------------

  var lastFix = null;

  function currentFix() {
    return lastFix && Date.now() - lastFix.at < FIX_MAX_AGE ? lastFix : null;
  }

  function showFix() {
    var fix = currentFix();
    document.getElementById("location-state").textContent = fix
      ? fmt(T.located, Math.round(fix.accuracy))
      : T.notLocated;
  }

  function round6(x) {
    return Math.round(x * 1e6) / 1e6;
  }

  // The visit's position while the form is open; a photo carries it only when "keep" is ticked.
  function watchLocation() {
    showFix();
    if (!navigator.geolocation) {
      return;
    }
    try {
      navigator.geolocation.watchPosition(
        function (position) {
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
    setInterval(showFix, 60 * 1000);
  }

  // --- saving a visit ------------------------------------------------------------------------------------

  var saving = false;

  function saveVisit(record, photos) {
    return tx(["outbox", "photos"], "readwrite", function (t) {
      t.objectStore("outbox").put(record);
      var store = t.objectStore("photos");
      photos.forEach(function (p) {
        store.put(p);
      });
    });
  }

  function onSave(event) {
    event.preventDefault();
    if (saving) {
      return;
    }
    saving = true;
    // Photos still being shrunk belong to this visit: wait for them.
    photosReady
      .then(function () {
        var read = readForm();
        if (read.error) {
          formError(read.error);
          return undefined;
        }
        var location = document.getElementById("f-keep-location").checked ? read.body.location : null;
        var now = Date.now();
        var photos = formPhotos.map(function (p, i) {
          return {
            uuid: p.uuid,
            visit_uuid: read.body.uuid,
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
          };
        });
        var record = {
          uuid: read.body.uuid,
          created_at: now,
          state: "pending",
          body: read.body,
          place_name: read.place_name,
          message: "",
          details: null,
          server_id: null,
          synced_at: null,
          photo_count: photos.length,
        };
        return saveVisit(record, photos)
          .then(function () {
            resetForm();
            notice(T.saved);
            return renderOutbox();
          })
          .then(function () {
            sync({ force: true });
          })
          .catch(function () {
            formError(T.storageFailed);
          });
      })
      .then(function () {
        saving = false;
      });
  }

  // --- outbox --------------------------------------------------------------------------------------------

  // Per visit: how many photos it has, and how many arrived or failed.
  function photoSummaries(photos) {
    var byVisit = {};
    photos.forEach(function (p) {
      var s = (byVisit[p.visit_uuid] = byVisit[p.visit_uuid] || { total: 0, uploaded: 0, failed: [] });
      s.total += 1;
      if (p.state === "uploaded") {
        s.uploaded += 1;
      } else if (p.state === "failed") {
        s.failed.push(p.message || "");
      }
    });
    return byVisit;
  }

  function photoLine(record, summary) {
    var line = document.createElement("div");
    line.className = "photos-state";
    line.dataset.testid = "photos";
    line.dataset.total = String(summary.total);
    line.dataset.uploaded = String(summary.uploaded);
    line.dataset.failed = String(summary.failed.length);
    var text = fmtAll(T.photosUploaded, [summary.uploaded, summary.total]);
    if (record.state !== "synced" && summary.uploaded < summary.total) {
      text += "（" + T.photosWaiting + "）";
    }
    line.textContent = text;
    if (summary.failed.length) {
      var failed = document.createElement("div");
      failed.className = "message";
      failed.dataset.testid = "photo-message";
      failed.textContent = fmtAll(T.photosFailed, [summary.failed.length, summary.failed.join("；")]);
      line.appendChild(failed);
    }
    return line;
  }

  function renderOutbox() {
    return Promise.all([getAll("outbox"), getAll("photos")]).then(function (stored) {
      var records = stored[0];
      var summaries = photoSummaries(stored[1]);
      records.sort(function (a, b) {
        return b.created_at - a.created_at;
      });
      var list = document.getElementById("outbox-list");
      list.textContent = "";
      var unsent = 0;
      records.forEach(function (r) {
        if (r.state === "pending" || r.state === "syncing") {
          unsent += 1;
        }
        var li = document.createElement("li");
        li.dataset.uuid = r.uuid;
        li.dataset.state = r.state;
        var head = document.createElement("div");
        head.className = "head";
        var place = document.createElement("strong");
        place.textContent = r.place_name;
        var state = document.createElement("span");
        state.className = "state";
        state.dataset.state = r.state;
        state.textContent = T[r.state] || r.state;
        head.appendChild(place);
        head.appendChild(state);
        li.appendChild(head);
        var info = document.createElement("div");
        info.className = "muted";
        var parts = [
          timeText(Date.parse(r.body.started_at)),
          fmt(T.households, r.body.households_reached),
          fmt(T.people, r.body.people_met),
        ];
        if (r.body.problems.length) {
          parts.push(fmt(T.problems, r.body.problems.length));
        }
        info.textContent = parts.join(" · ");
        li.appendChild(info);
        if (summaries[r.uuid]) {
          li.appendChild(photoLine(r, summaries[r.uuid]));
        }
        if (r.message) {
          var message = document.createElement("div");
          message.className = "message";
          message.dataset.testid = "message";
          message.textContent = r.message;
          li.appendChild(message);
        }
        list.appendChild(li);
      });
      document.getElementById("outbox-empty").hidden = records.length > 0;
      var badge = document.querySelector("[data-testid=pending-count]");
      badge.textContent = String(unsent);
      badge.classList.toggle("has", unsent > 0);
    });
  }

  function describeError(error) {
    if (!error) {
      return "";
    }
    var text = error.message || "";
    var details = error.details;
    if (details && typeof details === "object" && !Array.isArray(details)) {
      var extra = Object.keys(details)
        .map(function (k) {
          var v = details[k];
          return typeof v === "string" ? v : "";
        })
        .filter(function (v) {
          return v && v !== text;
        });
      if (extra.length) {
        text += "：" + extra.join("；");
      }
    } else if (Array.isArray(details) && details.length) {
      text += "：" + details
        .map(function (d) {
          return (d.loc || []).join(".") + " " + (d.msg || "");
        })
        .join("；");
    }
    return text;
  }

  var syncing = false;
  var failures = 0;
  var notBefore = 0;
  var retryTimer = null;

  // After a failed sync the next try comes when the backoff ends (5 s, 10 s, 20 s … 5 min, with jitter), not
  // only at the next periodic tick.
  function backoff() {
    failures += 1;
    var delay = Math.min(MAX_BACKOFF, 5000 * Math.pow(2, failures - 1));
    notBefore = Date.now() + delay * (0.75 + Math.random() * 0.5);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () {
      sync();
    }, notBefore - Date.now() + 50);
  }

  // A connection that died without a word (a phone leaving coverage mid-request) would otherwise hold the
  // page's one request lane for many minutes; an aborted batch is simply sent again (same UUIDs).
  var SEND_TIMEOUT = 60 * 1000;

  function sendBatch(records, token) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, SEND_TIMEOUT)
      : null;
    function done() {
      clearTimeout(timer);
    }
    return fetch("/api/v1/visits/batch", {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify({
        visits: records.map(function (r) {
          return r.body;
        }),
      }),
    }).then(
      function (response) {
        done();
        return response;
      },
      function (error) {
        done();
        throw error;
      }
    );
  }

  // Applies the server's answer for one batch; resolves to false when the batch must be tried again later.
  function applyAnswer(records, response) {
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        notice(T.signIn);
      }
      records.forEach(function (r) {
        r.state = "pending";
      });
      return putRecords(records).then(function () {
        return false;
      });
    }
    return response.json().then(function (data) {
      var results = data.results || [];
      var now = Date.now();
      records.forEach(function (r, i) {
        var result = results[i];
        if (!result || result.uuid !== r.uuid) {
          result = results.filter(function (x) {
            return x && x.uuid === r.uuid;
          })[0];
        }
        var status = result ? result.status : 0;
        if (status === 201 || status === 200) {
          r.state = "synced";
          r.server_id = result.id;
          r.synced_at = now;
          r.message = "";
        } else if (status === 409) {
          r.state = "conflict";
          r.message = describeError(result.error) || T.conflictMessage;
          r.details = result.error || null;
        } else if (status === 422) {
          r.state = "invalid";
          r.message = describeError(result.error);
          r.details = result.error || null;
        } else {
          r.state = "pending";
        }
      });
      return putRecords(records).then(function () {
        return records.every(function (r) {
          return r.state !== "pending";
        });
      });
    });
  }

  // Visits first; then the photos of the visits the server has.
  function sync(options) {
    return inLane(function () {
      return syncNow(options);
    }).then(function () {
      return uploadPhotos(options);
    });
  }

  function syncNow(options) {
    var force = options && options.force;
    if (syncing || !navigator.onLine || (!force && Date.now() < notBefore)) {
      return Promise.resolve();
    }
    syncing = true;
    return getAll("outbox")
      .then(function (records) {
        // "syncing" left behind by a closed page was never confirmed: send it again.
        var unsent = records
          .filter(function (r) {
            return r.state === "pending" || r.state === "syncing";
          })
          .sort(function (a, b) {
            return a.created_at - b.created_at;
          });
        if (!unsent.length) {
          return true;
        }
        return freshToken().then(function (token) {
          function next(start) {
            var batch = unsent.slice(start, start + BATCH);
            if (!batch.length) {
              return Promise.resolve(true);
            }
            batch.forEach(function (r) {
              r.state = "syncing";
            });
            return putRecords(batch)
              .then(renderOutbox)
              .then(function () {
                return sendBatch(batch, token).then(
                  function (response) {
                    return applyAnswer(batch, response);
                  },
                  function () {
                    batch.forEach(function (r) {
                      r.state = "pending";
                    });
                    return putRecords(batch).then(function () {
                      return false;
                    });
                  }
                );
              })
              .then(function (ok) {
                return renderOutbox().then(function () {
                  return ok ? next(start + BATCH) : false;
                });
              });
          }
          return next(0);
        });
      })
      .then(function (ok) {
        if (ok) {
          failures = 0;
          notBefore = 0;
          var at = Date.now();
          document.getElementById("last-sync").textContent = fmt(T.lastSync, timeText(at));
          return setMeta("last_sync", at);
        }
        backoff();
        notice(T.syncFailed);
        return undefined;
      })
      .catch(function () {
        backoff();
      })
      .then(function () {
        syncing = false;
        return renderOutbox();
      });
  }

  function pruneSynced() {
    var limit = Date.now() - KEEP_SYNCED;
    return tx(["outbox", "photos"], "readwrite", function (t) {
      var photos = t.objectStore("photos");
      photos.getAll().onsuccess = function (event) {
        // A visit whose photos are still on their way stays, so that they can still be sent.
        var unfinished = {};
        (event.target.result || []).forEach(function (p) {
          if (p.state === "waiting" || p.state === "uploading") {
            unfinished[p.visit_uuid] = true;
          }
        });
        t.objectStore("outbox").openCursor().onsuccess = function (e) {
          var cursor = e.target.result;
          if (!cursor) {
            return;
          }
          var r = cursor.value;
          // Only records the server has confirmed may leave the phone.
          if (r.state === "synced" && r.synced_at && r.synced_at < limit && !unfinished[r.uuid]) {
            cursor.delete();
            photos.index("visit_uuid").openCursor(IDBKeyRange.only(r.uuid)).onsuccess = function (pe) {
              var photoCursor = pe.target.result;
              if (photoCursor) {
                photoCursor.delete();
                photoCursor.continue();
              }
            };
          }
          cursor.continue();
        };
      };
    });
  }

  // --- photo uploads -------------------------------------------------------------------------------------

  var uploading = false;
  var photoTimer = null;

  function putPhoto(photo) {
    return tx(["photos"], "readwrite", function (t) {
      t.objectStore("photos").put(photo);
    });
  }

  // 5 s, 10 s, 20 s … 5 min, with jitter, per photo.
  function photoRetryLater(photo, message) {
    photo.attempts = (photo.attempts || 0) + 1;
    var delay = Math.min(MAX_BACKOFF, 5000 * Math.pow(2, photo.attempts - 1));
    photo.next_at = Date.now() + delay * (0.75 + Math.random() * 0.5);
    photo.state = "waiting";
    photo.message = message || "";
    return putPhoto(photo);
  }

  function postPhoto(photo, token) {
    var form = new FormData();
    form.append("uuid", photo.uuid);
    if (photo.lat !== null && photo.lat !== undefined && photo.lng !== null && photo.lng !== undefined) {
      form.append("lat", String(photo.lat));
      form.append("lng", String(photo.lng));
    }
    if (photo.taken_at) {
      form.append("taken_at", photo.taken_at);
    }
    form.append("file", photo.blob, photo.uuid + ".jpg");
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, PHOTO_TIMEOUT)
      : null;
    return fetch("/api/v1/visits/" + encodeURIComponent(photo.visit_uuid) + "/photos", {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
      headers: { Accept: "application/json", "X-CSRFToken": token },
      body: form,
    }).then(
      function (response) {
        clearTimeout(timer);
        return response;
      },
      function (error) {
        clearTimeout(timer);
        throw error;
      }
    );
  }

  // Sends one photo and records the answer; resolves to true when this round of uploads should stop.
  function sendPhoto(photo, token) {
    photo.state = "uploading";
    return putPhoto(photo)
      .then(function () {
        return postPhoto(photo, token);
      })
      .then(
        function (response) {
          var status = response.status;
          if (status === 201 || status === 200) {
            // The server has it: the phone's copy goes, the record of its arrival stays for the outbox.
            photo.state = "uploaded";
            photo.blob = null;
            photo.message = "";
            photo.uploaded_at = Date.now();
            return putPhoto(photo).then(function () {
              return false;
            });
          }
          if (status === 409 || status === 422) {
            return response
              .json()
              .catch(function () {
                return {};
              })
              .then(function (data) {
                photo.state = "failed";
                photo.message = describeError(data.error) || (status === 409 ? T.photoConflict : "");
                return putPhoto(photo);
              })
              .then(function () {
                return false;
              });
          }
          if (status === 401 || status === 403) {
            notice(T.signIn);
            return photoRetryLater(photo).then(function () {
              return true;
            });
          }
          // 404: the visit has not arrived (or not yet been committed); 5xx: the server is unwell. Later.
          return photoRetryLater(photo).then(function () {
            return status >= 500;
          });
        },
        function () {
          // No network, or the connection died: this photo and the others wait for the next round.
          return photoRetryLater(photo).then(function () {
            return true;
          });
        }
      );
  }

  // `force` (the network came back, the cadre asked): every waiting photo now, whatever its backoff.
  function uploadPhotos(options) {
    var force = Boolean(options && options.force);
    return inLane(function () {
      return uploadPhotosNow(force);
    });
  }

  function uploadPhotosNow(force) {
    if (uploading || !navigator.onLine) {
      return Promise.resolve();
    }
    uploading = true;
    return Promise.all([getAll("outbox"), getAll("photos")])
      .then(function (stored) {
        var arrived = {};
        stored[0].forEach(function (r) {
          if (r.state === "synced") {
            arrived[r.uuid] = true;
          }
        });
        var now = Date.now();
        var due = stored[1]
          .filter(function (p) {
            // "uploading" left behind by a closed page was never confirmed: send it again (same UUID).
            var open = p.state === "waiting" || p.state === "uploading";
            return open && p.blob && arrived[p.visit_uuid] && (force || (p.next_at || 0) <= now);
          })
          .sort(function (a, b) {
            return a.created_at - b.created_at;
          });
        if (!due.length) {
          return undefined;
        }
        return freshToken().then(function (token) {
          function next(i) {
            if (i >= due.length) {
              return Promise.resolve();
            }
            return sendPhoto(due[i], token).then(function (stop) {
              return renderOutbox().then(function () {
                return stop ? undefined : next(i + 1);
              });
            });
          }
          return next(0);
        });
      })
      .catch(function () {})
      .then(function () {
        uploading = false;
        return schedulePhotos();
      })
      .then(renderOutbox);
  }

  // The next try comes when the earliest waiting photo's backoff ends, not only at the next periodic tick.
  function schedulePhotos() {
    return getAll("photos").then(function (photos) {
      var times = photos
        .filter(function (p) {
          return p.state === "waiting" && p.blob && p.next_at;
        })
        .map(function (p) {
          return p.next_at;
        });
      clearTimeout(photoTimer);
      if (!times.length) {
        return;
      }
      var wait = Math.max(0, Math.min.apply(null, times) - Date.now()) + 50;
      photoTimer = setTimeout(function () {
        uploadPhotos();
      }, Math.min(wait, MAX_BACKOFF + 1000));
    });
  }

  // --- page chrome ---------------------------------------------------------------------------------------

  var noticeTimer = null;

  function notice(text) {
    var el = document.querySelector("[data-testid=notice]");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () {
      el.hidden = true;
    }, 6000);
  }

  function showNetwork() {
    var el = document.querySelector("[data-testid=network]");
    el.dataset.online = navigator.onLine ? "1" : "0";
    el.textContent = navigator.onLine ? T.online : T.offline;
  }

  function showTab() {
    var name = (location.hash || "#record").slice(1);
    if (!document.querySelector("[data-panel=" + name + "]")) {
      name = "record";
    }
    document.querySelectorAll("[data-panel]").forEach(function (panel) {
      panel.hidden = panel.dataset.panel !== name;
    });
    document.querySelectorAll("[data-tab]").forEach(function (tab) {
      if (tab.dataset.tab === name) {
        tab.setAttribute("aria-current", "page");
      } else {
        tab.removeAttribute("aria-current");
      }
    });
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(function () {});
  }

  function start() {
    showTab();
    showNetwork();
    window.addEventListener("hashchange", showTab);
    window.addEventListener("online", function () {
      showNetwork();
      refreshReference();
      sync({ force: true });
    });
    window.addEventListener("offline", showNetwork);
    document.getElementById("f-started").value = localInputValue(new Date());
    document.getElementById("visit-form").addEventListener("submit", onSave);
    document.getElementById("add-problem").addEventListener("click", addProblem);
    document.getElementById("sync-now").addEventListener("click", function () {
      sync({ force: true });
    });
    document.getElementById("refresh-places").addEventListener("click", refreshReference);
    document.getElementById("places-filter").addEventListener("input", renderPlaces);
    document.getElementById("f-photos").addEventListener("change", onPhotosChosen);
    // Tapping a place starts a visit record there.
    document.getElementById("places-list").addEventListener("click", function (event) {
      var li = event.target.closest ? event.target.closest("li[data-code], li[data-enterprise]") : null;
      if (!li) {
        return;
      }
      document.getElementById("f-place").value = li.dataset.enterprise ? "e:" + li.dataset.enterprise : li.dataset.code;
      location.hash = "#record";
    });
    watchLocation();

    Promise.all([getAll("places"), getAll("categories"), getMeta("last_sync"), getMeta("my_places")])
      .then(function (stored) {
        places = stored[0];
        categories = stored[1];
        if (stored[2]) {
          document.getElementById("last-sync").textContent = fmt(T.lastSync, timeText(stored[2]));
        }
        if (stored[3]) {
          myPlaces = stored[3];
        }
        renderPlaces();
        renderCategories();
        body.dataset.ready = "1";
        return pruneSynced();
      })
      .then(renderOutbox)
      .then(function () {
        var ready = navigator.onLine ? refreshReference() : Promise.resolve();
        ready.then(function () {
          body.dataset.placesLoaded = "1";
        });
        // The worker installs after the page's own requests, so the two do not compete.
        return sync({ force: true }).then(registerWorker);
      })
      .catch(function () {
        formError(T.storageFailed);
      });
    setInterval(function () {
      sync();
    }, PERIOD);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
