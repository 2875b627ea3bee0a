// The Socket.IO client bundle that the server serves beside the app's modules
// (server/http/static.py); its types are the npm package's.
declare module "*/vendor/socket.io/socket.io.esm.min.js" {
  export { io } from "socket.io-client";
}
