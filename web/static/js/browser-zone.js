// The browser's time zone: sent with the sign-up form (so a new profile starts in it, not in
// UTC), and offered on the profile page when the saved zone differs from it.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";

document.querySelectorAll("input[data-browser-zone]").forEach((input) => { input.value = zone; });

const offer = document.querySelector("[data-browser-zone-offer]");
const field = document.querySelector("input[name=timezone]:not([type=hidden])");
if (offer && field && zone && field.value !== zone) {
  const button = offer.querySelector("[data-use-browser-zone]");
  button.textContent = `Use this device's zone: ${zone}`;
  button.addEventListener("click", () => {
    field.value = zone;
    offer.hidden = true;
    field.focus();
  });
  offer.hidden = false;
}
