// The header's menu on small screens: the links and tools fold behind one button (CSS decides below which width).
// Without this script the button stays hidden and everything is shown, as on a wide screen.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".site-menu-button");
  if (!button) {
    return;
  }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("site-header--open", open);
  }

  header.classList.add("site-header--folding");
  button.hidden = false;
  setOpen(false);
  // A <button> answers Enter and Space with a click by itself.
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu from anywhere in the header and gives the focus back to its button.
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
