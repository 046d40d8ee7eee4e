(function () {
  "use strict";
  // the rows travel as gzip-compressed JSON in base64 (see matcher/report/render.py: pack)
  var packed = document.getElementById("report-data").textContent.trim();
  if (typeof DecompressionStream === "undefined" || typeof TextDecoder === "undefined") {
    document.getElementById("old-browser").hidden = false;
    return;
  }
  var binary = atob(packed), bytes = new Uint8Array(binary.length);
  for (var b = 0; b < binary.length; b++) bytes[b] = binary.charCodeAt(b);
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")))
    .text().then(function (text) { start(JSON.parse(text)); });

function start(D) {
  window.matcherReport = D;  // the decoded data, for scripts and tests
  var T = D.t, PAGE = 50, PRINT_MAX = 2000, printing = false, pagers = [];
  var num = new Intl.NumberFormat(D.lang === "en" ? "en-GB" : D.lang,
                                  {minimumFractionDigits: 2, maximumFractionDigits: 2});
  function fmt(x) { return x === null || x === undefined ? "\u2013" : num.format(x); }
  function fill(s, o) { return s.replace(/\{(\w+)\}/g, function (m, k) { return k in o ? o[k] : m; }); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function cell(tr, label, text, cls) { var td = el("td", text, cls); td.setAttribute("data-label", label); tr.appendChild(td); return td; }
  function roleName(i) { var r = D.roles[i]; return r[1] ? r[1] + " (" + r[0] + ")" : r[0]; }

  // a paged table: rows are indices into some data array; only one page is ever in the DOM
  // (printing, every row up to PRINT_MAX is drawn, so a small batch prints whole)
  function Pager(host, head, draw) {
    this.host = host; this.head = head; this.draw = draw; this.rows = []; this.page = 0;
    pagers.push(this);
  }
  Pager.prototype.set = function (rows) { this.rows = rows; this.page = 0; this.render(); };
  Pager.prototype.render = function () {
    var self = this, n = this.rows.length, pages = Math.max(1, Math.ceil(n / PAGE));
    this.page = Math.min(this.page, pages - 1);
    var all = printing && n <= PRINT_MAX;
    var from = all ? 0 : this.page * PAGE, to = all ? n : Math.min(n, from + PAGE);
    var frag = document.createDocumentFragment();
    if (!n) { frag.appendChild(el("p", T.none_found, "note")); }
    else {
      var table = el("table", null, "rows"), thead = el("thead"), tr = el("tr");
      this.head.forEach(function (h) { tr.appendChild(el("th", h[0], h[1])); });
      thead.appendChild(tr); table.appendChild(thead);
      var body = el("tbody");
      for (var k = from; k < to; k++) this.draw(body, this.rows[k]);
      table.appendChild(body); frag.appendChild(table);
    }
    var bar = el("div", null, "pager");
    bar.appendChild(el("span", n ? fill(T.showing, {from: from + 1, to: to, n: n}) : ""));
    if (pages > 1) {
      var prev = el("button", T.previous), next = el("button", T.next);
      prev.type = next.type = "button";
      prev.disabled = this.page === 0; next.disabled = this.page >= pages - 1;
      prev.onclick = function () { self.page--; self.render(); };
      next.onclick = function () { self.page++; self.render(); };
      bar.appendChild(prev); bar.appendChild(el("span", fill(T.page, {page: this.page + 1, pages: pages})));
      bar.appendChild(next);
    }
    frag.appendChild(bar);
    this.host.replaceChildren(frag);
  };

  // ---- job-seekers
  var S = D.seekers, open = {};
  var head = [[T.seeker, "c-id"], [T.status, "c-status"], [T.score, "c-num"]];
  if (D.hasTiers) head.push([T.tier, "c-tier"]);
  if (D.hasHistory) head.push([T.history, "c-hist"]);
  head.push([T.reason, "reason"]);
  function altTable(i) {
    var a = D.alts[i];
    if (!a.length) return el("p", T.no_alternatives, "note");
    var t = el("table", null, "alts"), h = el("tr");
    var labels = [T.rank, T.role, T.enterprise, T.score, T.skill_fit, T.transfer_fit, T.wish_fit, T.assigned];
    labels.forEach(function (x, j) { h.appendChild(el("th", x, j > 2 ? "c-num" : "")); });
    var th = el("thead"); th.appendChild(h); t.appendChild(th);
    var b = el("tbody");
    a.forEach(function (r) {
      var tr = el("tr", null, r[6] === 1 || r[6] === 3 ? "assigned" : "");
      var role = D.roles[r[0]];
      [r[1], role[1] ? role[1] + " (" + role[0] + ")" : role[0], role[2], fmt(r[2]), fmt(r[3]),
       fmt(r[4]), fmt(r[5]), [T.no, T.yes, T.ruled_out, T.locked_yes][r[6]]].forEach(function (x, j) { cell(tr, labels[j], x, j > 2 ? "c-num" : ""); });
      b.appendChild(tr);
    });
    t.appendChild(b);
    return t;
  }
  function drawSeeker(body, i) {
    var s = S[i], tr = el("tr");
    tr.setAttribute("data-seeker", s[0]);
    cell(tr, T.seeker, s[0], "c-id");
    var st = cell(tr, T.status, null, "c-status");
    if (s[1] >= 0) {
      var r = D.roles[s[1]];
      st.appendChild(el("div", r[1] || r[0]));
      st.appendChild(el("div", (r[2] ? r[2] + " \u00b7 " : "") + r[0], "muted"));
    } else st.appendChild(el("span", T.unmatched, "unmatched"));
    cell(tr, T.score, fmt(s[2]), "c-num");
    if (D.hasTiers) cell(tr, T.tier, s[4] >= 0 ? D.tiers[s[4]] : T.tier_unknown, "c-tier");
    if (D.hasHistory) {
      var h = s[5], txt = fill(T.history_cell, {m: h[1], n: h[0]});
      if (h[2] > 0) txt += "; " + fill(T.history_streak, {k: h[2]});
      cell(tr, T.history, txt, "c-hist");
    }
    var rc = cell(tr, T.reason, null, "reason");
    rc.appendChild(el("div", D.reasons[s[3]]));
    var detail = null;
    if (D.hasAlts) {
      var btn = el("button", T.alternatives + " (" + D.alts[i].length + ")");
      btn.type = "button";
      btn.setAttribute("aria-expanded", open[i] ? "true" : "false");
      btn.onclick = function () {
        open[i] = !open[i];
        btn.setAttribute("aria-expanded", open[i] ? "true" : "false");
        detail.hidden = !open[i];
      };
      rc.appendChild(btn);
      detail = el("tr", null, "detail");
      var td = el("td"); td.colSpan = head.length; td.appendChild(altTable(i));
      detail.appendChild(td); detail.hidden = !open[i];
    }
    body.appendChild(tr);
    if (detail) body.appendChild(detail);
  }
  var list = new Pager(document.getElementById("seeker-list"), head, drawSeeker);
  var haystack = S.map(function (s) {
    var parts = [s[0]];
    if (s[1] >= 0) parts = parts.concat(D.roles[s[1]]);
    return parts.join("\u0001").toLowerCase();
  });
  var q = document.getElementById("q"), fs = document.getElementById("f-status"),
      ft = document.getElementById("f-tier"), so = document.getElementById("f-sort");
  var applied = "";
  function update() {
    applied = q.value;
    var needle = q.value.trim().toLowerCase(), status = fs.value, tier = ft ? ft.value : "";
    var rows = [];
    for (var i = 0; i < S.length; i++) {
      var s = S[i];
      if (status === "matched" && s[1] < 0) continue;
      if (status === "unmatched" && s[1] >= 0) continue;
      if (tier !== "" && String(s[4]) !== tier) continue;
      if (needle && haystack[i].indexOf(needle) < 0) continue;
      rows.push(i);
    }
    var how = so.value;
    if (how === "score_desc" || how === "score_asc") {
      var sign = how === "score_desc" ? -1 : 1;
      rows.sort(function (a, b) {
        var x = S[a][2], y = S[b][2];
        if (x === null && y === null) return a - b;
        if (x === null) return 1; if (y === null) return -1;
        return sign * (x - y) || a - b;
      });
    } else if (how === "tier") {
      rows.sort(function (a, b) { return (S[b][4] - S[a][4]) || a - b; });
    }
    list.set(rows);
  }
  var timer = null;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 120); });
  // Enter or leaving the box applies the search at once, but only when it changed: a re-render
  // between the press and the release of a click would swallow the click
  q.addEventListener("change", function () { if (q.value !== applied) { clearTimeout(timer); update(); } });
  [fs, ft, so].forEach(function (x) { if (x) x.addEventListener("change", update); });
  update();

  // ---- open places
  if (D.open.length) {
    var op = new Pager(document.getElementById("open-list"), [[T.role], [T.enterprise], [T.places, "c-num"], [T.open, "c-num"]],
      function (body, k) {
        var o = D.open[k], r = D.roles[o[0]], tr = el("tr");
        cell(tr, T.role, r[1] ? r[1] + " (" + r[0] + ")" : r[0]);
        cell(tr, T.enterprise, r[2]); cell(tr, T.places, o[1], "c-num"); cell(tr, T.open, o[2], "c-num");
        body.appendChild(tr);
      });
    op.set(D.open.map(function (_, k) { return k; }));
  }
  // ---- warnings
  if (D.warnings.length) {
    var wp = new Pager(document.getElementById("warning-list"), [[T.file], [T.row, "c-num"], [T.column], [T.problem], [T.value]],
      function (body, k) {
        var w = D.warnings[k], tr = el("tr");
        [T.file, T.row, T.column, T.problem, T.value].forEach(function (lab, j) { cell(tr, lab, w[j]); });
        body.appendChild(tr);
      });
    wp.set(D.warnings.map(function (_, k) { return k; }));
  }
  window.addEventListener("beforeprint", function () {
    printing = true; pagers.forEach(function (p) { p.render(); });
  });
  window.addEventListener("afterprint", function () {
    printing = false; pagers.forEach(function (p) { p.render(); });
  });
  // when the first page of rows was drawn, for benchmarks/bench_report.py
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-ready", "1");
}
})();
