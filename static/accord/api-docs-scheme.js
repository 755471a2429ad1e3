/* Swagger UI has its own dark theme, switched on by the "dark-mode" class on <html> rather than by the
   reader's colour-scheme preference; this follows the preference, as every other Accord page does,
   and follows it again when it changes (an evening switch of the system theme). */
(() => {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const follow = () => document.documentElement.classList.toggle("dark-mode", dark.matches);
  follow();
  dark.addEventListener("change", follow);
})();
