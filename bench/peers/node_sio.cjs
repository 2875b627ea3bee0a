// Node socket.io 4.8 for `make bench` (from bench/package-lock.json), as a team would
// write it from the documentation: "join" (acknowledged) and "broadcast" to a room.
//   node bench/peers/node_sio.cjs PORT
"use strict";
const http = require("node:http");
const { Server } = require("socket.io");

const server = http.createServer();
const io = new Server(server, { transports: ["websocket", "polling"], perMessageDeflate: false });
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => { socket.join(room); if (ack) ack(true); });
  socket.on("broadcast", (data) => { socket.to(data.room).emit("msg", data); });
});
server.listen(Number(process.argv[2]), "127.0.0.1");
