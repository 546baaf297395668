// Keeps the header's unread count live over server-sent events, and announces news politely.
const badge = document.querySelector("[data-unread]");
const toast = document.querySelector("[data-notice-toast]");
if (badge && "EventSource" in window) {
  const source = new EventSource("/api/v1/notifications/stream");
  let newest = null;
  source.addEventListener("unread", (event) => {
    const { unread, latest } = JSON.parse(event.data);
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
    badge.parentElement.setAttribute("aria-label", `Notifications, ${unread} unread`);
    if (latest && newest !== null && latest.id !== newest && !latest.read && toast) {
      toast.textContent = latest.title;
      toast.hidden = false;
      setTimeout(() => { toast.hidden = true; }, 8000);
    }
    if (latest) newest = latest.id;
    else if (newest === null) newest = 0;
  });
  window.addEventListener("pagehide", () => source.close());
}
