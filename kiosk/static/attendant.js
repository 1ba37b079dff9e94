// The attendant's screen: sign in with the PIN, then see the kiosk's figures and act.
"use strict";
(function () {
  var token = null, $ = function (id) { return document.getElementById(id); };
  function post(url, body) {
    var headers = { "Content-Type": "application/json" };
    if (token) headers["X-Attendant-Token"] = token;
    return fetch(url, { method: "POST", headers: headers, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); });
  }
  function error(msg) { $("error").textContent = msg; $("error").hidden = !msg; }
  function show(v) {
    $("today").textContent = v.ballots_today; $("total").textContent = v.ballots_total;
    $("unsynced").textContent = v.ballots_unsynced; $("last-sync").textContent = v.last_sync_at || "never";
    $("reachable").textContent = v.revoked ? "This kiosk has been revoked" : (v.last_sync_error ? "Not reachable: " + v.last_sync_error : "Reachable");
    $("rounds").textContent = (v.round_titles || []).join(", ") || "none";
    $("closed").textContent = v.closed ? "Closed for the day" : "Open";
    $("allowance").textContent = v.attended_allowance;
    $("assisted").textContent = v.assisted_session ? "On: the next vote is recorded as assisted" : "Off";
  }
  function act(action) {
    post("/api/attendant", { action: action }).then(function (r) {
      if (r.status !== 200) { error(r.body.error.message); return; }
      error(""); show(r.body);
    });
  }
  $("login").addEventListener("submit", function (ev) {
    ev.preventDefault();
    post("/api/attendant/login", { pin: $("pin").value }).then(function (r) {
      $("pin").value = "";
      if (r.status !== 200) { error(r.body.error.message); return; }
      token = r.body.token; error(""); $("login").hidden = true; $("panel").hidden = false; act("status");
    });
  });
  document.querySelectorAll("[data-action]").forEach(function (b) {
    b.addEventListener("click", function () { act(b.getAttribute("data-action")); });
  });
})();
