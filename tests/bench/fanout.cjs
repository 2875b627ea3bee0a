// Fan-out probe for the send path: SUBSCRIBERS socket.io-client connections (websocket)
// subscribe to one room; one sender posts messages. Two phases:
//   paced:     messages at RATE_DELIVERIES / SUBSCRIBERS per second for SECONDS;
//              reports the p50/p99 from send to receipt at every subscriber.
//   saturated: WINDOW messages in flight (sent, not yet received by everyone) for SECONDS;
//              reports deliveries per second.
//   node tests/bench/fanout.cjs URL TOKEN ROOM_ID THREAD_ID LAST_SEQ SUBSCRIBERS RATE_DELIVERIES SECONDS WINDOW
"use strict";
const path = require("node:path");
const { createRequire } = require("node:module");
const requireWeb = createRequire(path.join(__dirname, "..", "..", "web", "package.json"));
const { io } = requireWeb("socket.io-client");

const [url, token, roomId, threadId, lastSeq, subscribers, rate, seconds, windowSize] = process.argv.slice(2);
const N = Number(subscribers);
const now = () => Number(process.hrtime.bigint()) / 1e6;

function connect() {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], extraHeaders: { Cookie: `convene_session=${token}` }, reconnection: false, forceNew: true });
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", reject);
  });
}

const sentAt = new Map();
let delays = [];
let received = 0;
function onEvent(payload) {
  if (payload.type !== "message.created") return;
  const at = sentAt.get(payload.message.client_id);
  if (at === undefined) return;
  received += 1;
  delays.push(now() - at);
  const left = (pending.get(payload.message.client_id) || 0) - 1;
  if (left > 0) pending.set(payload.message.client_id, left);
  else if (pending.has(payload.message.client_id)) { pending.delete(payload.message.client_id); waiters.get(payload.message.client_id)?.(); waiters.delete(payload.message.client_id); }
}
const pending = new Map();
const waiters = new Map();

const pct = (values, p) => {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] * 10) / 10;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const joinStarted = now();
  const subs = [];
  const batch = 50;
  for (let i = 0; i < N; i += batch) {
    const group = await Promise.all(Array.from({ length: Math.min(batch, N - i) }, connect));
    await Promise.all(group.map((s) => s.timeout(60000).emitWithAck("subscribe", { rooms: { [roomId]: Number(lastSeq) } })));
    for (const s of group) { s.on("event", onEvent); subs.push(s); }
  }
  const joinSeconds = (now() - joinStarted) / 1000;
  process.stdout.write("phase joined\n");
  const sender = await connect();
  let counter = 0;
  const send = () => {
    const clientId = `p-${roomId}-${counter++}`;
    sentAt.set(clientId, now());
    pending.set(clientId, N);
    const delivered = new Promise((resolve) => waiters.set(clientId, resolve));
    const acked = sender.timeout(60000).emitWithAck("send", { thread_id: Number(threadId), client_id: clientId, body: `fan-out probe ${counter}` });
    return Promise.all([acked, delivered]);
  };

  // paced
  const perSecond = Number(rate) / N;
  const count = Math.max(5, Math.round(perSecond * Number(seconds)));
  const started = now();
  const acks = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    acks.push(send());
  }
  await Promise.race([Promise.all(acks), sleep(30000)]);
  const deadline = now() + 30000;
  while (received < count * N && now() < deadline) await sleep(20);
  const paced = { offered_deliveries_per_second: Number(rate), messages: count, deliveries: received, expected: count * N,
    p50_ms: pct(delays, 0.5), p99_ms: pct(delays, 0.99) };

  // saturated
  process.stdout.write("phase paced\n");
  delays = []; received = 0;
  const satStarted = now();
  const stopAt = satStarted + Number(seconds) * 1000;
  let sent = 0;
  async function lane() { while (now() < stopAt) { sent += 1; await Promise.race([send(), sleep(30000)]); } }
  await Promise.all(Array.from({ length: Number(windowSize) }, lane));
  const deadline2 = now() + 60000;
  while (received < sent * N && now() < deadline2) await sleep(10);
  const satSeconds = (now() - satStarted) / 1000;
  process.stdout.write("phase saturated\n");
  const saturated = { messages: sent, deliveries: received, expected: sent * N, seconds: Math.round(satSeconds * 100) / 100,
    deliveries_per_second: Math.round(received / satSeconds), p99_ms: pct(delays, 0.99) };
  for (const s of [sender, ...subs]) s.close();
  process.stdout.write(JSON.stringify({ subscribers: N, join_seconds: Math.round(joinSeconds * 100) / 100, paced, saturated }));
}

main().catch((error) => { console.error(error); process.exit(1); });
