// The kiosk's voting screens: language, how it works, who can vote, your details, choose
// projects with a running budget, check, confirm, receipt. Everything on screen is cleared after
// 90 seconds without a touch.
"use strict";
(function () {
  // Cleared after the kiosk's idle time (90 s unless set with run --idle-seconds), with a
  // warning for the last 15 s (or the last sixth of a shorter time).
  var IDLE_MS = (Number(document.body.getAttribute("data-idle-seconds")) || 90) * 1000;
  var WARN_MS = IDLE_MS - Math.min(15000, IDLE_MS / 6);
  var texts = {}, round = null, lang = "en", area = null, chosen = {}, idleTimer = null, warnTimer = null, easy = false;
  var $ = function (id) { return document.getElementById(id); };

  function t(id, vars) {
    var m = (texts[lang] && texts[lang].messages[id]) || (texts.en && texts.en.messages[id]) || id;
    Object.keys(vars || {}).forEach(function (k) { m = m.split("{" + k + "}").join(vars[k]); });
    return m;
  }
  function money(p) { return "£" + (p / 100).toLocaleString("en-GB", { minimumFractionDigits: p % 100 ? 2 : 0, maximumFractionDigits: 2 }); }
  function tr(obj, key, field) {
    var x = obj && obj.translations && obj.translations[lang];
    return (x && x[field]) || (key ? obj[field] : obj[field]) || "";
  }
  function method() { return round.method; }
  function minAge() { return round.eligibility.min_age; }

  function render() {
    document.documentElement.lang = lang;
    document.documentElement.dir = (texts[lang] && texts[lang].dir) || "ltr";
    document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t(el.getAttribute("data-t")); });
    if (!round) return;
    var rt = round.translations && round.translations[lang];
    $("round-title").textContent = (rt && rt.title) || round.title;
    $("how-round").textContent = (rt && rt.title) || round.title;
    $("how-description").textContent = (rt && rt.description) || round.description;
    $("who-body").textContent = t("who-body", { age: minAge() });
    $("age-label").textContent = t("age-label", { age: minAge() });
    var mode = round.eligibility.mode;
    document.querySelectorAll(".mode-code").forEach(function (e) { e.hidden = mode !== "code"; });
    document.querySelectorAll(".mode-self").forEach(function (e) { e.hidden = mode !== "self-declared"; });
    document.querySelectorAll(".mode-attended").forEach(function (e) { e.hidden = mode !== "attended"; });
    if (area) renderProjects();
  }

  function show(name) {
    document.querySelectorAll(".screen").forEach(function (s) { s.hidden = s.id !== "screen-" + name; });
    hideError();
    var heading = document.querySelector("#screen-" + name + " h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    var first = document.querySelector("#screen-" + name + " input:not([type=checkbox])");
    if (name === "details" && first) {
      var visible = Array.prototype.filter.call(document.querySelectorAll("#screen-details input"), function (i) { return !i.closest("[hidden]"); });
      if (visible[0]) visible[0].focus();
    }
  }
  function showError(msg) { var e = $("error"); e.textContent = msg; e.hidden = false; e.scrollIntoView(); }
  function hideError() { $("error").hidden = true; }

  function spent() {
    return round.projects.filter(function (p) { return chosen[p.key]; }).reduce(function (s, p) { return s + p.cost; }, 0);
  }
  function renderProjects() {
    var ul = $("projects"); ul.innerHTML = "";
    $("area-name").textContent = t("area-label", { area: area.name });
    round.projects.filter(function (p) { return p.area === area.key; }).forEach(function (p) {
      var li = document.createElement("li");
      if (p.image_url) {
        var img = document.createElement("img"); img.className = "picture"; img.alt = "";
        img.src = "/images/" + encodeURIComponent(round.id) + "/" + encodeURIComponent(p.key);
        img.addEventListener("error", function () { img.remove(); });
        li.appendChild(img);
      }
      var h = document.createElement("h3"); h.textContent = tr(p, true, "title"); li.appendChild(h);
      var s = document.createElement("p"); s.textContent = easy && p.easy_read ? p.easy_read : tr(p, true, "summary"); li.appendChild(s);
      var c = document.createElement("p"); c.className = "cost"; c.textContent = money(p.cost); li.appendChild(c);
      var b = document.createElement("button"); b.type = "button"; b.className = "choose";
      b.setAttribute("data-project", p.key);
      b.setAttribute("aria-pressed", chosen[p.key] ? "true" : "false");
      b.textContent = chosen[p.key] ? t("chosen") : t("choose");
      b.setAttribute("aria-label", (chosen[p.key] ? t("chosen") : t("choose")) + ": " + tr(p, true, "title"));
      b.addEventListener("click", function () { chosen[p.key] = !chosen[p.key]; if (!chosen[p.key]) delete chosen[p.key]; renderProjects(); });
      li.appendChild(b); ul.appendChild(li);
    });
    var left = area.budget - spent(), meter = $("meter");
    meter.textContent = left >= 0 ? t("budget-left", { money: money(left), budget: money(area.budget) }) : t("budget-over", { money: money(-left) });
    meter.classList.toggle("over", left < 0);
  }
  function renderCheck() {
    var ul = $("chosen"); ul.innerHTML = "";
    var list = round.projects.filter(function (p) { return chosen[p.key]; });
    if (!list.length) { var li = document.createElement("li"); li.textContent = t("check-none"); ul.appendChild(li); }
    list.forEach(function (p) { var li = document.createElement("li"); li.textContent = tr(p, true, "title") + " — " + money(p.cost); ul.appendChild(li); });
  }

  function eligibility() {
    var e = { postcode: $("postcode").value, age_confirmed: $("age").checked };
    if (round.eligibility.mode === "self-declared") { e.name = $("name").value; e.date_of_birth = $("dob").value.trim(); }
    if (round.eligibility.mode === "code") { e.code = $("code").value; }
    return e;
  }
  function choices() {
    return Object.keys(chosen).map(function (k) { return { project: k }; });
  }

  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }, function () { return { status: r.status, body: {} }; }); });
  }

  function reset() {
    chosen = {}; area = null; lang = "en"; easy = false; $("easy-read").setAttribute("aria-pressed", "false");
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    document.querySelectorAll("input").forEach(function (i) { if (i.type === "checkbox" || i.type === "radio") i.checked = false; else i.value = ""; });
    $("tracking").textContent = ""; $("tracking-qr").innerHTML = "";
    $("idle").hidden = true;
    render(); show("start");
  }
  function touched() {
    $("idle").hidden = true;
    clearTimeout(idleTimer); clearTimeout(warnTimer);
    warnTimer = setTimeout(function () { $("idle").hidden = false; }, WARN_MS);
    idleTimer = setTimeout(reset, IDLE_MS);
  }

  function languageButtons() {
    var box = $("languages"); box.innerHTML = "";
    (round ? round.languages : ["en"]).forEach(function (code) {
      if (!texts[code]) return;
      var b = document.createElement("button"); b.type = "button"; b.className = "lang";
      b.lang = code; b.dir = texts[code].dir; b.setAttribute("data-lang", code);
      b.textContent = texts[code].messages["lang-name"];
      b.setAttribute("aria-pressed", code === lang ? "true" : "false");
      b.addEventListener("click", function () { lang = code; languageButtons(); render(); });
      box.appendChild(b);
    });
  }

  // The monitoring questions, as radio buttons labelled in the chosen language by render().
  function questions(list) {
    var box = $("questions"); box.innerHTML = "";
    list.forEach(function (q) {
      var fs = document.createElement("fieldset"); fs.className = "question";
      var legend = document.createElement("legend"); legend.setAttribute("data-t", "mon-q-" + q.question);
      fs.appendChild(legend);
      q.answers.forEach(function (a) {
        var row = document.createElement("div"); row.className = "radio";
        var input = document.createElement("input"); input.type = "radio"; input.name = q.question; input.value = a;
        input.id = "m-" + q.question + "-" + a;
        var label = document.createElement("label"); label.htmlFor = input.id; label.setAttribute("data-t", "mon-a-" + a);
        row.appendChild(input); row.appendChild(label); fs.appendChild(row);
      });
      box.appendChild(fs);
    });
  }

  function init() {
    document.addEventListener("pointerdown", touched, true);
    document.addEventListener("keydown", touched, true);
    $("large-text").addEventListener("click", function () {
      var on = document.documentElement.classList.toggle("large"); this.setAttribute("aria-pressed", on ? "true" : "false");
    });
    // Read the screen aloud where the device can speak, in the chosen language.
    $("read-aloud").hidden = !("speechSynthesis" in window);
    $("read-aloud").addEventListener("click", function () {
      var screen = document.querySelector(".screen:not([hidden])");
      if (!screen || !("speechSynthesis" in window)) return;
      window.speechSynthesis.cancel();
      var u = new SpeechSynthesisUtterance(screen.innerText);
      u.lang = lang;
      window.speechSynthesis.speak(u);
    });
    // Easy-read project texts, where the round has them.
    $("easy-read").addEventListener("click", function () {
      easy = !easy; this.setAttribute("aria-pressed", easy ? "true" : "false");
      if (area) renderProjects();
    });
    $("high-contrast").addEventListener("click", function () {
      var on = document.documentElement.classList.toggle("contrast"); this.setAttribute("aria-pressed", on ? "true" : "false");
    });
    document.querySelectorAll("[data-go]").forEach(function (b) {
      b.addEventListener("click", function () { show(b.getAttribute("data-go")); });
    });
    $("start").addEventListener("click", function () { if (round) show("how"); });
    $("details-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      post("/api/check", { round: round.id, eligibility: eligibility(), language: lang }).then(function (r) {
        if (r.status !== 200) { showError(r.body.error ? r.body.error.message : t("error-title")); return; }
        area = round.areas.filter(function (a) { return a.key === r.body.area; })[0];
        renderProjects(); show("projects");
      });
    });
    $("to-check").addEventListener("click", function () { renderCheck(); show("check"); });
    $("confirm").addEventListener("click", function () {
      var btn = this; btn.disabled = true;
      post("/api/ballots", { round: round.id, eligibility: eligibility(), choices: choices(), language: lang }).then(function (r) {
        btn.disabled = false;
        if (r.status !== 201) {
          var msg = r.body.error ? (r.body.error.code === "already_voted" ? t("already-voted") : r.body.error.message) : t("error-title");
          show("check"); showError(msg); return;
        }
        $("tracking").textContent = r.body.tracking_code;
        fetch("/api/qr?text=" + encodeURIComponent(r.body.tracking_code)).then(function (q) { return q.text(); })
          .then(function (svg) { $("tracking-qr").innerHTML = svg; });
        show("receipt");
      }, function () { btn.disabled = false; showError(t("error-title")); });
    });
    $("finish").addEventListener("click", reset);
    $("thanks-finish").addEventListener("click", reset);
    $("mon-skip").addEventListener("click", reset);
    $("to-monitoring").addEventListener("click", function () { show("monitoring"); });
    $("monitoring-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { round: round.id };
      document.querySelectorAll("#questions input:checked").forEach(function (i) { body[i.name] = i.value; });
      post("/api/monitoring", body).then(function (r) {
        if (r.status !== 204) { showError(r.body.error ? r.body.error.message : t("error-title")); return; }
        show("thanks");
      }, function () { showError(t("error-title")); });
    });
    Promise.all([fetch("/api/texts").then(function (r) { return r.json(); }), fetch("/api/rounds").then(function (r) { return r.json(); }),
                 fetch("/api/monitoring").then(function (r) { return r.json(); })])
      .then(function (res) {
        texts = res[0]; round = res[1][0] || null;
        questions(res[2].questions || []);
        $("not-ready").hidden = !!round; $("start").hidden = !round;
        $("easy-read").hidden = !(round && round.projects.some(function (p) { return p.easy_read; }));
        languageButtons(); render(); show("start"); document.body.setAttribute("data-ready", "yes");
      });
  }
  init();
})();
