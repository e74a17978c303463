// The workbench works without this file. It makes labelling a keyboard job: a player with
// fixed controls, hotkeys that need no modifier outside text fields (so they work the same in
// every browser and on macOS), saving only after the clip was heard to its end, a waveform that
// shows the bleeps and marks a stretch for a flag, and a catalog field that searches as you type.
"use strict";

const SLOW_RATES = [1, 0.75, 0.5];
const BACK_SECONDS = 2;
const PLAYED_SLACK = 0.3; // seconds; the server allows the same (review.tasks.PLAY_SLACK)
const SEARCH_DELAY_MS = 150;
const DIGIT_WINDOW_MS = 700;

function isField(element) {
  if (!element) return false;
  if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") {
    return true;
  }
  return element.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(element.type);
}

function say(text) {
  const status = document.getElementById("says");
  if (!status) return;
  status.hidden = false;
  status.textContent = text;
}

function setUpPlayer(clip) {
  const player = document.getElementById("player");
  const play = document.getElementById("play");
  const back = document.getElementById("back");
  const slower = document.getElementById("slower");
  const clock = document.getElementById("clock");
  const head = document.getElementById("playhead");
  const wave = document.getElementById("wave");
  const bins = wave ? wave.querySelector("svg").viewBox.baseVal.width : 0;
  const seconds = wave ? Number(wave.dataset.seconds) : 0;
  let rate = 0;
  const state = { played: false };

  clip.controls = false; // fixed controls of our own: their tab stops never change
  clip.addEventListener("contextmenu", (event) => event.preventDefault());
  player.hidden = false;

  const length = () => (Number.isFinite(clip.duration) && clip.duration > 0 ? clip.duration : seconds);
  const toggle = () => (clip.paused ? clip.play() : clip.pause());
  const heard = () => {
    // What the player really played, not where its head went: skipping ahead is not hearing.
    let total = 0;
    for (let i = 0; i < clip.played.length; i += 1) total += clip.played.end(i) - clip.played.start(i);
    return total;
  };
  const tick = () => {
    const now = clip.currentTime;
    if (!state.played && length() && heard() >= length() - PLAYED_SLACK) markPlayed();
    clock.textContent = `${now.toFixed(1)} s of ${length().toFixed(1)} s`;
    if (head && length()) head.setAttribute("x", String((now / length()) * bins));
  };
  const markPlayed = () => {
    state.played = true;
    document.body.classList.add("played");
  };
  play.addEventListener("click", toggle);
  back.addEventListener("click", () => {
    clip.currentTime = Math.max(0, clip.currentTime - BACK_SECONDS);
    if (clip.paused) clip.play();
  });
  slower.addEventListener("click", () => {
    rate = (rate + 1) % SLOW_RATES.length;
    clip.playbackRate = SLOW_RATES[rate];
    slower.setAttribute("aria-pressed", String(rate > 0));
    slower.textContent = rate > 0 ? `Slower (${SLOW_RATES[rate]}×)` : "Slower";
  });
  clip.addEventListener("play", () => (play.textContent = "Pause"));
  clip.addEventListener("pause", () => (play.textContent = "Play"));
  clip.addEventListener("timeupdate", tick);
  clip.addEventListener("ended", tick);
  return { play, back, slower, toggle, state, length };
}

function setUpSpan(clip, length) {
  const wave = document.getElementById("wave");
  if (!wave) return null;
  const svg = wave.querySelector("svg");
  const bins = svg.viewBox.baseVal.width;
  const mark = document.getElementById("span-mark");
  const words = document.getElementById("span-words");
  const start = document.getElementById("span-start");
  const end = document.getElementById("span-end");
  let from = null;

  const show = (a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    mark.setAttribute("x", String((lo / length()) * bins));
    mark.setAttribute("width", String(((hi - lo) / length()) * bins));
    if (hi - lo > 0.05) {
      start.value = lo.toFixed(2);
      end.value = hi.toFixed(2);
      words.textContent = `Marked for a flag: ${lo.toFixed(1)} s to ${hi.toFixed(1)} s.`;
    }
  };
  const at = (event) => {
    const box = svg.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)) * length();
  };
  svg.addEventListener("pointerdown", (event) => {
    from = at(event);
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", (event) => from !== null && show(from, at(event)));
  svg.addEventListener("pointerup", (event) => {
    if (from === null) return;
    const to = at(event);
    if (Math.abs(to - from) < 0.05) clip.currentTime = to; // a click seeks
    else show(from, to);
    from = null;
  });
  return {
    begin: () => {
      from = clip.currentTime;
      show(from, from);
      words.textContent = `Marking from ${from.toFixed(1)} s: press ] where it ends.`;
    },
    finish: () => {
      if (from === null) return;
      show(from, clip.currentTime);
      from = null;
    },
  };
}

function setUpCatalog(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const chosen = document.getElementById(input.getAttribute("aria-describedby"));
  const row = input.dataset.row;
  const nameField = document.getElementById(`slot-name-${row}`);
  const valueField = document.getElementById(`slot-value-${row}`);
  const addNew = document.getElementById(`slot-new-${row}`);
  const kinds = JSON.parse(input.dataset.kinds);
  let timer = null;
  let active = -1;
  let asked = 0;

  const options = () => Array.from(list.querySelectorAll('[role="option"]'));
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
  };
  const pick = (option) => {
    if (option.dataset.id) {
      input.value = option.dataset.id;
      addNew.checked = false;
      chosen.textContent = `Linked to ${option.dataset.name} (${option.dataset.id}).`;
    } else {
      input.value = "";
      addNew.checked = true;
      chosen.textContent = `“${valueField.value}” will be added to the catalog as a new ${option.dataset.kind}.`;
    }
    close();
  };
  const render = (entries, kind) => {
    list.replaceChildren();
    entries.forEach((entry, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.dataset.id = entry.id;
      option.dataset.name = entry.name;
      option.textContent = `${entry.name} · ${entry.kind}${entry.new ? " (added by a reviewer)" : ""}`;
      list.append(option);
    });
    if (kind && valueField.value.trim()) {
      const option = document.createElement("li");
      option.id = `${list.id}-new`;
      option.setAttribute("role", "option");
      option.dataset.kind = kind;
      option.textContent = `Add “${valueField.value.trim()}” as a new ${kind}`;
      list.append(option);
    }
    list.hidden = !list.children.length;
    input.setAttribute("aria-expanded", String(!list.hidden));
    highlight(0);
  };
  const search = async () => {
    const query = input.value.trim();
    const kind = kinds[nameField.value.trim()] || "";
    if (!query) return close();
    const ticket = ++asked;
    const params = new URLSearchParams({ q: query });
    if (kind) params.set("kind", kind);
    const response = await fetch(`/review/catalog?${params}`, { credentials: "same-origin" });
    if (ticket !== asked || !response.ok) return;
    render(await response.json(), kind);
  };
  input.addEventListener("input", () => {
    addNew.checked = false;
    chosen.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(search, SEARCH_DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0 && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      pick(options()[active]);
    } else if (event.key === "Escape") {
      event.stopPropagation();
      close();
    }
  });
  list.addEventListener("pointerdown", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) {
      event.preventDefault();
      pick(option);
    }
  });
  input.addEventListener("blur", close);
}

