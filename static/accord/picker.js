// accord.lib.picker and team_picker: a result chosen from the list fills the box (one person) or adds a
// ticked box (several, or a radio button for one team). Delegated from the document, so pickers that htmx swaps in work too; loaded once however
// many pickers a page has.
(function () {
  if (window.accordPicker) return;
  window.accordPicker = true;

  function choose(button) {
    var picker = button.closest("[data-picker]");
    if (!picker) return;
    var box = picker.querySelector("input[type=text]");
    var results = picker.querySelector(".picker-results");
    if (picker.hasAttribute("data-multiple")) {
      var chosen = picker.querySelector(".picker-chosen");
      var already = chosen.querySelector('input[value="' + button.dataset.pick + '"]');
      if (already) {
        already.checked = true;
      } else {
        var item = document.createElement("li");
        var label = document.createElement("label");
        var tick = document.createElement("input");
        // A single team (data-one) is one of a set of radio buttons, the nearby teams listed up front.
        tick.type = picker.hasAttribute("data-one") ? "radio" : "checkbox";
        tick.name = box.name;
        tick.value = button.dataset.pick;
        tick.checked = true;
        label.appendChild(tick);
        label.appendChild(document.createTextNode(" " + button.dataset.name));
        item.appendChild(label);
        chosen.appendChild(item);
      }
      box.value = "";
    } else {
      box.value = button.dataset.email;
      var shown = picker.querySelector(".picker-label");
      if (shown) shown.textContent = button.dataset.name;
    }
    results.innerHTML = "";
    box.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".picker-results button[data-pick]");
    if (button) choose(button);
  });

  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest("[data-picker]");
    if (!picker) return;
    var buttons = Array.prototype.slice.call(picker.querySelectorAll(".picker-results button"));
    var at = buttons.indexOf(event.target);
    if (event.key === "ArrowDown" && buttons.length) {
      event.preventDefault();
      buttons[Math.min(at + 1, buttons.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) picker.querySelector("input[type=text]").focus();
      else buttons[at - 1].focus();
    } else if (event.key === "Escape") {
      picker.querySelector(".picker-results").innerHTML = "";
    } else if (event.key === "Enter" && event.target.matches("input[type=text]") && buttons.length) {
      // Enter in the box picks the first match rather than submitting a half-typed name.
      event.preventDefault();
      choose(buttons[0]);
    }
  });
})();
