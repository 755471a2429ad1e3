/* Pulse program form: while "Ask the whole organisation" is ticked the team boxes do not apply, so
   they are disabled (a disabled box is not sent). Without script the server refuses the mix instead. */
(function () {
  function sync() {
    var whole = document.getElementById("id_whole_org");
    var teams = document.getElementById("program-teams");
    if (whole && teams) teams.disabled = whole.checked;
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_whole_org") sync();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sync);
  else sync();
})();
