// The planning meeting's clock: 30 minutes, with the five-minute rule on one shared priority.
(function () {
  function tick(el) {
    var started = Date.parse(el.dataset.started);
    var elapsed = Math.max(0, Math.floor((Date.now() - started) / 1000));
    var minutes = Math.floor(elapsed / 60), seconds = elapsed % 60;
    el.querySelector("[data-clock]").textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    el.classList.toggle("warn", minutes >= 25 && minutes < 30);
    el.classList.toggle("over", minutes >= 30);
    var rule = el.querySelector("[data-five-minute-rule]");
    // Read from the wizard on each tick: a step saved in place (htmx) may have set the market since.
    var marketSet = document.querySelector("#plan-wizard [data-market-set]") !== null;
    if (rule) rule.hidden = !(minutes >= 5 && !marketSet);
  }
  function start() {
    document.querySelectorAll("[data-meeting-timer]").forEach(function (el) {
      tick(el);
      setInterval(function () { tick(el); }, 1000);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
