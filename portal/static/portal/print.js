/* The receipt's print button (no inline script under the site's CSP). */
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
