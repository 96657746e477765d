// The countdown of the current step (see countdown.py). The kernel sends a deadline, never
// ticks: this module counts down by itself, in the kernel's time. The browser's own clock may
// be minutes off (a participant's phone), so the page estimates the offset between the two
// clocks the way NTP does, with a rare "sync" message: offset = server + rtt/2 - t1.

const TICK_MS = 250;
const SYNC_EVERY_MS = 60_000;
const RESYNC_MIN_GAP_MS = 10_000; // extra syncs (tab shown again, clock jump) at most this often
const JUMP_MS = 5_000; // a tick this late (sleep, clock set) means the offset may be stale
const STALE_SAMPLE_MS = 5 * 60_000;
// No answer to a sync for this long: the page's kernel is gone (restarted under it, or the
// server stopped). Say so and offer a reload, rather than buttons that silently do nothing.
const LOST_AFTER_MS = 15_000;
const AMBER = 0.2; // share of the step's budget left: METHOD.md, "colour at 20 % and 5 % left"
const RED = 0.05;
// Read aloud only when these are crossed, never each second.
const ANNOUNCE_AT = [
  [300, "announce_five"],
  [60, "announce_one"],
  [0, "announce_zero"],
];
const MODIFIERS = [
  "ok",
  "amber",
  "red",
  "overtime",
  "paused",
  "ready",
  "finished",
  "big",
  "long",
  "break",
];

/** Signed whole seconds as shown: a started second still counts (10:00 until one has gone),
 * while counting up only a full second of overtime counts. */
export function wholeSeconds(ms) {
  return ms > 0 ? Math.ceil(ms / 1000) : -Math.floor(-ms / 1000) || 0;
}

