// The checks, in order; each is [name, async (t) => …] and throws on failure. They share `t.state`.
import assert from "node:assert/strict";

const TZ = "Asia/Jerusalem";
const todayIn = (tz) => new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(new Date());
const addDays = (day, n) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const weekday = (day) => new Date(`${day}T00:00:00Z`).getUTCDay();
const DAY_KEYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** JSON from the API inside the page, with the page's session cookie. */
async function api(page, path) {
  return page.evaluate(async (p) => {
    const response = await fetch(p, { credentials: "same-origin" });
    return { status: response.status, body: await response.json() };
  }, path);
}

async function openCreate(page, date) {
  await page.goto(`${page.url().split("#")[0]}#/calendar`);
  await page.click('[data-testid="new-appointment"]');
  await page.waitForSelector('[data-testid="create-drawer"]');
  await page.fill('[data-testid="create-drawer"] input[name="date"]', date);
}

async function offeredSlots(page, date) {
  await openCreate(page, date);
  await page.waitForFunction(() => {
    const box = document.querySelector('[data-testid="slots"]');
    return box && !box.querySelector(".spinner");
  });
  return page.$$eval('[data-testid="slot"]', (chips) => chips.map((c) => c.textContent.trim()));
}

export const steps = [
  ["login page renders in Hebrew, right to left", async ({ page, config, shot, state }) => {
    state.fatal = true;
    await page.goto(`${config.baseUrl}/`);
    await page.waitForSelector('[data-testid="login-form"]');
    assert.equal(await page.getAttribute("html", "dir"), "rtl");
    assert.equal(await page.getAttribute("html", "lang"), "he");
    await page.fill('input[name="email"]', config.email);
    await page.fill('input[name="password"]', "wrong-password");
    await page.click('button[type="submit"]');
    await page.waitForSelector('[role="alert"]');
    await shot("01-login");
    state.fatal = false;
  }],

  ["log in with the demo login", async ({ page, config, state }) => {
    state.fatal = true;
    await page.fill('input[name="password"]', config.password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="calendar"]');
    state.fatal = false;
  }],

  ["the logged-in first page is interactive within budget", async ({ page, config, log }) => {
    const started = Date.now();
    await page.goto(`${config.baseUrl}/#/calendar`, { waitUntil: "commit" });
    await page.reload({ waitUntil: "commit" });
    const reloaded = Date.now();
    await page.waitForSelector('[data-testid="appt"], [data-testid="calendar"]');
    await page.click('[data-testid="view-day"]');
    await page.waitForSelector('[data-testid="view-day"].on');
    const interactiveMs = Date.now() - reloaded;
    const nav = await page.evaluate(() => {
      const [entry] = performance.getEntriesByType("navigation");
      return entry ? { domContentLoaded: Math.round(entry.domContentLoadedEventEnd), load: Math.round(entry.loadEventEnd) } : {};
    });
    log(`interactive (calendar rendered and answering a click) ${interactiveMs} ms after navigation; ` +
      `DOMContentLoaded ${nav.domContentLoaded} ms, load ${nav.load} ms (total incl. goto ${Date.now() - started} ms)`);
    assert.ok(interactiveMs <= config.interactiveBudgetMs, `interactive after ${interactiveMs} ms > ${config.interactiveBudgetMs} ms`);
    await page.click('[data-testid="view-week"]');
  }],

  ["the week shows the seeded appointments in the business time zone", async ({ page, shot, state, log }) => {
    await page.waitForSelector('[data-testid="appt"]');
    const start = addDays(todayIn(TZ), -weekday(todayIn(TZ)));
    const { body } = await api(page, `/api/v1/appointments?start=${start}&end=${addDays(start, 7)}`);
    assert.ok(body.items.length > 0, "the demo seed put no appointment in this week");
    // One drawn appointment does not prove the whole week is drawn: wait until the grid holds as
    // many as the API lists (a failure names both counts), then compare them item by item.
    const drawn = () => page.$$eval('[data-testid="appt"]', (els) => els.length);
    await page
      .waitForFunction((n) => document.querySelectorAll('[data-testid="appt"]').length === n, body.items.length, { timeout: 10000 })
      .catch(async () => assert.fail(`${await drawn()} appointments drawn, the API has ${body.items.length} this week`));
    const shown = await page.$$eval('[data-testid="appt"]', (els) => els.map((e) => ({ id: e.dataset.id, date: e.dataset.date, time: e.dataset.time })));
    assert.equal(shown.length, body.items.length, "every appointment of the week is drawn");
    for (const item of body.items) {
      const el = shown.find((s) => s.id === item.id);
      assert.ok(el, `appointment ${item.id} is drawn`);
      assert.equal(el.date, item.local_date);
      assert.equal(el.time, item.local_time);
    }
    // The browser runs in New York; the grid must still put each one in its Jerusalem column.
    const columns = await page.$$eval('[data-testid="appt"]', (els) => els.map((e) => [e.dataset.date, e.closest(".cal-col").dataset.day]));
    for (const [date, column] of columns) assert.equal(column, date);
    state.appointments = body.items;
    log(`${shown.length} appointments this week`);
    await shot("02-calendar-week");
  }],

  ["an appointment opens a drawer with its transcript and summary", async ({ page, shot, state }) => {
    let withCall = state.appointments.find((a) => a.call_id);
    if (!withCall) {
      // Fall back to any appointment booked by a call in the coming weeks.
      const from = todayIn(TZ);
      const { body } = await api(page, `/api/v1/appointments?start=${addDays(from, -14)}&end=${addDays(from, 21)}`);
      withCall = body.items.find((a) => a.call_id);
      assert.ok(withCall, "no seeded appointment was booked by a call");
      await page.goto(`${page.url().split("#")[0]}#/calendar`);
    }
    await page.click(`[data-testid="appt"][data-id="${withCall.id}"]`);
    await page.waitForSelector('[data-testid="appointment-drawer"] [data-testid="transcript"] .turn');
    const summary = await page.textContent('[data-testid="appointment-drawer"] [data-testid="summary"]');
    assert.ok(summary && summary.trim().length > 0, "summary shown");
    const turns = await page.$$('[data-testid="appointment-drawer"] .turn');
    assert.ok(turns.length >= 2, "transcript has turns");
    await shot("03-appointment-drawer");
    await page.keyboard.press("Escape");
  }],

  ["the day view shows one day", async ({ page, shot }) => {
    await page.click('[data-testid="view-day"]');
    await page.waitForFunction(() => document.querySelectorAll(".cal-col").length === 1);
    await shot("04-calendar-day");
    await page.click('[data-testid="view-week"]');
  }],

  ["booking a slot the agent already booked is refused clearly", async ({ page, shot, state, log }) => {
    const now = Date.now();
    const from = todayIn(TZ);
    const { body } = await api(page, `/api/v1/appointments?start=${from}&end=${addDays(from, 21)}`);
    const taken = body.items
      .filter((a) => a.status === "booked" && Date.parse(a.starts_at) > now + 3 * 3600e3)
      .sort((a, b) => Number(Boolean(b.call_id)) - Number(Boolean(a.call_id)))[0];
    assert.ok(taken, "a future booked appointment to collide with");
    await openCreate(page, taken.local_date);
    await page.fill('[data-testid="create-drawer"] input[name="time"]', taken.local_time);
    await page.fill('[data-testid="create-drawer"] input[name="customer_name"]', "בדיקת התנגשות");
    await page.click('[data-testid="book"]');
    const refusal = await page.waitForSelector('[data-testid="refusal"]');
    assert.equal(await refusal.getAttribute("data-status"), "slot_taken");
    const text = (await refusal.textContent()) ?? "";
    assert.match(text, /תפוסה/);
    const alternatives = await page.$$eval('[data-testid="alternative"]', (els) => els.map((e) => e.textContent));
    log(`refused ${taken.local_date} ${taken.local_time} (${taken.call_id ? "booked by the agent" : "booked"}); alternatives: ${alternatives.join(", ")}`);
    await shot("05-booking-refused");
    // Nothing was stored: still exactly one appointment at that time.
    const after = await api(page, `/api/v1/appointments?start=${taken.local_date}&end=${addDays(taken.local_date, 1)}`);
    assert.equal(after.body.items.filter((a) => a.local_time === taken.local_time && a.status === "booked").length, 1);
    state.takenDay = taken.local_date;
    await page.keyboard.press("Escape");
  }],

  ["changing weekly hours changes the slots the agent offers", async ({ page, shot, state, log }) => {
    // A bookable day from the day after tomorrow on, on a weekday with hours.
    const rules = (await api(page, "/api/v1/business/booking")).body;
    let day = addDays(todayIn(TZ), 2);
    while (!(rules.weekly_hours[DAY_KEYS[weekday(day)]] ?? []).length || rules.overrides?.[day] || day === state.takenDay) day = addDays(day, 1);
    const key = DAY_KEYS[weekday(day)];
    const before = await offeredSlots(page, day);
    assert.ok(before.length > 0, `slots offered on ${day} before`);
    await shot("06-create-slots-before");

    await page.goto(`${page.url().split("#")[0]}#/settings`);
    const row = `[data-testid="hours-${key}"]`;
    await page.waitForSelector(row);
    // An invalid time is refused with the error next to that day.
    await page.fill(`${row} [data-testid="range-from"] >> nth=0`, "25:00");
    await page.click('[data-testid="booking-form"] [data-testid="save"]');
    await page.waitForSelector(`${row} .field-error`);
    await shot("07-settings-invalid-hours");
    // One short shift, 15:00-17:00.
    while ((await page.$$(`${row} [data-testid="range-remove"]`)).length > 1) await page.click(`${row} [data-testid="range-remove"] >> nth=-1`);
    await page.fill(`${row} [data-testid="range-from"] >> nth=0`, "15:00");
    await page.fill(`${row} [data-testid="range-to"] >> nth=0`, "17:00");
    await page.click('[data-testid="booking-form"] [data-testid="save"]');
    await page.waitForSelector('[data-testid="booking-form"] [data-testid="saved"]');
    await shot("08-settings-hours");

    const after = await offeredSlots(page, day);
    log(`${day} (${key}): offered before ${before.join(" ")}; after ${after.join(" ")}`);
    assert.notDeepEqual(after, before);
    assert.ok(after.length > 0, "slots offered after");
    for (const slot of after) assert.ok(slot >= "15:00" && slot < "17:00", `${slot} inside 15:00-17:00`);
    await shot("09-create-slots-after");
    state.bookDay = day;
    state.offered = after;
  }],

  ["book an offered slot, move it, cancel it", async ({ page, state, log }) => {
    const [first, second] = state.offered;
    assert.ok(first && second, "two offered slots");
    await page.click(`[data-testid="slot"]:text-is("${first}")`);
    await page.fill('[data-testid="create-drawer"] input[name="customer_name"]', "לקוחה מהדשבורד");
    await page.click('[data-testid="book"]');
    await page.waitForSelector('[data-testid="create-drawer"]', { state: "detached" });
    const booked = `[data-testid="appt"][data-date="${state.bookDay}"][data-time="${first}"]`;
    const id = await page.getAttribute(booked, "data-id");
    await page.click(booked);
    await page.waitForSelector('[data-testid="appointment-drawer"]');
    await page.click('[data-testid="move-appointment"]');
    await page.fill('[data-testid="appointment-drawer"] input[type="time"]', second);
    await page.click('[data-testid="appointment-drawer"] button[type="submit"]');
    await page.waitForSelector('[data-testid="appointment-drawer"] .notice.success');
    page.once("dialog", (dialog) => dialog.accept());
    await page.click('[data-testid="cancel-appointment"]');
    await page.waitForSelector('[data-testid="cancel-appointment"]', { state: "detached" });
    await page.keyboard.press("Escape");
    const { body } = await api(page, `/api/v1/appointments/${id}`);
    assert.equal(body.local_date, state.bookDay);
    assert.equal(body.local_time, second, "moved");
    assert.equal(body.status, "cancelled", "cancelled");
    await page.waitForSelector(`[data-testid="appt"][data-id="${id}"]`, { state: "detached" }).catch(() => {});
    log(`booked ${state.bookDay} ${first}, moved to ${second}, cancelled`);
  }],

  ["settings profile and barge-in pages", async ({ page, shot }) => {
    await page.goto(`${page.url().split("#")[0]}#/settings`);
    await page.click('[data-tab="profile"]');
    await page.waitForSelector('[data-testid="profile-form"] input[name="name"]');
    await page.fill('[data-testid="profile-form"] input[name="phone"]', "not a phone");
    await page.click('[data-testid="profile-form"] [data-testid="save"]');
    await page.waitForSelector('[data-field="phone"] .field-error');
    await shot("10-settings-profile-invalid");
    await page.click('[data-tab="bargeIn"]');
    await page.waitForSelector('[data-testid="barge-in-form"]');
    await shot("11-settings-barge-in");
  }],

  ["leads: search, detail with timeline and calls, edit", async ({ page, shot, log }) => {
    // A lead who called: search for them by name.
    const calls = (await api(page, "/api/v1/calls?direction=inbound&page=1&page_size=25")).body.items;
    const called = calls.find((c) => c.lead_id);
    assert.ok(called, "a seeded inbound call with a lead");
    const lead = (await api(page, `/api/v1/leads/${called.lead_id}`)).body;
    await page.goto(`${page.url().split("#")[0]}#/leads`);
    await page.waitForSelector('[data-testid="lead-row"]');
    await shot("12-leads");
    const term = (lead.full_name ?? lead.phone_e164).split(" ")[0];
    const total = (await page.$$('[data-testid="lead-row"]')).length;
    await page.fill('[data-testid="lead-search"]', term);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="lead-row"]').length < n, total);
    await page.click(`[data-testid="lead-row"][data-id="${lead.id}"]`);
    await page.waitForSelector('[data-testid="lead-form"]');
    await page.waitForSelector('[data-testid="timeline"] li');
    await page.waitForSelector('[data-testid="lead-call"]');
    await page.fill('[data-testid="lead-form"] textarea[name="notes"]', "מעדיף תורים בבוקר");
    await page.selectOption('[data-testid="lead-form"] select[name="status"]', "customer");
    await page.click('[data-testid="lead-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="lead-form"] [role="status"]');
    const saved = (await api(page, `/api/v1/leads/${lead.id}`)).body;
    assert.equal(saved.status, "customer");
    assert.equal(saved.notes, "מעדיף תורים בבוקר");
    log(`searched "${term}" (${total} -> fewer rows), edited ${lead.full_name}`);
    await shot("13-lead-detail");
  }],

  ["a test call from the browser microphone shows in the calls list with its transcript", async ({ page, shot, config, log }) => {
    assert.ok(config.wav, "FAKE_MIC_WAV is required for the test call");
    await page.goto(`${page.url().split("#")[0]}#/test-call`);
    await page.click('[data-testid="start-call"]');
    await page.waitForSelector('[data-testid="test-call"][data-status="live"]');
    // The greeting plays while the microphone is silent (5 s), then the caller's request goes
    // out (frames are 20 ms), then the agent's answer comes back.
    const count = (id) => page.$eval(`[data-testid="${id}"]`, (el) => Number(el.textContent));
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="frames-received"]').textContent) > 25, null, { timeout: 20000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="frames-sent"]').textContent) > 450, null, { timeout: 20000 });
    const beforeAnswer = await count("frames-received");
    // A second of the answer (the server sends 20 ms frames): by then the caller's words have
    // been transcribed (the simulated engine takes up to 2.5 s after the turn ends).
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="frames-received"]').textContent) > n + 50, beforeAnswer, { timeout: 20000 });
    await page.waitForTimeout(1500);
    await shot("14-test-call-live");
    const stats = await page.$$eval(".stat .v", (els) => els.map((e) => e.textContent));
    await page.click('[data-testid="hang-up"]');
    await page.waitForSelector('[data-testid="test-call"][data-status="ended"]');
    log(`sent ${stats[0]} frames, received ${stats[1]}, marks echoed ${stats[3]}`);
    assert.ok(Number(stats[3]) > 0, "marks were echoed back after playback");
    await page.waitForSelector('[data-testid="view-call"]', { timeout: 10000 });
    await shot("15-test-call-ended");

    await page.goto(`${page.url().split("#")[0]}#/calls`);
    await page.waitForSelector('[data-testid="call-row"][data-direction="browser"]');
    await shot("16-calls");
    await page.click('[data-testid="call-row"][data-direction="browser"] >> nth=0');
    await page.waitForSelector('[data-testid="transcript"] .turn', { timeout: 10000 });
    const turns = await page.$$eval('[data-testid="transcript"] .turn', (els) => els.map((e) => e.className.replace("turn ", "")));
    log(`browser call transcript: ${turns.length} turns (${turns.join(", ")})`);
    assert.ok(turns.includes("agent"), "the agent's words are in the transcript");
    assert.ok(turns.includes("caller"), "the caller's words (the WAV) are in the transcript");
    await shot("17-call-detail");
  }],

  ["English is one click away and left to right", async ({ page, shot }) => {
    await page.goto(`${page.url().split("#")[0]}#/calendar`);
    await page.click('[data-testid="lang-toggle"]');
    await page.waitForFunction(() => document.documentElement.dir === "ltr" && document.documentElement.lang === "en");
    await page.waitForSelector('[data-testid="calendar"]');
    await shot("18-calendar-english");
    await page.click('[data-testid="lang-toggle"]');
    await page.waitForFunction(() => document.documentElement.dir === "rtl");
  }],
];
