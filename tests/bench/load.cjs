// Load generator for the send-path benchmark, in Node so the clients cost the
// shared CPU less than Python clients would. Uses the socket.io-client that
// web/package.json installs.
//   node tests/bench/load.cjs URL TOKEN THREAD_ID MESSAGES CLIENTS WINDOW
"use strict";
const path = require("node:path");
const { createRequire } = require("node:module");
const requireWeb = createRequire(path.join(__dirname, "..", "..", "web", "package.json"));
const { io } = requireWeb("socket.io-client");

const [url, token, threadId, messages, clients, windowSize] = process.argv.slice(2);
const total = Number(messages);

function connect() {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], extraHeaders: { Cookie: `convene_session=${token}` }, reconnection: false });
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", reject);
  });
}

async function main() {
  const sockets = [];
  for (let i = 0; i < Number(clients); i++) sockets.push(await connect());
  const latencies = [];
  let next = 0;
  async function lane(socket, laneId) {
    while (next < total) {
      const n = next++;
      const started = process.hrtime.bigint();
      const ack = await socket.timeout(60000).emitWithAck("send", {
        thread_id: Number(threadId), client_id: `n${laneId}-${n}`, body: `benchmark message ${n} with a little **markdown**`,
      });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const started = process.hrtime.bigint();
  const lanes = [];
  sockets.forEach((socket, i) => { for (let w = 0; w < Number(windowSize); w++) lanes.push(lane(socket, `${i}-${w}`)); });
  await Promise.all(lanes);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 10) / 10;
  for (const socket of sockets) socket.close();
  process.stdout.write(JSON.stringify({
    messages: latencies.length, seconds: Math.round(seconds * 1000) / 1000,
    messages_per_second: Math.round(latencies.length / seconds),
    ack_ms_p50: pct(0.5), ack_ms_p95: pct(0.95), ack_ms_p99: pct(0.99), client: "node socket.io-client",
  }));
}

main().catch((error) => { console.error(error); process.exit(1); });
