/* auditor report: sorting, filtering, evidence highlighting, review decisions.
   Reads only the page's own DOM; writes only localStorage and a downloaded JSON file.
   Never turns text into markup (textContent only). */
(function () {
  "use strict";
  var PREFIX = "auditor.review/1:";
  var LABEL = { confirmed: "已确认：问题成立", dismissed: "已驳回：下次运行用 --waivers 导入后将标为已豁免" };
  var DECISIONS = { confirmed: true, dismissed: true };

  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function load(id) {
    try { return JSON.parse(localStorage.getItem(PREFIX + id) || "null"); } catch (e) { return null; }
  }
  function save(id, rec) {
    try {
      if (rec) { localStorage.setItem(PREFIX + id, JSON.stringify(rec)); } else { localStorage.removeItem(PREFIX + id); }
    } catch (e) { /* storage unavailable: decisions last for this page only */ }
  }
  function allDecisions() {
    var out = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) {
          var r = JSON.parse(localStorage.getItem(k));
          if (r && r.decision) { out.push(r); }
        }
      }
    } catch (e) { /* ignore */ }
    out.sort(function (a, b) { return (a.document + a.id).localeCompare(b.document + b.id); });
    return out;
  }

  /* ---- decisions from a review file: the run's (--review, on the cards) and imported ones ---- */
  function clean(r) {
    /* a decision as stored: only known fields, only text and numbers (an imported file is untrusted) */
    var str = function (v) { return typeof v === "string" ? v.slice(0, 4000) : ""; };
    var list = function (v, num) {
      return Array.isArray(v) ? v.filter(function (x) { return num ? typeof x === "number" : typeof x === "string"; }).slice(0, 50) : [];
    };
    return {
      id: str(r.id), document: str(r.document), sha256: str(r.sha256), rule: str(r.rule), quotes: list(r.quotes),
      lines: list(r.lines, true), decision: DECISIONS[r.decision] ? r.decision : null, note: str(r.note),
      time: str(r.time) || new Date().toISOString()
    };
  }
  /* a flag whose decision came back through --review (a card, or a row of the index) starts with
     it, unless this browser holds its own */
  $all("[data-review][data-id]").forEach(function (card) {
    var id = card.getAttribute("data-id");
    if (!id || load(id)) { return; }
    var rv = null; try { rv = JSON.parse(card.getAttribute("data-review")); } catch (e) { return; }
    if (!rv || !DECISIONS[rv.decision]) { return; }
    var json = function (name) { try { return JSON.parse(card.getAttribute(name)); } catch (e) { return []; } };
    save(id, clean({ id: id, document: card.getAttribute("data-doc"), sha256: card.getAttribute("data-sha"),
      rule: card.getAttribute("data-rule"), quotes: json("data-quotes"), lines: json("data-lines"),
      decision: rv.decision, note: rv.note, source: "file" }));
  });
  function importDecisions(text) {
    var data = JSON.parse(text);
    if (!data || data.schema !== "auditor.review/1" || !Array.isArray(data.decisions)) {
      throw new Error("不是 auditor 导出的审阅文件（schema 应为 auditor.review/1）");
    }
    var n = 0;
    data.decisions.forEach(function (r) {
      if (r && typeof r.id === "string" && r.id && DECISIONS[r.decision]) { save(r.id, clean(r)); n++; }
    });
    return n;
  }
  window.auditorReviewImport = importDecisions;
  $all("input.import-file").forEach(function (input) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var state = input.closest(".actions").querySelector(".import-state");
      if (!file) { return; }
      var reader = new FileReader();
      reader.onload = function () {
        try {
          var n = importDecisions(String(reader.result));
          state.textContent = "已导入 " + n + " 条审阅结果";
          refresh();
        } catch (e) {
          state.textContent = "导入失败：" + (e && e.message ? e.message : "无法读取");
        }
        input.value = "";
      };
      reader.onerror = function () { state.textContent = "导入失败：无法读取文件"; };
      reader.readAsText(file);
    });
  });

  /* ---- export ---- */
  function exportJSON() {
    var data = { schema: "auditor.review/1", exported: new Date().toISOString(), decisions: allDecisions() };
    var blob = new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "auditor-review.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    return data;
  }
  window.auditorReviewExport = function () { return { schema: "auditor.review/1", decisions: allDecisions() }; };
  $all("[data-action=export]").forEach(function (b) { b.addEventListener("click", exportJSON); });

  /* ---- sortable, filterable tables ---- */
  $all("table.sortable").forEach(function (table) {
    var heads = $all("thead th", table);
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", dir);
        var num = th.getAttribute("data-type") === "num";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var vx = x.hasAttribute("data-v") ? x.getAttribute("data-v") : x.textContent.trim();
          var vy = y.hasAttribute("data-v") ? y.getAttribute("data-v") : y.textContent.trim();
          var c = num ? (parseFloat(vx) || 0) - (parseFloat(vy) || 0) : vx.localeCompare(vy, "zh-CN");
          return dir === "ascending" ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  function applyFilters(id) {
    var table = document.getElementById(id);
    if (!table) { return; }
    var text = $all(".filter[data-target=" + id + "]").map(function (i) { return i.value.trim().toLowerCase(); })[0] || "";
    var only = $all(".only-flagged[data-target=" + id + "]").some(function (c) { return c.checked; });
    var rule = $all(".rule-filter[data-target=" + id + "]").map(function (s) { return s.value; })[0] || "";
    $all("tbody tr", table).forEach(function (tr) {
      var show = (!text || tr.textContent.toLowerCase().indexOf(text) >= 0) &&
        (!only || tr.getAttribute("data-flagged") === "1") &&
        (!rule || tr.getAttribute("data-rule") === rule);
      tr.classList.toggle("hidden", !show);
    });
  }
  $all(".filter, .only-flagged, .rule-filter").forEach(function (el) {
    el.addEventListener("input", function () { applyFilters(el.getAttribute("data-target")); });
    el.addEventListener("change", function () { applyFilters(el.getAttribute("data-target")); });
  });
  $all(".chart .bar").forEach(function (bar) {
    bar.addEventListener("click", function () {
      var sel = document.querySelector(".rule-filter[data-target=allflags]");
      if (sel) { sel.value = bar.getAttribute("data-rule"); applyFilters("allflags"); }
    });
  });
  function countReviewed() {
    $all("td.reviewed").forEach(function (td) {
      var ids = []; try { ids = JSON.parse(td.getAttribute("data-ids")); } catch (e) { /* none */ }
      var n = ids.filter(function (id) { var r = load(id); return r && r.decision; }).length;
      td.textContent = ids.length ? n + "/" + ids.length : "—";
      td.setAttribute("data-v", String(ids.length ? n / ids.length : -1));
    });
  }
  countReviewed();

  /* ---- evidence: scroll to and highlight ---- */
  function highlight(key) {
    $all(".hl", document.getElementById("text") || document).forEach(function (el) { el.classList.remove("hl"); });
    $all(".flag.active").forEach(function (el) { el.classList.remove("active"); });
    var hits = $all('[data-ev~="' + key.replace(/[^a-z0-9]/g, "") + '"]', document.getElementById("text") || document);
    hits.forEach(function (el) { el.classList.add("hl"); });
    var card = document.querySelector('.evlink[data-ev="' + key.replace(/[^a-z0-9]/g, "") + '"]');
    if (card) { card.closest(".flag").classList.add("active"); }
    if (hits.length) { hits[0].scrollIntoView({ block: "center" }); }
    return hits.length;
  }
  window.auditorHighlight = highlight;
  $all("a.evlink").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var key = a.getAttribute("data-ev");
      if (!highlight(key)) {
        var line = document.getElementById("L" + a.getAttribute("data-line"));
        if (line) { line.classList.add("hl"); line.scrollIntoView({ block: "center" }); }
      }
      if (history.replaceState) { history.replaceState(null, "", "#ev-" + key); }
    });
  });
  if (location.hash.indexOf("#ev-") === 0) { highlight(location.hash.slice(4)); }
  if (location.hash.indexOf("#flag-") === 0) {
    var target = document.getElementById(location.hash.slice(1));
    var first = target && target.querySelector("a.evlink");
    if (first) { highlight(first.getAttribute("data-ev")); target.scrollIntoView({ block: "nearest" }); }
  }

  /* ---- review decisions ---- */
  function show(card, rec) {
    var d = rec && rec.decision;
    $all("button.rv", card).forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-decision") === d));
    });
    card.classList.toggle("rv-confirmed", d === "confirmed");
    card.classList.toggle("rv-dismissed", d === "dismissed");
    card.querySelector(".rv-state").textContent = d ? LABEL[d] : "";
  }
  function record(card, decision, note) {
    var json = function (name) { try { return JSON.parse(card.getAttribute(name)); } catch (e) { return []; } };
    return {
      id: card.getAttribute("data-id"), document: card.getAttribute("data-doc"), sha256: card.getAttribute("data-sha"),
      rule: card.getAttribute("data-rule"), quotes: json("data-quotes"), lines: json("data-lines"),
      decision: decision, note: note, time: new Date().toISOString()
    };
  }
  $all("article.flag").forEach(function (card) {
    var id = card.getAttribute("data-id");
    var note = card.querySelector(".note");
    var rec = load(id);
    if (rec) { note.value = rec.note || ""; }
    show(card, rec);
    $all("button.rv", card).forEach(function (b) {
      b.addEventListener("click", function () {
        var cur = load(id);
        var d = b.getAttribute("data-decision");
        /* clicking the pressed decision again clears it; the cleared record stays stored, so a
           decision that came with the report (--review) does not come back on the next visit */
        var next = record(card, cur && cur.decision === d ? null : d, note.value);
        save(id, next);
        show(card, next);
      });
    });
    note.addEventListener("input", function () {
      var cur = load(id);
      save(id, record(card, cur ? cur.decision : null, note.value));
    });
  });
  function refresh() {
    $all("article.flag").forEach(function (card) {
      var rec = load(card.getAttribute("data-id"));
      card.querySelector(".note").value = rec ? rec.note || "" : "";
      show(card, rec);
    });
    countReviewed();
  }
  function applyHide() {
    var hw = $all(".hide-waived").some(function (c) { return c.checked; });
    var hr = $all(".hide-reviewed").some(function (c) { return c.checked; });
    $all("article.flag").forEach(function (card) {
      var rec = load(card.getAttribute("data-id"));
      card.classList.toggle("hidden", (hw && card.classList.contains("is-waived")) || (hr && !!(rec && rec.decision)));
    });
  }
  $all(".hide-waived, .hide-reviewed").forEach(function (c) { c.addEventListener("change", applyHide); });
})();
