// The printable record's Print button (inline handlers are not allowed by the page's CSP).
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