function nextDoubt(transcript, doubts, state) {
  // The doubts are offsets into the transcript as it was heard; once edited, the caret goes to the end.
  transcript.focus();
  if (doubts.length && transcript.value === transcript.defaultValue) {
    const [start, end] = doubts[state.doubt % doubts.length];
    state.doubt += 1;
    transcript.setSelectionRange(start, end);
  } else {
    transcript.setSelectionRange(transcript.value.length, transcript.value.length);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const clip = document.getElementById("clip");
  const form = document.getElementById("labels-form");
  const distress = document.getElementById("distress");
  const distressForm = document.getElementById("distress-form");
  if (distressForm && clip) {
    distressForm.addEventListener("submit", () => {
      clip.pause();
      clip.removeAttribute("src");
      clip.load();
    });
  }
  if (!clip || !form) return;

  const player = setUpPlayer(clip);
  const span = setUpSpan(clip, player.length);
  document.querySelectorAll('input[role="combobox"]').forEach(setUpCatalog);
  const transcript = document.getElementById("transcript");
  const intent = document.getElementById("intent");
  const flags = document.getElementById("flags");
  const saveNext = document.getElementById("save-next");
  const doubts = JSON.parse(form.dataset.doubts || "[]");
  const cursor = { doubt: 0 };
  let digits = "";
  let digitTimer = null;

  form.addEventListener("submit", (event) => {
    if (!form.querySelector('input[name="flags"]:checked')) {
      // A marked stretch says what a flag is about; with no flag raised it says nothing.
      document.getElementById("span-start").value = "";
      document.getElementById("span-end").value = "";
    }
    if (!player.state.played) {
      event.preventDefault();
      say("Play the clip to its end before saving.");
      player.play.focus();
    }
  });
  player.play.focus();

  const home = () => {
    document.activeElement.blur();
    player.play.focus();
  };
  const keys = {
    " ": () => player.toggle(),
    j: () => player.back.click(),
    s: () => player.slower.click(),
    e: () => nextDoubt(transcript, doubts, cursor),
    t: () => {
      transcript.focus();
      transcript.setSelectionRange(transcript.value.length, transcript.value.length);
    },
    i: () => intent.focus(),
    l: () => document.getElementById("slot-link-1").focus(),
    f: () => {
      flags.open = true;
      flags.querySelector("input").focus();
    },
    d: () => {
      distress.open = true;
      distress.querySelector("button").focus();
    },
    "[": () => span && span.begin(),
    "]": () => span && span.finish(),
  };

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit(saveNext);
      return;
    }
    if (event.key === "Escape") {
      if (flags.open || distress.open) {
        flags.open = distress.open = false;
        home();
      } else if (isField(target)) {
        home();
      }
      return;
    }
    if (target === transcript && event.key === "Enter" && !event.shiftKey) {
      event.preventDefault(); // a transcript is one line: Enter means done with it
      home();
      return;
    }
    if (target === intent && /^[0-9]$/.test(event.key)) {
      event.preventDefault();
      digits += event.key;
      clearTimeout(digitTimer);
      digitTimer = setTimeout(() => (digits = ""), DIGIT_WINDOW_MS);
      const index = Number(digits);
      if (index < intent.options.length) intent.selectedIndex = index;
      return;
    }
    if (isField(target) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === " " && target.matches("button, summary, input, a")) return; // its own press
    if (/^[1-5]$/.test(event.key)) {
      event.preventDefault();
      document.getElementById(`rating-${event.key}`).checked = true;
      say(`Rated ${event.key}.`);
      return;
    }
    const action = keys[event.key.toLowerCase()];
    if (action) {
      event.preventDefault();
      action();
    }
  });
});
