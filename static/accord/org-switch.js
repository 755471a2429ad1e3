/* The organisation switcher in the personal menu submits as soon as another organisation is chosen.
   Without script its <noscript> button does the same. Listens on the document, so it needs no inline
   handler (the Content-Security-Policy forbids them). */
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select.matches && select.matches("select[data-submit-on-change]") && select.form) {
    select.form.submit();
  }
});
