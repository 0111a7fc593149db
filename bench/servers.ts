// The servers under test, each in its own process on a free port: Charcha as `npm start` runs
// it, and the bare Socket.IO baseline.
import { freePort, spawnNode, waitForHttp, type NodeChild } from './processes';

export interface RunningServer {
  url: string;
  child: NodeChild;
  /** The V8 inspector's port (the run asks it for garbage collections before reading memory). */
  inspectPort: number;
}

export interface CharchaOptions {
  mongoUri: string;
  sitesFile: string;
  dataDir: string;
  nodeArgs?: string[];
  /** Set: one node of a cluster sharing this Redis; unset: one node alone, in memory. */
  redisUrl?: string;
  label?: string;
  /** Run Charcha from another checkout (e.g. the commit before a change). */
  root?: string;
  /** More environment, e.g. STATS=off or THREAD_SNAPSHOT_MS. */
  env?: Record<string, string>;
}

export async function startCharcha(opts: CharchaOptions): Promise<RunningServer> {
  const port = await freePort();
  const inspectPort = await freePort();
  const child = spawnNode(opts.label ?? 'charcha', 'server/src/main.ts', {
    cwd: opts.root,
    nodeArgs: [...(opts.nodeArgs ?? []), `--inspect=127.0.0.1:${inspectPort}`],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: opts.mongoUri,
      SITES_FILE: opts.sitesFile,
      DATA_DIR: opts.dataDir,
      LOG_LEVEL: 'warn',
      REDIS_URL: opts.redisUrl ?? '', // unset: one node, fan-out and limits in memory
      ...opts.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, child);
  return { url, child, inspectPort };
}

export async function startBareSocketIo(): Promise<RunningServer> {
  const port = await freePort();
  const inspectPort = await freePort();
  const child = spawnNode('bare', 'bench/baselines/bare-socketio.ts', {
    nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
    env: { PORT: String(port), HOST: '127.0.0.1' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child);
  return { url, child, inspectPort };
}
