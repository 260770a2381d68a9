// Mechanic: render the plotly figures the server built (JSON in <script type="application/json">).
// Pages are fully readable without this file: every chart has a table under it.
(function () {
  "use strict";

  // Plotly does not wrap titles: on a narrow screen a long one is cut off at the edge. Break it
  // at the space nearest its middle and give the extra line room above the plot.
  function fitTitle(layout, width) {
    var title = layout.title;
    if (!title || typeof title.text !== "string" || !width) return;
    var fits = Math.floor(width / 9); // characters of the 15px title font per line, roughly
    var text = title.text;
    if (text.length <= fits || text.indexOf("<br>") !== -1) return;
    var middle = Math.floor(text.length / 2);
    var left = text.lastIndexOf(" ", middle);
    var right = text.indexOf(" ", middle);
    var cut = left === -1 ? right : right === -1 ? left : (middle - left <= right - middle ? left : right);
    if (cut <= 0) return;
    layout.title = Object.assign({}, title, { text: text.slice(0, cut) + "<br>" + text.slice(cut + 1) });
    var margin = Object.assign({}, layout.margin || {});
    margin.t = (margin.t || 80) + 22;
    layout.margin = margin;
  }

  // ``text`` broken in two lines at the space nearest its middle (null: no space to break at).
  function breakAtMiddle(text) {
    var middle = Math.floor(text.length / 2);
    var left = text.lastIndexOf(" ", middle);
    var right = text.indexOf(" ", middle);
    var cut = left === -1 ? right : right === -1 ? left : (middle - left <= right - middle ? left : right);
    return cut <= 0 ? null : text.slice(0, cut) + "<br>" + text.slice(cut + 1);
  }

  // Plotly does not wrap annotations either: the memory chart's note that the GPU's capacity is
  // far above a small model's curves runs past the plot's right edge in German ("Die Kapazität
  // der NVIDIA H100 SXM5 80GB (80 GB) liegt weit über diesen ..."). Measure each note in its
  // font and break one that is wider than the plot at the space nearest its middle.
  function fitAnnotations(layout, width) {
    var notes = layout.annotations;
    if (!Array.isArray(notes) || !notes.length || !width) return;
    var margin = layout.margin || {};
    var room = width - (margin.l || 80) - (margin.r || 80);
    var font = layout.font || {};
    var context = document.createElement("canvas").getContext("2d");
    if (!context || room <= 0) return;
    layout.annotations = notes.map(function (note) {
      var text = note && note.text;
      if (typeof text !== "string" || text.indexOf("<br>") !== -1) return note;
      var size = (note.font && note.font.size) || font.size || 12;
      context.font = size + "px " + ((note.font && note.font.family) || font.family || "sans-serif");
      if (context.measureText(text).width <= room) return note;
      var broken = breakAtMiddle(text);
      return broken ? Object.assign({}, note, { text: broken }) : note;
    });
  }

  // Nor legend entries: the runs chart's "memory (GiB): peak on a GPU, weights on CPU" ran past
  // a phone's edge (in Korean and German most of it). A trace name wider than the plot is broken
  // at the space nearest its middle, as the notes above are (the hover label shows the same).
  function fitLegend(data, layout, width) {
    if (!Array.isArray(data) || !data.length || !width) return data;
    var margin = layout.margin || {};
    var room = width - (margin.l || 80) - (margin.r || 80) - 40; // 40: the legend's swatch
    var font = layout.font || {};
    var context = document.createElement("canvas").getContext("2d");
    if (!context || room <= 0) return data;
    context.font = (font.size || 12) + "px " + (font.family || "sans-serif");
    return data.map(function (trace) {
      var text = trace && trace.name;
      if (typeof text !== "string" || text.indexOf("<br>") !== -1) return trace;
      if (context.measureText(text).width <= room) return trace;
      var broken = breakAtMiddle(text);
      return broken ? Object.assign({}, trace, { name: broken }) : trace;
    });
  }

  // The decode roofline's grouped bars (the server marks the figure with meta.narrow_bars):
  // upright, each bar of a GPU the model does not fit on has "does not fit" written up its
  // length, and where the bars are thinner than a line of that text (a phone, or many models
  // side by side) the labels of neighbouring bars ran into each other. There the bars are laid
  // across instead: GPUs down the side, the first at the top, each bar a line high with its
  // label written along it, still hatched; the chart grows as tall as its bars need.
  var BAR_LINE_PX = 18; // one bar's thickness across: its 11px label and some air

  function barsAcross(data, layout, width) {
    var meta = layout.meta;
    if (!meta || meta.narrow_bars !== "across" || !width || !Array.isArray(data) || !data.length) {
      return data;
    }
    var groups = [];
    data.forEach(function (trace) {
      (trace.x || []).forEach(function (g) {
        if (groups.indexOf(g) === -1) groups.push(g);
      });
    });
    var margin = layout.margin || {};
    var room = width - (margin.l || 80) - (margin.r || 80);
    var gap = typeof layout.bargap === "number" ? layout.bargap : 0.2; // plotly's default
    var upright = (room / Math.max(groups.length, 1)) * (1 - gap) / data.length;
    if (upright >= BAR_LINE_PX) return data;
    var across = data.map(function (trace) {
      var turned = Object.assign({}, trace, { orientation: "h", x: trace.y, y: trace.x });
      if (trace.text) turned.textangle = 0;
      return turned;
    });
    var gpuAxis = Object.assign({}, layout.xaxis || {}, {
      autorange: "reversed",
      automargin: true,
      ticklabelstandoff: 8, // a GPU's name apart from a short bar's label
    });
    layout.xaxis = Object.assign({}, layout.yaxis || {});
    layout.yaxis = gpuAxis;
    // the legend sits between the title and the plot, a model a line where the chart is
    // narrow (model IDs are long): room for it there, or six names ran over the title
    var legend = data.length > 1 ? data.length * 20 : 0;
    layout.margin = Object.assign({}, margin, { t: (margin.t || 100) + legend });
    var bars = (groups.length * data.length * BAR_LINE_PX) / (1 - gap);
    layout.height = Math.ceil(bars + layout.margin.t + (margin.b || 80));
    return across;
  }

  // The chart toolbar's words in the page's language (the plotly_locale tag; none in English).
  function plotlyLocale() {
    var source = document.getElementById("plotly-locale");
    if (!source) return null;
    try {
      var words = JSON.parse(source.textContent);
      return words && words.locale && words.dictionary ? words : null;
    } catch (err) {
      return null;
    }
  }

  function renderCharts(root) {
    if (!window.Plotly) return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (err) {
        return;
      }
      el.dataset.rendered = "1";
      el.innerHTML = "";
      var layout = Object.assign({}, spec.layout || {}, { autosize: true });
      fitTitle(layout, el.clientWidth);
      fitAnnotations(layout, el.clientWidth);
      var config = {
        responsive: true,
        displaylogo: false,
        // sendChartToCloud would upload the figure to Plotly's cloud: not from this site
        modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"],
      };
      var words = plotlyLocale();
      if (words) {
        config.locale = words.locale;
        config.locales = {};
        config.locales[words.locale] = { dictionary: words.dictionary };
      }
      var data = barsAcross(spec.data || [], layout, el.clientWidth);
      window.Plotly.newPlot(el, fitLegend(data, layout, el.clientWidth), layout, config);
    });
  }

  // The exercise form numbers its edits, rising (microseconds on this clock, and always above
  // the number of the table the page was rendered with): each save carries the number of the
  // newest edit it holds, and the server keeps a save that arrives after a newer one from
  // writing over it (an autosave still on its way when Check is pressed).
  // Autosaves wait 600 ms after the last keystroke; leaving the page sooner must not lose the
  // text: the language switch saves first and then reloads, any other way out sends the save
  // as a beacon.
  var editForms = [];

  // A page's own token for its saves: the server orders saves of one page by ``seq`` and
  // refuses a save from another page (another tab) that has not seen the last write. The
  // rendered token is replaced here so that a duplicated or restored tab is a page of its own.
  function newPageToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // The server's answer to a save that another page's newer write refused (nothing written)
  function conflicted(xhrOrResponse) {
    var get = xhrOrResponse && (xhrOrResponse.getResponseHeader
      ? function (n) { return xhrOrResponse.getResponseHeader(n); }
      : function (n) { return xhrOrResponse.headers.get(n); });
    return !!(get && get("X-Exercise-Conflict"));
  }

  function numberEdits(form) {
    var field = form.querySelector("input[name=seq]");
    if (!field || form.dataset.editSeqReady) return;
    form.dataset.editSeqReady = "1";
    var token = form.querySelector("input[name=page]");
    if (token && window.crypto && window.crypto.getRandomValues) token.value = newPageToken();
    var last = parseInt(form.dataset.editSeq || "0", 10) || 0;
    var saved = last;
    var submitting = false;
    var dropping = false; // "Load the newer rows (drops yours)": says it drops, so it may
    // What this tab stored is only read: whatever it holds (another version's note, junk,
    // storage turned off), the page's saves are wired up below.
    try {
      last = Math.max(last, resumeLeft(form, token));
    } catch (e) {
      forget(LEFT_KEY);
    }
    try {
      offerDraft(form);
    } catch (e) {
      forget(DRAFTS_KEY);
    }
    form.addEventListener("click", function (evt) {
      var plain = evt.button === 0 && !(evt.ctrlKey || evt.metaKey || evt.shiftKey || evt.altKey);
      if (plain && evt.target.closest && evt.target.closest("[data-drops-rows]")) dropping = true;
    });
    // The page stayed after all (the navigation stopped, or it came back from the back/forward
    // cache): what is typed from now on, or left unsaved, is not dropped.
    window.addEventListener("pageshow", function () { dropping = false; });
    form.addEventListener("input", function (evt) {
      if (evt.target === field) return;
      dropping = false;
      last = Math.max(Date.now() * 1000, last + 1);
      field.value = String(last);
    });
    form.addEventListener("htmx:beforeRequest", function (evt) {
      evt.detail.xhr.mechanicSeq = parseInt(field.value || "0", 10) || 0;
    });
    var status = document.getElementById("save-status");
    form.addEventListener("htmx:afterRequest", function (evt) {
      if (evt.detail.successful) {
        // refused for another tab's newer rows: still unsaved (the notice offers the choice)
        if (!conflicted(evt.detail.xhr)) saved = Math.max(saved, evt.detail.xhr.mechanicSeq || 0);
        if (status) status.classList.remove("warn");
      }
    });
    // A save that fails (the server down, a 5xx, a 4xx) is not swapped in by htmx: the status
    // went on saying "Saved at ..." while nothing was. Say it; the rows stay unsaved, so the
    // next change (or leaving the page) sends them again.
    function unsaved() {
      if (!status || !status.dataset.unsaved) return;
      status.textContent = status.dataset.unsaved;
      status.classList.add("warn");
    }
    // The conflict notice stays at the viewport's foot (app.css): the field typed in is moved
    // clear of it, or the notice covered the very row a phone reader was typing in.
    function clearOfNotice() {
      var field = document.activeElement;
      if (!status || !status.querySelector(".exercise-conflict") || !form.contains(field)) return;
      if (field === status || status.contains(field)) return;
      var notice = status.getBoundingClientRect();
      var box = field.getBoundingClientRect();
      if (box.bottom > notice.top && box.top < notice.bottom) {
        window.scrollBy({ top: box.bottom - notice.top + 8, behavior: "instant" });
      }
    }
    form.addEventListener("focusin", clearOfNotice);
    form.addEventListener("htmx:afterSwap", clearOfNotice);
    if (status) status.mechanicClearOfNotice = clearOfNotice;
    form.addEventListener("htmx:responseError", unsaved);
    form.addEventListener("htmx:sendError", unsaved);
    form.addEventListener("submit", function () { submitting = true; });
    var entry = {
      unsaved: function () { return !submitting && !dropping && last > saved; },
      body: function () { return new FormData(form); },
      url: form.getAttribute("action"),
      markSaved: function (seq) { saved = Math.max(saved, seq); },
      seq: function () { return last; },
      status: status,
      form: form,
    };
    editForms.push(entry);
  }

  // Save what the autosave has not sent yet; resolves when the server has answered (or failed).
  function saveUnsaved() {
    var pending = editForms.filter(function (f) { return f.unsaved(); }).map(function (f) {
      var seq = f.seq();
      return fetch(f.url, {
        method: "POST", body: f.body(), credentials: "same-origin", keepalive: true,
        headers: { "HX-Request": "true" }, // the short answer (the save status), not the page
      })
        .then(function (response) {
          if (!response.ok) return false;
          if (!conflicted(response)) { f.markSaved(seq); return false; }
          // Another tab saved this table: show the notice, and stay (leaving drops the rows)
          return response.text().then(function (html) {
            if (f.status && window.htmx) {
              window.htmx.swap(f.status, html, { swapStyle: "innerHTML" });
            }
            if (f.status && f.status.mechanicClearOfNotice) f.status.mechanicClearOfNotice();
            return true;
          });
        })
        .catch(function () { return false; });
    });
    return Promise.all(pending).then(function (refused) { return refused.indexOf(true) !== -1; });
  }

  window.mechanicLeave = function (form) {
    // The list switches on its change event, which an arrow key fires: the page comes back in
    // the new language with the focus on the list again, so a keyboard reader's next arrow
    // key moves on (it was lost to the page's top, the list six Tab stops away).
    var select = form.querySelector("select");
    try {
      if (select && document.activeElement === select) {
        sessionStorage.setItem("mechanic-refocus", select.id);
      }
    } catch (e) {}
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 3000); });
    Promise.race([saveUnsaved(), timeout]).then(function (refused) {
      if (!refused) { form.submit(); return; }
      // Another tab's save refused these rows: stay, in this language, with the notice
      var current = select && select.querySelector("option[selected]");
      if (current) select.value = current.value;
      try { sessionStorage.removeItem("mechanic-refocus"); } catch (e) {}
    });
  };

  function refocus() {
    var id = null;
    try {
      id = sessionStorage.getItem("mechanic-refocus");
      sessionStorage.removeItem("mechanic-refocus");
    } catch (e) {}
    var el = id && document.getElementById(id);
    if (el) el.focus();
  }

  // A beacon is sent as the page goes, and may reach the server after the page that follows
  // in this tab (a reload) has been rendered: that page showed the rows without the words
  // typed last, and its next save was refused as if another tab had written the beacon's rows
  // ("changed in another tab or window"). So the leaving page leaves a note in this tab's
  // sessionStorage (its token, its last edit's number, the rows it sent), and the next
  // exercise page of this tab reads it. When that page shows the same table, rendered from the
  // revision the beacon's rows are based on (the beacon had not landed, nor anything else) or
  // from a write of the leaving page itself (its autosave answered after it left), it carries
  // on as that page (its token, edits numbered above the beacon's) with the rows the reader
  // typed; the beacon is written when it lands. A new page's table (no id yet: its first save
  // had not been answered) is the same table when the next page is a new page at the same
  // address, or the table that page's token made.
  // Rendered from another page's newer write, the beacon is refused (or was written over):
  // the rows the leaving page changed and this render does not hold are kept as a draft of
  // that table, and its next page in this tab offers them back (restore or discard). So is a
  // note of a table that another tab's write stood in the way of, when the next page is
  // another table's. Only "Load the newer rows (drops yours)" leaves no note.
  // A note is read only soon after it was left (LEFT_FRESH_MS: a reload, a quick look at
  // another page): an older one may be of a beacon that landed and was written over since on
  // purpose (by another tab), or of a new table at an address opened afresh much later.
  // Only a note of rows that another tab's write stood in the way of is kept for longer, as a
  // draft to offer (restore or discard): that is what the draft is for.
  var LEFT_KEY = "mechanic-exercise-left";
  var LEFT_FRESH_MS = 30000;
  var DRAFTS_KEY = "mechanic-exercise-drafts"; // {exercise id: {field name: text}}

  function fieldValue(form, name) {
    var el = form.querySelector("[name=" + name + "]");
    return el ? el.value : null;
  }

  var ROW_NAMES = ["model_name", "backbone", "post_training", "inference", "product"];

  // The form's row field called ``name`` (null for any other name: names come from storage)
  function rowField(form, name) {
    if (ROW_NAMES.indexOf(name) === -1) return null;
    var el = form.elements.namedItem(name);
    return el && /^(TEXTAREA|INPUT)$/.test(el.tagName) ? el : null;
  }

  // ``value`` if it is a plain object of strings (what a note's rows and a draft are), else null
  function textsOf(value) {
    if (!value || typeof value !== "object" || Array.isArray(value)) return null;
    var texts = {};
    Object.keys(value).forEach(function (name) {
      if (ROW_NAMES.indexOf(name) !== -1 && typeof value[name] === "string") {
        texts[name] = value[name];
      }
    });
    return texts;
  }

  function rowFields(form) {
    return form.querySelectorAll("textarea[name], input[name=model_name]");
  }

  function noteLeft(form) {
    var rows = {};
    var changed = {}; // the fields this page changed from what it was rendered with
    rowFields(form).forEach(function (el) {
      rows[el.name] = el.value;
      if (el.value !== el.defaultValue) changed[el.name] = el.value;
    });
    var status = document.getElementById("save-status");
    try {
      sessionStorage.setItem(LEFT_KEY, JSON.stringify({
        id: fieldValue(form, "exercise_id"),
        base: fieldValue(form, "base"),
        page: fieldValue(form, "page"),
        seq: parseInt(fieldValue(form, "seq") || "0", 10) || 0,
        rows: rows,
        changed: changed,
        conflict: !!(status && status.querySelector(".exercise-conflict")),
        at: Date.now(),
      }));
    } catch (e) {}
  }

  // This tab's drafts, only those of a table id with plain texts (junk is dropped)
  function readDrafts() {
    var drafts = {};
    try {
      var stored = JSON.parse(sessionStorage.getItem(DRAFTS_KEY) || "{}");
      if (!stored || typeof stored !== "object" || Array.isArray(stored)) stored = {};
      Object.keys(stored).forEach(function (id) {
        var texts = /^\d+$/.test(id) && textsOf(stored[id]);
        if (texts && Object.keys(texts).length) drafts[id] = texts;
      });
    } catch (e) {}
    return drafts;
  }

  function forget(key) {
    try { sessionStorage.removeItem(key); } catch (e) {}
  }

  function writeDrafts(drafts) {
    try {
      if (Object.keys(drafts).length) sessionStorage.setItem(DRAFTS_KEY, JSON.stringify(drafts));
      else sessionStorage.removeItem(DRAFTS_KEY);
    } catch (e) {}
  }

  // Keep ``texts`` (field name: text) as table ``id``'s draft, over an older one's fields
  function keepDraft(id, texts) {
    if (!Object.keys(texts).length) return;
    var drafts = readDrafts();
    drafts[id] = Object.assign({}, drafts[id] || {}, texts);
    writeDrafts(drafts);
  }

  // The fields of ``texts`` whose text the form does not hold
  function notHeld(form, texts) {
    var missing = {};
    var valid = textsOf(texts) || {};
    Object.keys(valid).forEach(function (name) {
      var el = rowField(form, name);
      if (el && el.value !== valid[name]) {
        missing[name] = valid[name];
      }
    });
    return missing;
  }

  // Whether the note ``left`` is of the table this form shows
  // A note of a table without an id yet (its first save not answered) is not carried over:
  // done by the page's address or the table its token made, it raced in chromium (the leaving
  // page's note was sometimes written after the next page had read this tab's storage), and
  // its test failed one run in four under load. Such rows are lost on a quick reload, as before.
  function sameTable(left, form) {
    var id = fieldValue(form, "exercise_id") || "";
    return /^\d+$/.test(left.id) && left.id === id;
  }

  // The note the previous page of this tab left (null: none, or not a note)
  function readLeft() {
    var left = null;
    try {
      left = JSON.parse(sessionStorage.getItem(LEFT_KEY) || "null");
    } catch (e) {}
    forget(LEFT_KEY);
    if (!left || typeof left !== "object" || Array.isArray(left)) return null;
    var strings = ["id", "base", "page"].every(function (k) {
      return left[k] == null || typeof left[k] === "string";
    });
    if (!strings || typeof left.id !== "string" || typeof left.page !== "string") return null;
    return {
      id: left.id,
      base: left.base,
      page: left.page,
      seq: typeof left.seq === "number" && left.seq > 0 ? left.seq : 0,
      rows: textsOf(left.rows) || {},
      changed: textsOf(left.changed) || {},
      conflict: left.conflict === true,
      fresh: typeof left.at === "number" && Math.abs(Date.now() - left.at) <= LEFT_FRESH_MS,
    };
  }

  // The number of the last edit the previous page of this tab sent as it went (0: none to
  // resume); its token and rows are taken over (see above).
  function resumeLeft(form, token) {
    var left = readLeft();
    if (!left || !left.id || !left.page || !token) return 0;
    if (!left.fresh && !left.conflict) return 0; // old: its beacon may have been written over
    var id = fieldValue(form, "exercise_id") || "";
    if (!sameTable(left, form)) {
      if (left.conflict && /^\d+$/.test(left.id)) keepDraft(left.id, left.changed);
      return 0;
    }
    // the rows shown already hold the note's last edit (its beacon, or the form it submitted,
    // was written, as the server keeps them: a row over the limit cut): nothing to carry on
    var written = !!form.dataset.rowsPage && form.dataset.rowsPage === left.page
      && left.seq > 0 && (parseInt(form.dataset.rowsSeq || "0", 10) || 0) >= left.seq;
    if (written) return 0;
    var resume = left.fresh && (left.base === fieldValue(form, "base")
      || (!!form.dataset.rowsPage && form.dataset.rowsPage === left.page));
    if (!resume) {
      if (/^\d+$/.test(id)) keepDraft(id, notHeld(form, left.changed));
      return 0;
    }
    token.value = left.page;
    rowFields(form).forEach(function (el) {
      var text = left.rows[el.name];
      if (typeof text === "string") el.value = text;
    });
    var field = form.querySelector("input[name=seq]");
    if (field && left.seq) field.value = String(left.seq);
    return left.seq;
  }

  // A draft of this table (see above) that the fields do not hold: offered back, under the
  // page's head. Restored, its texts are edits of this page (saved, or refused, as any). A
  // field typed in while it is offered is the reader's newer text: it is not offered any more
  // (Restore would have written over it), and when no field is left, neither is the draft.
  function offerDraft(form) {
    var id = fieldValue(form, "exercise_id") || "";
    var drafts = readDrafts();
    if (!/^\d+$/.test(id) || !drafts[id]) {
      writeDrafts(drafts); // junk dropped
      return;
    }
    var texts = notHeld(form, drafts[id]);
    var template = document.getElementById("exercise-draft-notice");
    if (!Object.keys(texts).length || !template) {
      delete drafts[id];
      writeDrafts(drafts);
      return;
    }
    var notice = template.content.firstElementChild.cloneNode(true);
    var settled = false;
    function settle() {
      settled = true;
      var now = readDrafts();
      delete now[id];
      writeDrafts(now);
      notice.remove();
      form.removeEventListener("input", typed);
    }
    function typed(evt) {
      var name = evt.target && evt.target.name;
      if (settled || !Object.prototype.hasOwnProperty.call(texts, name)) return;
      delete texts[name];
      if (!Object.keys(texts).length) { settle(); return; }
      var now = readDrafts();
      if (now[id]) {
        delete now[id][name];
        if (!Object.keys(now[id]).length) delete now[id];
        writeDrafts(now);
      }
    }
    form.addEventListener("input", typed);
    notice.querySelector("[data-draft=discard]").addEventListener("click", settle);
    notice.querySelector("[data-draft=restore]").addEventListener("click", function () {
      var restore = texts;
      settle();
      var first = null;
      Object.keys(restore).forEach(function (name) {
        var el = rowField(form, name);
        if (!el) return;
        el.value = restore[name];
        first = first || el;
        el.dispatchEvent(new Event("input", { bubbles: true })); // numbered, then autosaved
      });
      if (first) first.focus();
    });
    var head = form.querySelector(".field");
    form.insertBefore(notice, head);
  }

  window.addEventListener("pagehide", function () {
    editForms.forEach(function (f) {
      if (f.unsaved() && navigator.sendBeacon) {
        if (navigator.sendBeacon(f.url, f.body())) {
          f.markSaved(f.seq());
          noteLeft(f.form);
        }
      }
    });
  });

  // <time data-local> (the local_time filter): UTC on the server, the reader's clock here
  var TIME_PARTS = {
    datetime: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" },
    time: { hour: "2-digit", minute: "2-digit" },
    seconds: { hour: "2-digit", minute: "2-digit", second: "2-digit" }
  };
  function localTimes(root) {
    (root || document).querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      var parts = TIME_PARTS[el.getAttribute("data-local")];
      if (isNaN(when.getTime()) || !parts) return;
      var opts = Object.assign({ hourCycle: "h23" }, parts);
      el.textContent = when.toLocaleString(document.documentElement.lang || undefined, opts);
      el.title = el.getAttribute("datetime");
      el.removeAttribute("data-local");
    });
  }

  function numberAllEdits() {
    document.querySelectorAll("form[data-edit-seq]").forEach(numberEdits);
  }

  // A file field's chosen file, named beside its button in the page's language (home.html):
  // the browser's own "No file chosen" is out of sight with its control.
  function fileNames(root) {
    (root || document).querySelectorAll(".file-pick input[type=file]").forEach(function (input) {
      var name = input.parentNode.querySelector(".file-name");
      if (!name) return;
      var show = function () {
        var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        name.textContent = files.length ? files.join(", ") : name.getAttribute("data-none");
      };
      input.addEventListener("change", show);
      show();
    });
  }

  // A run's status block (profiler/_run_status.html) replaces itself every second while the
  // run goes on, and on Stop; htmx keeps the focus on Stop across a swap (it has an id). Once
  // the run has ended, Stop is gone: the focus fell to the page's top. It goes to the block's
  // first line (tabindex=-1), which a screen reader reads out.
  var runFocus = null;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var box = evt.detail.target;
    var el = document.activeElement;
    var status = box && box.classList && box.classList.contains("run-status");
    runFocus = status && el && el !== document.body && box.contains(el) ? box.id : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var box = runFocus && document.getElementById(runFocus);
    runFocus = null;
    if (!box || box.contains(document.activeElement)) return;
    var line = document.getElementById(box.id + "-line");
    if (line) line.focus();
  });

  // On the run's own page, a run that ended reloads the page once (views._status_response
  // sends the event after the swap, with the page's address), for what only the page shows
  // ("Ran for", "Measure again"). The focus comes back where it was (refocus, above); a reader
  // whose focus was elsewhere hears the end from the page's live region (runEndedSay).
  var RUN_SAY_KEY = "mechanic-run-ended-say";
  document.addEventListener("mechanic-run-ended", function (evt) {
    var page = evt.detail && evt.detail.page;
    if (typeof page !== "string" || page !== window.location.pathname) return;
    var el = document.activeElement;
    var box = document.querySelector(".run-status");
    try {
      if (el && el.id && el !== document.body) {
        sessionStorage.setItem("mechanic-refocus", el.id);
      } else if (box) {
        sessionStorage.setItem(RUN_SAY_KEY, box.id);
      }
    } catch (e) {}
    window.location.reload();
  });

  function runEndedSay() {
    var id = null;
    try {
      id = sessionStorage.getItem(RUN_SAY_KEY);
      sessionStorage.removeItem(RUN_SAY_KEY);
    } catch (e) {}
    var line = id && document.getElementById(id + "-line");
    var region = document.getElementById("run-ended-said");
    if (!line || !region) return;
    // written a moment after the page is in: a live region announces changes, not its first
    // content
    window.setTimeout(function () {
      region.textContent = line.textContent.replace(/\s+/g, " ").trim();
    }, 500);
  }

  function ready() { numberAllEdits(); localTimes(document); fileNames(document); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
    document.addEventListener("DOMContentLoaded", refocus);
    document.addEventListener("DOMContentLoaded", runEndedSay);
  } else {
    ready();
    refocus();
    runEndedSay();
  }
  // The ingest progress polls itself ("every 3s" as well as after each answer): an answer
  // that fails (the web server restarting, a proxy's 502) is not swapped in, and the box used
  // to stop polling there, saying "Reading ... from the Hub" for ever. It polls on, and says
  // it has no answer until one comes. So does any other request the page makes by itself (a
  // measurement run's status every second, the runs list refreshing): nothing was entered
  // there, so the note is not the forms' "What you entered is still here". It goes inside the
  // element, which the next answer replaces (hx-swap="outerHTML"), note and all.
  function background(elt) {
    if (!elt || !elt.closest || !elt.hasAttribute || !elt.hasAttribute("hx-get")) return false;
    if (elt.closest("form") || /^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(elt.tagName)) return false;
    return true;
  }
  function progressLost(evt) {
    var box = evt.detail && evt.detail.elt;
    if (!background(box)) return;
    var words = document.body.dataset.htmxPollLostWords;
    if (!words) return;
    var note = box.querySelector("[data-progress-lost]");
    if (!note) {
      note = document.createElement("p");
      note.className = "muted small warn";
      note.setAttribute("data-progress-lost", "");
      box.appendChild(note);
    }
    note.textContent = words;
  }
  document.addEventListener("htmx:responseError", progressLost);
  document.addEventListener("htmx:sendError", progressLost);

  // Any other htmx request that fails (the paste form, the measure form, a run's cancel, the
  // context and GPU pickers) got no swap and so no word at all: the button came back and
  // nothing happened. Say so under the form; what was typed is untouched.
  function requestFailed(evt) {
    var elt = evt.detail && evt.detail.elt;
    if (!elt || !elt.closest) return;
    if (elt.closest("form[data-edit-seq]") || background(elt)) return;
    var words = document.body.dataset.htmxFailedWords;
    var anchor = elt.closest("form") || elt;
    if (!words || !anchor.parentNode) return;
    var note = anchor.nextElementSibling;
    if (!note || !note.hasAttribute("data-htmx-failed")) {
      note = document.createElement("p");
      note.className = "error";
      note.setAttribute("role", "alert");
      note.setAttribute("data-htmx-failed", "");
      anchor.parentNode.insertBefore(note, anchor.nextSibling);
    }
    note.textContent = words;
  }
  document.addEventListener("htmx:responseError", requestFailed);
  document.addEventListener("htmx:sendError", requestFailed);
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (!evt.detail.successful || !elt || !elt.closest) return;
    var anchor = elt.closest("form") || elt;
    var note = anchor.nextElementSibling;
    if (note && note.hasAttribute("data-htmx-failed")) note.remove();
  });

  document.addEventListener("htmx:afterSettle", function (evt) { localTimes(evt.target); });
  // A list that swaps the whole page in place (the model and compare pages' context and GPU)
  // stays where the reader's eyes are: replacing <main> left the window scrolled elsewhere
  // (the compare page's context list, at 1,000 px, came back 5,000 px above the view).
  var held = null;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var el = document.activeElement;
    held = evt.detail.target && evt.detail.target.id === "main" && el && el.id
      ? { id: el.id, top: el.getBoundingClientRect().top } : null;
  });
  function holdPlace() {
    var el = held && document.getElementById(held.id);
    if (el) window.scrollBy(0, el.getBoundingClientRect().top - held.top);
  }
  document.addEventListener("htmx:afterSwap", holdPlace);
  window.addEventListener("load", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSettle", function (evt) {
    renderCharts(document);
    holdPlace();
    held = null;
  });
})();
