/* Small behaviours without inline handlers (the Content-Security-Policy forbids those):
   selects marked data-autosubmit submit their form; links marked data-print print the page. */
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (link) {
    link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
})();
