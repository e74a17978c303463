// The privacy centre works without this file; it only adds conveniences.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Auto-delete: the number of days is asked for only when "a number of days I choose" is picked.
  const days = document.getElementById("custom-days");
  const custom = document.getElementById("period-custom");
  if (days && custom) {
    const sync = () => {
      days.disabled = !custom.checked;
      days.required = custom.checked;
    };
    document.querySelectorAll('input[name="period"]').forEach((radio) => {
      radio.addEventListener("change", () => {
        sync();
        if (custom.checked) days.focus();
      });
    });
    sync();
  }

  // Forms that delete many things at once ask first.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
