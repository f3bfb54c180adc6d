// @segment/analytics-node, the npm client of Segment's HTTP tracking API, against a live
// Pathlens /segment/. Run by tests/segment/test_clients_live.py, which reads the JSON this prints.
// Input (environment): SITE (the server's address), WRITE_KEY, LEARNER, SESSION.
// It sends one batch of a widget session, a track of an other activity and a page, then the
// same messages again (same messageIds), as a client retrying after a lost answer would.
import { Analytics } from "@segment/analytics-node";

const env = process.env;
const statuses = [];

function messages(analytics) {
  const base = { userId: env.LEARNER, timestamp: new Date("2026-12-06T09:30:00Z") };
  const widget = { widget: "BLL002", session: env.SESSION };
  analytics.track({ ...base, messageId: "node-1", event: "session_started", properties: widget });
  analytics.track({
    ...base, messageId: "node-2", event: "weight_placed", properties: { ...widget, peg: 2, mass: 3 },
  });
  analytics.track({
    ...base, messageId: "node-3", event: "Video Watched",
    properties: { activity: "https://content.example/video-4", completed: true },
  });
  analytics.page({ ...base, messageId: "node-4", name: "Timetable" });
}

async function sendOnce(writeKey) {
  // host + path as Node's URL joins them: the path is absolute, so it carries /segment.
  const analytics = new Analytics({
    writeKey, host: env.SITE, path: "/segment/v1/batch", maxEventsInBatch: 10, maxRetries: 0,
  });
  analytics.on("error", (error) => statuses.push(String(error.reason?.message ?? error.code)));
  messages(analytics);
  await analytics.closeAndFlush({ timeout: 30000 });
}

await sendOnce(env.WRITE_KEY);
await sendOnce(env.WRITE_KEY);
// A revoked or wrong key: the client reports the refusal through its "error" event.
await sendOnce("sgk_not-a-key");
console.log(JSON.stringify({ errors: statuses }));
