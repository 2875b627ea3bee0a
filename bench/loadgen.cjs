// Load generator for `make bench`: one Node process, pinned by the harness to the core
// the server does not use, driving one system through one workload.
//
//   node bench/loadgen.cjs '<job as JSON>'
//
// It prints progress on stderr and, at the end, one line "RESULT <json>" on stdout.
// The reconnect storm also prints "READY" when its clients are connected and caught up
// and then waits for "UP" on stdin (the harness has restarted the server).
//
// Clients are plain `ws` sockets, not socket.io-client: for the Socket.IO systems the
// Engine.IO v4 / Socket.IO v5 framing is spoken by hand ("0{...}" open, "40" connect,
// "2"/"3" ping/pong, "42[...]" event, "42<id>[...]" event with ack, "43<id>[...]" ack),
// which keeps a thousand connections and a hundred thousand frames a second affordable
// on one core. Every figure says how busy this process was (generator_cpu) so a result
// limited by the generator rather than the server can be marked.
//
// Every message carries a tag "B:<step>.<n>.<sent at, ms>" (in the payload for the peers,
// as the client_id for Convene); latency is receipt minus that time, measured on the same
// clock because sender and receivers live in this one process.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const { performance } = require("node:perf_hooks");
const WebSocket = require("ws");

const job = JSON.parse(process.argv[2]);
const log = (...args) => process.stderr.write(`[loadgen ${job.system}/${job.workload}] ${args.join(" ")}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TAG = /"B:(\d+)\.(\d+)\.(\d+\.\d+)"/;
const CLK_TCK = 100; // USER_HZ on Linux

// ---------------------------------------------------------------- measurements

function procCpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(")").pop().trim().split(/\s+/);
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function rssKiB(pid) {
  try {
    const line = fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
    return Number(line.split(/\s+/)[1]);
  } catch {
    return NaN;
  }
}

/** CPU of this generator and of the server over an interval, as fractions of one core. */
function cpuMeter() {
  const started = performance.now();
  const self = process.cpuUsage();
  const server = procCpuSeconds(job.server_pid);
  return () => {
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(self);
    const serverUsed = procCpuSeconds(job.server_pid) - server;
    return {
      wall_s: round(wall, 3),
      generator_cpu: round((used.user + used.system) / 1e6 / wall, 3),
      server_cpu: round(serverUsed / wall, 3),
      server_cpu_s: round(serverUsed, 3),
    };
  };
}

function round(x, digits = 1) {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))], 2);
}

function summary(lats) {
  const sorted = Float64Array.from(lats).sort();
  return { p50_ms: percentile(sorted, 0.5), p99_ms: percentile(sorted, 0.99), max_ms: percentile(sorted, 1) };
}

// ---------------------------------------------------------------- clients

/**
 * One connection to a system, in that system's own protocol:
 *  raw      aiohttp websocket: "J<room>" joins (answered "J"), "B<room>|<payload>" broadcasts
 *           the payload to the other members.
 *  sio      python-socketio / Node socket.io: event "join" (ack), event "broadcast" {room, id},
 *           delivered as event "msg".
 *  convene  Convene's Socket.IO protocol (docs/protocol.md): "subscribe" and "send" with acks;
 *           deliveries are "event" envelopes of type message.created.
 */
class Conn {
  constructor(onEvent) {
    this.onEvent = onEvent; // (text frame) for every delivered event
    this.acks = new Map();
    this.nextAck = 1;
    this.closed = false;
    this.onClose = null;
  }

  open() {
    const kind = job.kind;
    const url = kind === "raw" ? `${job.ws_url}/ws` : `${job.ws_url}/socket.io/?EIO=4&transport=websocket`;
    const headers = job.cookie ? { Cookie: job.cookie } : {};
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, headers, handshakeTimeout: 60000 });
      this.ws = ws;
      let ready = false;
      const timer = setTimeout(() => { if (!ready) { ws.terminate(); reject(new Error("open timeout")); } }, 90000);
      ws.on("error", (error) => { if (!ready) { clearTimeout(timer); reject(error); } });
      ws.on("close", () => {
        this.closed = true;
        for (const [, pending] of this.acks) pending.reject(new Error("closed"));
        this.acks.clear();
        if (!ready) { clearTimeout(timer); reject(new Error("closed before ready")); }
        if (this.onClose) this.onClose();
      });
      if (kind === "raw") {
        ws.on("open", () => { ready = true; clearTimeout(timer); resolve(this); });
        ws.on("message", (data) => {
          const text = data.toString();
          if (text === "J") { const p = this.acks.get(0); this.acks.delete(0); if (p) p.resolve(text); return; }
          this.onEvent(text);
        });
        return;
      }
      ws.on("message", (data) => {
        const text = data.toString();
        const c0 = text.charCodeAt(0);
        if (c0 === 52 /* 4 */) {
          const c1 = text.charCodeAt(1);
          if (c1 === 50 /* 2: event */) { this.onEvent(text); return; }
          if (c1 === 51 /* 3: ack */) {
            const bracket = text.indexOf("[");
            const id = Number(text.slice(2, bracket));
            const pending = this.acks.get(id);
            if (pending) { this.acks.delete(id); pending.resolve(text.slice(bracket)); }
            return;
          }
          if (c1 === 48 /* 0: namespace connected */) { ready = true; clearTimeout(timer); resolve(this); return; }
          if (c1 === 52 /* 4: connect refused */) { clearTimeout(timer); ws.terminate(); reject(new Error(`refused: ${text}`)); return; }
          return;
        }
        if (c0 === 50 /* 2: ping */) { ws.send("3"); return; }
        if (c0 === 48 /* 0: engine.io open */) { ws.send("40"); return; }
      });
    });
  }

  /** Emit an event with an acknowledgement; resolves with the ack's JSON array text. */
  call(event, data, timeoutMs = 120000) {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.acks.delete(id); reject(new Error(`${event} ack timeout`)); }, timeoutMs);
      this.acks.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      this.ws.send(`42${id}${JSON.stringify([event, data])}`);
    });
  }

  /** Join (peers) or subscribe (Convene) to a room. */
  async join(room, lastSeq = 0) {
    if (job.kind === "raw") {
      const answered = new Promise((resolve, reject) => this.acks.set(0, { resolve, reject }));
      this.ws.send(`J${room}`);
      return answered;
    }
    if (job.kind === "sio") return this.call("join", String(room));
    const answer = await this.call("subscribe", { rooms: { [room]: lastSeq } });
    if (!answer.includes('"ok":true')) throw new Error(`subscribe refused: ${answer.slice(0, 300)}`);
    return answer;
  }

  /** Send one tagged message into a room. For Convene returns the ack promise. */
  publish(room, threadId, tag, pad) {
    if (job.kind === "raw") { this.ws.send(`B${room}|{"id":"${tag}","pad":"${pad}"}`); return null; }
    if (job.kind === "sio") { this.ws.send(`42["broadcast",{"room":"${room}","id":"${tag}","pad":"${pad}"}]`); return null; }
    return this.call("send", { thread_id: threadId, client_id: tag, body: pad || "x" });
  }

  close() { try { this.ws.terminate(); } catch { /* already gone */ } }
}

/** Open `count` connections, `concurrency` at a time; each calls `after(conn, i)` once open. */
async function openMany(count, concurrency, onEvent, after) {
  const conns = new Array(count);
  let next = 0;
  let errors = 0;
  const firstErrors = [];
  async function worker() {
    while (next < count) {
      const i = next++;
      const conn = new Conn((text) => onEvent(text, i));
      try {
        await conn.open();
        if (after) await after(conn, i);
        conns[i] = conn;
      } catch (error) {
        errors++;
        if (firstErrors.length < 3) firstErrors.push(String(error.message || error));
        conn.close();
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { conns: conns.filter(Boolean), errors, firstErrors };
}

// ---------------------------------------------------------------- delivery accounting

/** Per-step counters of deliveries and their latencies, fed by every receiving connection. */
class Steps {
  constructor() { this.steps = []; }
  start(expectedPerMessage) {
    const step = { sent: 0, expectedPerMessage, delivered: 0, lats: [], acked: 0, ackLats: [], refused: 0 };
    this.steps.push(step);
    return this.steps.length - 1;
  }
  onEvent(text) {
    const m = TAG.exec(text);
    if (!m) return;
    const step = this.steps[Number(m[1])];
    if (!step) return;
    step.delivered++;
    step.lats.push(performance.now() - Number(m[3]));
  }
}

function tag(k, n) { return `B:${k}.${n}.${performance.now().toFixed(3)}`; }

/** Send `rate` messages a second for `seconds`, calling send(n) in order, open loop. */
async function paced(rate, seconds, send) {
  const total = Math.max(1, Math.round(rate * seconds));
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (sent < due) send(sent++);
    await sleep(1);
  }
  return total;
}

async function waitUntil(predicate, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!predicate() && performance.now() < deadline) await sleep(20);
  return predicate();
}

// ---------------------------------------------------------------- workloads

/**
 * Fan-out sweep: `size` subscribers in one room, one extra connection publishing at each
 * offered delivery rate (messages/s = rate / size) for step_seconds; a step passes when
 * every delivery arrived and p99 < 100 ms. Every step up to must_reach (5,000 deliveries/s)
 * runs; past it the sweep stops at the first undelivered step or two failures in a row.
 */
async function fanout() {
  const steps = new Steps();
  const joinStarted = performance.now();
  const joinCpu = cpuMeter();
  const { conns, errors, firstErrors } = await openMany(job.size, job.concurrency, (text) => steps.onEvent(text), (c) => c.join(job.room));
  const joinSeconds = (performance.now() - joinStarted) / 1000;
  const join = { clients: job.size, connected: conns.length, errors, first_errors: firstErrors, seconds: round(joinSeconds, 3), ...joinCpu() };
  log(`${conns.length}/${job.size} subscribed in ${joinSeconds.toFixed(2)} s`);
  if (conns.length < job.size) return { join, steps: [], complete: false };
  const sender = await new Conn(() => {}).open();
  await sleep(300);
  const results = [];
  let failures = 0;
  for (const rate of job.rates) {
    const k = steps.start(job.size);
    const step = steps.steps[k];
    const meter = cpuMeter();
    const messagesPerSecond = rate / job.size;
    const acks = [];
    step.sent = await paced(messagesPerSecond, job.step_seconds, (n) => {
      const ack = sender.publish(job.room, job.thread_id, tag(k, n), "");
      if (ack) acks.push(ack.catch(() => null));
    });
    const expected = step.sent * job.size;
    await waitUntil(() => step.delivered >= expected, job.drain_ms);
    const cpu = meter();
    const lat = summary(step.lats);
    const result = {
      offered_deliveries_per_s: rate,
      messages: step.sent,
      expected,
      delivered: step.delivered,
      delivered_per_s: round(step.delivered / cpu.wall_s, 0),
      ...lat,
      ...cpu,
      generator_saturated: cpu.generator_cpu > 0.9,
    };
    result.passed = step.delivered >= expected && lat.p99_ms !== null && lat.p99_ms < 100;
    log(`rate ${rate}: ${step.delivered}/${expected} p99 ${lat.p99_ms} ms gen ${cpu.generator_cpu} srv ${cpu.server_cpu}`);
    results.push(result);
    step.lats = [];
    // Past the reference rate, stop once the server cannot deliver everything, or after two
    // failing steps in a row with the server busy (at least 30% of its core): on a shared
    // machine a p99 spike while the server idles is the neighbours', not a knee.
    failures = result.passed || cpu.server_cpu < 0.3 ? 0 : failures + 1;
    if (rate >= job.must_reach && (step.delivered < expected || failures >= 2)) break;
    if (!result.passed) await waitUntil(() => step.delivered >= expected, job.drain_ms); // let a backlog clear
    await sleep(200);
  }
  sender.close();
  for (const c of conns) c.close();
  return { join, steps: results, complete: true };
}

/** Idle connections: open `count` (Socket.IO connected, no room), read the server's RSS growth. */
async function idle() {
  const rssBefore = rssKiB(job.server_pid);
  const meter = cpuMeter();
  const started = performance.now();
  const deadline = started + job.time_limit_s * 1000;
  let opened = [];
  let errors = 0;
  const firstErrors = [];
  // Open in waves so a slow server is given up on at the time limit rather than hanging the run.
  while (opened.length < job.count && performance.now() < deadline) {
    const wave = Math.min(job.concurrency * 4, job.count - opened.length);
    const r = await openMany(wave, job.concurrency, () => {}, null);
    opened = opened.concat(r.conns);
    errors += r.errors;
    firstErrors.push(...r.firstErrors.slice(0, 3 - firstErrors.length));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = meter();
  await sleep(1500);
  const rssAfter = rssKiB(job.server_pid);
  const result = {
    requested: job.count,
    connected: opened.length,
    errors,
    first_errors: firstErrors,
    seconds: round(seconds, 3),
    accepts_per_s: round(opened.length / seconds, 0),
    rss_before_kib: rssBefore,
    rss_after_kib: rssAfter,
    kib_per_connection: round((rssAfter - rssBefore) / Math.max(1, opened.length), 2),
    complete: opened.length >= job.count,
    ...cpu,
    generator_saturated: cpu.generator_cpu > 0.9,
  };
  for (const c of opened) c.close();
  return result;
}

/**
 * Durable sends (Convene): rooms.length rooms of per_room connections; every connection
 * subscribes to its room and sends in turn; at each offered rate, for step_seconds, count
 * acknowledgements (after commit) and deliveries to every member, with their latencies.
 */
async function durable() {
  const steps = new Steps();
  const perRoom = job.per_room;
  const total = job.rooms.length * perRoom;
  const { conns, errors, firstErrors } = await openMany(total, job.concurrency, (text) => steps.onEvent(text), (c, i) => c.join(job.rooms[Math.floor(i / perRoom)].room_id));
  log(`${conns.length}/${total} senders subscribed`);
  if (conns.length < total) return { complete: false, errors, first_errors: firstErrors, steps: [] };
  const senders = conns.map((c, i) => ({ conn: c, room: job.rooms[Math.floor(i / perRoom)] }));
  await sleep(500);
  const results = [];
  for (const rate of job.rates) {
    const k = steps.start(perRoom);
    const step = steps.steps[k];
    const meter = cpuMeter();
    const started = performance.now();
    let lastAck = started;
    const pending = [];
    step.sent = await paced(rate, job.step_seconds, (n) => {
      const s = senders[n % senders.length];
      const sentAt = performance.now();
      pending.push(s.conn.publish(s.room.room_id, s.room.thread_id, tag(k, n), "durable benchmark message").then((ack) => {
        if (ack.startsWith('[{"ok":true')) {
          step.acked++;
          const now = performance.now();
          step.ackLats.push(now - sentAt);
          lastAck = now;
        } else step.refused++;
      }, () => { step.refused++; }));
    });
    const expected = step.sent * perRoom;
    await waitUntil(() => step.acked + step.refused >= step.sent && step.delivered >= expected, job.drain_ms);
    const cpu = meter();
    const ackSeconds = (lastAck - started) / 1000;
    const result = {
      offered_per_s: rate,
      sent: step.sent,
      acked: step.acked,
      refused: step.refused,
      acked_per_s: round(step.acked / Math.max(ackSeconds, job.step_seconds), 0),
      ack: summary(step.ackLats),
      expected_deliveries: expected,
      delivered: step.delivered,
      delivery: summary(step.lats),
      server_cpu_ms_per_message: round((1000 * cpu.server_cpu_s) / Math.max(1, step.acked), 3),
      ...cpu,
      generator_saturated: cpu.generator_cpu > 0.9,
    };
    log(`rate ${rate}: acked ${step.acked}/${step.sent} (${result.acked_per_s}/s) ack p99 ${result.ack.p99_ms} delivery p99 ${result.delivery.p99_ms}`);
    results.push(result);
    step.lats = [];
    step.ackLats = [];
    // A step the server could not keep up with would spill into the next: wait it out; when it
    // acknowledged under half what was offered it is saturated, and higher rates would only
    // measure the queue, so the ladder stops there (the table shows the steps that ran).
    const saturated = result.acked_per_s < rate / 2 && step.acked + step.refused < step.sent;
    await waitUntil(() => step.acked + step.refused >= step.sent, job.drain_ms);
    if (saturated) { result.saturated_server = true; break; }
    await sleep(300);
  }
  for (const c of conns) c.close();
  return { complete: true, steps: results };
}

/**
 * Reconnect storm (Convene): `rooms` x `per_room` clients subscribed and caught up; the
 * harness restarts the server; every client reconnects (with jitter, as browsers do) and
 * subscribes with its last seq; a sender posts more messages once it is back. Reports the
 * time until every client holds every acknowledged message, and any lost or doubled.
 */
async function storm() {
  const rooms = job.rooms;
  const perRoom = job.per_room;
  const clients = [];
  const stats = { doubled: 0, resync: 0, reconnects: 0, reconnect_errors: 0, gap_catchups: 0 };
  const acked = rooms.map(() => new Set()); // client_ids acknowledged, per room index
  const finalSeq = rooms.map(() => 0);

  function apply(client, event) {
    if (event.room_id !== client.room.room_id || typeof event.seq !== "number") return;
    if (event.type === "message.created") {
      const id = event.message.client_id;
      const seenAt = client.seqOf.get(id);
      if (seenAt !== undefined && seenAt !== event.seq) stats.doubled++;
      client.seqOf.set(id, event.seq);
    }
    client.maxSeen = Math.max(client.maxSeen, event.seq);
    if (event.seq === client.last + 1) client.last = event.seq;
    else if (event.seq > client.last + 1 && client.conn && !client.catchingUp) catchUp(client);
  }

  /** A gap in the sequence: subscribe again with the last seq applied (docs/protocol.md). */
  async function catchUp(client) {
    client.catchingUp = true;
    stats.gap_catchups++;
    try {
      const answer = JSON.parse(await client.conn.join(client.room.room_id, client.last))[0];
      const room = answer.rooms[String(client.room.room_id)];
      if (room.resync) stats.resync++;
      for (const event of room.events || []) apply(client, event);
    } catch { /* the connection went: reconnecting catches up */ }
    client.catchingUp = false;
  }

  async function connect(client) {
    const conn = new Conn((text) => {
      if (!text.includes('"seq"')) return;
      const [, event] = JSON.parse(text.slice(2));
      apply(client, event);
    });
    await conn.open();
    conn.onClose = () => { if (!stopping) reconnect(client); };
    const answer = JSON.parse(await conn.join(client.room.room_id, client.last))[0];
    const room = answer.rooms[String(client.room.room_id)];
    if (room.resync) stats.resync++;
    for (const event of room.events || []) apply(client, event);
    client.conn = conn;
    if (client.maxSeen > client.last) catchUp(client); // live events overtook the subscribe answer
  }

  let stopping = false;
  async function reconnect(client) {
    client.conn = null;
    if (client.reconnecting) return;
    client.reconnecting = true;
    while (!stopping) {
      await sleep(200 + Math.random() * 800); // browsers' socket.io-client waits with jitter too
      try {
        await connect(client);
        stats.reconnects++;
        break;
      } catch {
        stats.reconnect_errors++;
      }
    }
    client.reconnecting = false;
  }

  for (let r = 0; r < rooms.length; r++) for (let i = 0; i < perRoom; i++) clients.push({ room: rooms[r], roomIndex: r, last: 0, maxSeen: 0, seqOf: new Map(), catchingUp: false, conn: null });
  let next = 0;
  await Promise.all(Array.from({ length: job.concurrency }, async () => {
    while (next < clients.length) await connect(clients[next++]);
  }));
  log(`${clients.length} clients subscribed`);

  const sender = { conn: null };
  async function post(count, label) {
    sender.conn = await new Conn(() => {}).open();
    const sends = [];
    for (let r = 0; r < rooms.length; r++) {
      for (let n = 0; n < count; n++) {
        const id = `S:${label}.${r}.${n}`;
        sends.push(sender.conn.call("send", { thread_id: rooms[r].thread_id, client_id: id, body: "storm" }).then((answer) => {
          const ack = JSON.parse(answer)[0];
          if (ack.ok) { acked[r].add(id); finalSeq[r] = Math.max(finalSeq[r], ack.message.seq); }
        }, () => null));
      }
    }
    await Promise.all(sends);
    sender.conn.close();
  }
  const caughtUp = () => clients.every((c) => c.conn && !c.conn.closed && c.last >= finalSeq[c.roomIndex]);
  await post(job.before, "a");
  await waitUntil(caughtUp, 60000);
  process.stdout.write("READY\n");
  const killedAt = performance.now();
  await new Promise((resolve) => {
    let buffer = "";
    process.stdin.on("data", (chunk) => { buffer += chunk; if (buffer.includes("UP")) resolve(); });
  });
  const upAt = performance.now();
  log("server is back; posting while clients reconnect");
  await post(job.after, "b");
  const allBack = await waitUntil(caughtUp, job.time_limit_s * 1000);
  const doneAt = performance.now();
  stopping = true;
  let lost = 0;
  let held = 0;
  for (const c of clients) {
    for (const id of acked[c.roomIndex]) { if (c.seqOf.has(id)) held++; else lost++; }
  }
  const back = clients.filter((c) => c.conn && !c.conn.closed).length;
  for (const c of clients) if (c.conn) c.conn.close();
  return {
    clients: clients.length,
    back,
    all_caught_up: allBack,
    seconds_from_restart: round((doneAt - upAt) / 1000, 3),
    seconds_from_kill: round((doneAt - killedAt) / 1000, 3),
    acked_messages: acked.reduce((n, s) => n + s.size, 0),
    held_deliveries: held,
    lost,
    ...stats,
  };
}

/**
 * Slow consumer: a room of `size` readers and one reader that stops reading (its socket is
 * paused, so the kernel buffers fill and the server must queue or drop). Measures the
 * others' p99 before and while it is stalled, the server's peak RSS, and whether the server
 * dropped the slow connection (closed when it resumes reading, before everything arrived).
 */
async function slow() {
  const steps = new Steps();
  const { conns } = await openMany(job.size, job.concurrency, (text) => steps.onEvent(text), (c) => c.join(job.room));
  let slowDelivered = 0;
  const slowConn = new Conn((text) => { if (TAG.test(text)) slowDelivered++; });
  await slowConn.open();
  await slowConn.join(job.room);
  let slowClosedAt = null;
  slowConn.onClose = () => { slowClosedAt = performance.now(); };
  const sender = await new Conn(() => {}).open();
  const pad = "p".repeat(job.pad_bytes);
  const rssStart = rssKiB(job.server_pid);
  async function phase(seconds) {
    const k = steps.start(job.size);
    const step = steps.steps[k];
    step.sent = await paced(job.messages_per_s, seconds, (n) => { const a = sender.publish(job.room, job.thread_id, tag(k, n), pad); if (a) a.catch(() => null); });
    await waitUntil(() => step.delivered >= step.sent * job.size, 5000);
    return { messages: step.sent, delivered: step.delivered, expected: step.sent * job.size, ...summary(step.lats) };
  }
  const baseline = await phase(job.baseline_s);
  slowConn.ws._socket.pause();
  let rssPeak = rssKiB(job.server_pid);
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssKiB(job.server_pid)); }, 250);
  const stalled = await phase(job.stall_s);
  clearInterval(sampler);
  const rssStalled = rssKiB(job.server_pid);
  const expectedSlow = baseline.messages + stalled.messages;
  slowConn.ws._socket.resume();
  await waitUntil(() => slowClosedAt !== null || slowDelivered >= expectedSlow, 15000);
  const result = {
    readers: job.size,
    messages_per_s: job.messages_per_s,
    pad_bytes: job.pad_bytes,
    baseline,
    stalled,
    rss_start_kib: rssStart,
    rss_peak_kib: rssPeak,
    rss_stalled_kib: rssStalled,
    slow_expected: expectedSlow,
    slow_delivered: slowDelivered,
    slow_dropped: slowClosedAt !== null && slowDelivered < expectedSlow,
  };
  sender.close();
  slowConn.close();
  for (const c of conns) c.close();
  return result;
}

const workloads = { fanout, idle, durable, storm, slow };

(async () => {
  const result = await workloads[job.workload]();
  result.generator = { node: process.version, ws: require("ws/package.json").version, cores_seen: os.cpus().length };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.stdout.write(`RESULT ${JSON.stringify({ error: String(error.message || error) })}\n`);
  process.exit(1);
});
