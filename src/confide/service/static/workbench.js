// The workbench works without this file; it adds keyboard shortcuts and stops playback at once
// when a clip is flagged as distressing.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const clip = document.getElementById("clip");
  const distress = document.getElementById("distress-form");
  if (distress && clip) {
    distress.addEventListener("submit", () => {
      clip.pause();
      clip.removeAttribute("src");
      clip.load();
    });
  }
  // The player may not be downloaded from its menu either.
  if (clip) clip.addEventListener("contextmenu", (event) => event.preventDefault());
  document.addEventListener("keydown", (event) => {
    if (!clip || !event.altKey) return;
    if (event.key === "p") {
      event.preventDefault();
      if (clip.paused) clip.play(); else clip.pause();
    } else if (event.key === "r") {
      event.preventDefault();
      clip.currentTime = 0;
      clip.play();
    }
  });
});
