// The fan-out baseline: a bare Socket.IO server, what a publisher could wire up in a few lines.
// Readers join an article's room; a writer's payload is relayed to the room as is: no
// identity, validation, sanitizing, limits or database. Same Socket.IO options as Charcha
// (websocket frames uncompressed). Env: PORT, HOST.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404).end();
});
const io = new Server(http, { perMessageDeflate: false, maxHttpBufferSize: 64 * 1024 });

type Ack = (answer: unknown) => void;

io.on('connection', (socket) => {
  socket.on('article:join', async (p: { article: string }, ack?: Ack) => {
    await socket.join(`a:${p.article}`);
    ack?.({ seq: 0, viewers: io.of('/').adapter.rooms.get(`a:${p.article}`)?.size ?? 0 });
  });
  socket.on('relay', (p: { article: string; type: string; payload: unknown }, ack?: Ack) => {
    io.to(`a:${p.article}`).emit(p.type, p.payload);
    ack?.({});
  });
});

http.listen(port, host, () => process.stdout.write(`bare socket.io listening on ${host}:${port}\n`));
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