/** 605 -> "10:05", 4205 -> "1:10:05", -83 -> "+1:23". */
export function clockText(seconds) {
  const s = Math.abs(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  const text = h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  return seconds < 0 ? `+${text}` : text;
}

/** 65 -> "1:05", 3900 -> "65:00": a waiting or speaking time, as the kernel writes it. */
export function minutesText(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Milliseconds left as a page shows them: a running step's deadline in the page's estimate
 * of the kernel's time, never more than the kernel counted when it sent the state. Time only
 * passes, and an estimate made before the first sync is late by the state message's transit
 * (a 10-minute step would show 10:01 right after the start). */
export function remainingShown(status, deadlineMs, remainingMs, kernelNowMs) {
  const counted = typeof remainingMs === "number" ? remainingMs : 0;
  if (status === "running" && typeof deadlineMs === "number") {
    return Math.min(deadlineMs - kernelNowMs, counted);
  }
  return counted;
}

/** The words of a call of time a page shows now ("" : none): until its end, in the page's
 * estimate of the kernel's time. */
export function callShown(text, untilMs, kernelNowMs) {
  if (typeof text !== "string" || typeof untilMs !== "number") return "";
  return kernelNowMs < untilMs ? text : "";
}

/** Milliseconds of a break left now (0: no break on): until its end, in the page's estimate
 * of the kernel's time, never more than was left when the kernel sent it (``sentMs``, its
 * time then): as for the digits, an estimate made before the first sync is late by the
 * message's transit (a 5-minute break would show 5:01). */
export function breakLeft(untilMs, kernelNowMs, sentMs) {
  if (typeof untilMs !== "number") return 0;
  const left = untilMs - kernelNowMs;
  const counted = typeof sentMs === "number" ? untilMs - sentMs : left;
  return Math.max(0, Math.min(left, counted));
}

/** "10:35": when a break ends, in the page's own time zone (the kernel does not know it). */
export function backAt(untilMs, offsetMs) {
  return new Date(untilMs - offsetMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function level(remainingMs, budgetMs) {
  if (remainingMs <= 0) return "overtime";
  if (budgetMs > 0 && remainingMs <= RED * budgetMs) return "red";
  if (budgetMs > 0 && remainingMs <= AMBER * budgetMs) return "amber";
  return "ok";
}

function node(tag, className, attributes = {}) {
  const element = document.createElement(tag);
  element.className = className;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function render({ model, el }) {
  const root = node("div", "codev-countdown");
  const timer = node("div", "codev-timer", { role: "timer" });
  const caption = node("div", "codev-timer__caption");
  const digits = node("div", "codev-timer__digits");
  const live = node("div", "codev-visually-hidden", { "aria-live": "polite" });
  timer.append(caption, digits);
  const lost = node("div", "codev-lost", { role: "alert" });
  const lostText = node("span", "codev-lost__text");
  const reload = node("button", "codev-lost__reload", { type: "button" });
  reload.addEventListener("click", () => location.reload());
  lost.append(lostText, reload);
  lost.hidden = true;
  // Time called by a day's lead ("5 minutes left"): a live region, empty (and not shown)
  // outside the minute it is on, so that the words are read out when they appear.
  const called = node("div", "codev-call-time", { role: "status" });
  // A break (core/breaks.py): when the group is back, and a countdown to it; hidden outside
  // it, by this page's clock, as a call of time.
  const onBreak = node("div", "codev-break", { role: "status" });
  const breakText = node("span", "codev-break__text");
  const breakLeftText = node("span", "codev-break__left", { role: "timer" });
  onBreak.append(breakText, breakLeftText);
  onBreak.hidden = true;
  root.append(lost, called, onBreak, timer, live);
  el.append(root);
  const timeouts = [];

  // -- the kernel's time ---------------------------------------------------------------------
  // offset = kernel ms - Date.now(). The state's server_now_ms is a first guess (it is as old
  // as the message carrying it); sync replies replace it.
  let offset = model.get("server_now_ms") - Date.now();
  let sample = null; // {rtt, at} of the sync sample offset comes from
  let lastSyncSent = -Infinity;
  let refined = false; // a second sample right after the first: the first is often slow
  let jumped = false;

  let unanswered = null; // the timeout waiting for an answer to the last sync
  function requestSync(force = false) {
    const now = Date.now();
    if (!force && Math.abs(now - lastSyncSent) < RESYNC_MIN_GAP_MS) return;
    lastSyncSent = now;
    try {
      model.send({ type: "sync", t0: now });
    } catch {
      // No kernel: a static export keeps the state's estimate; a page that had one lost it.
      if (sample !== null) showLost();
      return;
    }
    if (unanswered === null) {
      unanswered = setTimeout(showLost, LOST_AFTER_MS);
      timeouts.push(unanswered);
    }
  }

  function showLost() {
    lostText.textContent = text("lost");
    reload.textContent = text("reload");
    lost.hidden = false;
  }

  function onMessage(msg) {
    if (!msg || msg.type !== "time" || typeof msg.t0 !== "number") return;
    clearTimeout(unanswered); // the kernel answers: the page is live
    unanswered = null;
    lost.hidden = true;
    const t1 = Date.now();
    const rtt = t1 - msg.t0;
    if (!(rtt >= 0 && rtt < 30_000) || typeof msg.server_ms !== "number") return;
    const better = sample === null || rtt <= sample.rtt * 2 + 50;
    if (better || jumped || t1 - sample.at > STALE_SAMPLE_MS) {
      offset = msg.server_ms + rtt / 2 - t1;
      sample = { rtt, at: t1 };
      jumped = false;
      timer.dataset.synced = "true";
      paint();
    }
    if (!refined) {
      refined = true;
      timeouts.push(setTimeout(() => requestSync(true), 1_000));
    }
  }

  function onStateTime() {
    if (sample === null) offset = model.get("server_now_ms") - Date.now();
  }

  // -- display -------------------------------------------------------------------------------
  let previous = null; // whole seconds at the last paint, for announcements
  let previousKey = "";

  function remainingMs() {
    const [status, deadline, counted] = ["status", "deadline_ms", "remaining_ms"].map((name) =>
      model.get(name),
    );
    return remainingShown(status, deadline, counted, Date.now() + offset);
  }

  function text(name) {
    const labels = model.get("labels") ?? {};
    return String(labels[name] ?? "").replaceAll("{step}", model.get("step_title") ?? "");
  }

  function paint() {
    const status = model.get("status");
    const ms = remainingMs();
    const seconds = wholeSeconds(ms);
    const state = status === "finished" ? null : level(ms, model.get("budget_ms") ?? 0);
    const shown = clockText(seconds);
    const on = new Set([state, status === "running" ? null : status]);
    if (model.get("big")) on.add("big");
    if (shown.length > 5) on.add("long"); // "+10:00", "1:05:00": smaller digits to fit
    for (const name of MODIFIERS) timer.classList.toggle(`codev-timer--${name}`, on.has(name));

    const name = state === "overtime" && seconds < 0 ? "overtime" : "label";
    timer.setAttribute("aria-label", status === "finished" ? text("finished") : text(name));
    const captions = { ready: "ready", paused: "paused", finished: "finished" };
    const breakUntil = model.get("break_until_ms");
    const sent = model.get("server_now_ms");
    const resting = status === "running" && breakLeft(breakUntil, Date.now() + offset, sent) > 0;
    // During a break the digits stand still at what the step has left (the deadline moved
    // by the break): said as such, not as time running out.
    timer.classList.toggle("codev-timer--break", resting);
    caption.textContent = text(resting ? "break_caption" : (captions[status] ?? name));
    digits.textContent = shown;
    timer.dataset.remaining = String(seconds);

    // Announce (and chime) only when a threshold is crossed while watching a running step.
    const key = `${status}|${model.get("deadline_ms")}`;
    if (status === "running" && key === previousKey && previous !== null) {
      const crossed = ANNOUNCE_AT.filter(([at]) => previous > at && seconds <= at);
      if (crossed.length > 0) announce(crossed[crossed.length - 1][1]);
      if (previous > 0 && seconds <= 0 && model.get("chime")) playChime();
    }
    previous = seconds;
    previousKey = key;
    paintCall();
  }

  // Shown until its end in the kernel's time (this page's estimate of it), then hidden here:
  // no kernel keeps a timer for it, and a phone whose clock is off hides it on time too.
  function paintCall() {
    const until = model.get("called_until_ms");
    const shown = callShown(model.get("called_text"), until, Date.now() + offset);
    if (called.textContent !== shown) called.textContent = shown;
    if (typeof until === "number") called.dataset.untilMs = String(until);
    else delete called.dataset.untilMs;
    called.classList.toggle("codev-call-time--big", Boolean(model.get("big")));
    paintBreak();
  }

  let breakShown = false;
  function paintBreak() {
    const until = model.get("break_until_ms");
    const running = model.get("status") === "running";
    const left = running ? breakLeft(until, Date.now() + offset, model.get("server_now_ms")) : 0;
    // Painted every second: the DOM is touched only when something changed.
    if (onBreak.hidden !== left <= 0) onBreak.hidden = left <= 0;
    onBreak.classList.toggle("codev-break--big", Boolean(model.get("big")));
    if (left <= 0) {
      delete onBreak.dataset.untilMs;
      // The break ends here, by this page's clock: the digits count again from now.
      if (breakShown) schedulePaint();
      breakShown = false;
      return;
    }
    breakShown = true;
    onBreak.dataset.untilMs = String(until);
    const back = text("break").replaceAll("{time}", backAt(until, offset));
    if (breakText.textContent !== back) breakText.textContent = back;
    const shown = minutesText(Math.ceil(left / 1000));
    if (breakLeftText.textContent !== shown) breakLeftText.textContent = shown;
  }

  function announce(name) {
    live.textContent = "";
    // Set after a moment: the same sentence twice in a row (after +1 min) is read again.
    timeouts.push(setTimeout(() => (live.textContent = text(name)), 100));
  }

  // -- chime ---------------------------------------------------------------------------------
  let audio = null;

  function audioContext() {
    if (audio === null) {
      const Context = globalThis.AudioContext ?? globalThis.webkitAudioContext;
      if (!Context) return null;
      audio = new Context();
    }
    return audio;
  }

  function unlockAudio() {
    // Browsers start audio only after a gesture on the page: use the first one while the
    // chime is wanted, so that the sound at zero is allowed.
    if (!model.get("chime")) return;
    try {
      audioContext()?.resume()?.catch(() => {});
    } catch {
      // No sound is better than a broken timer.
    }
  }

  function playChime() {
    try {
      const context = audioContext();
      if (context === null) return;
      const play = () => {
        const t = context.currentTime;
        for (const [frequency, delay] of [
          [660, 0],
          [880, 0.35],
        ]) {
          const oscillator = context.createOscillator();
          const gain = context.createGain();
          oscillator.type = "sine";
          oscillator.frequency.value = frequency;
          gain.gain.setValueAtTime(0.0001, t + delay);
          gain.gain.exponentialRampToValueAtTime(0.25, t + delay + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, t + delay + 0.9);
          oscillator.connect(gain).connect(context.destination);
          oscillator.start(t + delay);
          oscillator.stop(t + delay + 1);
        }
      };
      if (context.state === "suspended") context.resume().then(play, () => {});
      else play();
    } catch {
      // No sound is better than a broken timer.
    }
  }

  // -- wiring --------------------------------------------------------------------------------
  let lastTick = Date.now();

  function tick() {
    const now = Date.now();
    if (now - lastTick > JUMP_MS || now < lastTick - 1_000) {
      jumped = true; // slept, or the device clock was set: the offset is stale
      requestSync();
    }
    lastTick = now;
    const seconds = wholeSeconds(remainingMs());
    if (seconds !== previous) paint();
    else paintCall();
    paintTicking();
  }

  // Times the kernel wrote as `<span class="codev-ticking" data-since-ms>` (a hand's waiting
  // time, the current speaker's): moved on here each second, in the kernel's time, so they
  // go on between two changes with no message per second.
  function paintTicking() {
    const now = Date.now() + offset;
    for (const span of document.querySelectorAll(".codev-ticking[data-since-ms]")) {
      const since = Number(span.dataset.sinceMs);
      if (!Number.isFinite(since)) continue;
      const shown = minutesText(Math.max(0, Math.floor((now - since) / 1000)));
      if (span.textContent !== shown) span.textContent = shown;
    }
  }

  function onPointer() {
    requestSync();
  }

  function onVisible() {
    if (document.visibilityState === "visible") requestSync();
  }

  const changes = [
    "status",
    "deadline_ms",
    "remaining_ms",
    "budget_ms",
    "step_title",
    "labels",
    "big",
    "called_text",
    "called_until_ms",
    "break_until_ms",
  ].map((name) => `change:${name}`);
  // A step change sets several of these at once: paint once for all of them.
  let painting = false;
  function schedulePaint() {
    if (painting) return;
    painting = true;
    queueMicrotask(() => {
      painting = false;
      paint();
    });
  }
  for (const event of changes) model.on(event, schedulePaint);
  // A console's page tells its kernel which step it shows, once drawn: the kernel then names
  // that step in the commands this page sends, and a click on a page that had not caught up
  // with another console is refused instead of moving the group on twice.
  function reportShown() {
    if (!model.get("report_shown")) return;
    try {
      model.send({ type: "shown", step: model.get("step_id") });
    } catch {
      // No kernel (a static export): nothing to tell.
    }
  }
  model.on("change:step_id", reportShown);
  model.on("change:server_now_ms", onStateTime);
  model.on("msg:custom", onMessage);
  document.addEventListener("visibilitychange", onVisible);
  // The page's keeper (keeper.js) saw the kernel go: offer the reload now, not at the next sync.
  document.addEventListener("codev-kernel-lost", showLost);
  document.addEventListener("pointerdown", unlockAudio, true);
  // A click checks that the kernel still answers (at most every RESYNC_MIN_GAP_MS): a page
  // whose kernel was restarted says so soon after someone tries to use it.
  document.addEventListener("pointerdown", onPointer, true);
  document.addEventListener("keydown", unlockAudio, true);
  const ticking = setInterval(tick, TICK_MS);
  const syncing = setInterval(() => requestSync(true), SYNC_EVERY_MS);

  paint();
  reportShown();
  requestSync(true);

  return () => {
    clearInterval(ticking);
    clearInterval(syncing);
    for (const id of timeouts) clearTimeout(id);
    for (const event of changes) model.off(event, schedulePaint);
    model.off("change:step_id", reportShown);
    model.off("change:server_now_ms", onStateTime);
    model.off("msg:custom", onMessage);
    document.removeEventListener("visibilitychange", onVisible);
    document.removeEventListener("codev-kernel-lost", showLost);
    document.removeEventListener("pointerdown", unlockAudio, true);
    document.removeEventListener("pointerdown", onPointer, true);
    document.removeEventListener("keydown", unlockAudio, true);
    if (audio !== null) audio.close().catch(() => {});
    root.remove();
  };
}

export default { render };
