// Countdowns to SLA deadlines: "due in 3 h 20 min", "overdue by 2 h". The deadlines are instants
// the server computed in business time; what is left is counted on the wall clock.
(function () {
  function span(ms) {
    var minutes = Math.max(1, Math.round(ms / 60000));
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + " d " + hours + " h";
    if (hours) return hours + " h " + mins + " min";
    return mins + " min";
  }
  function tick(el) {
    var left = Date.parse(el.dataset.deadline) - Date.now();
    el.textContent = left > 0 ? "Due in " + span(left) : "Overdue by " + span(-left);
    if (left <= 0) { el.classList.remove("warn"); el.classList.add("bad"); }
  }
  function start() {
    var all = function () { document.querySelectorAll("[data-deadline]").forEach(tick); };
    all();
    setInterval(all, 30000);
    // Rows swapped in by the filters (htmx) count down from the moment they arrive.
    document.body.addEventListener("htmx:afterSwap", all);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
