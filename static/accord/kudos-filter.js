/* Narrows the kudos form's list of people as you type; without script the whole list is there to
   scroll. Chosen people always stay visible. Listens on the document, so it works for any number of
   forms and however often this file is loaded. */
if (!window.accordKudosFilter) {
  window.accordKudosFilter = true;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-kudos-filter]")) return;
    var q = input.value.trim().toLowerCase();
    input.closest("fieldset").querySelectorAll(".kudos-person").forEach(function (row) {
      var chosen = row.querySelector("input").checked;
      row.hidden = q !== "" && !chosen && row.textContent.toLowerCase().indexOf(q) === -1;
    });
  });
}
