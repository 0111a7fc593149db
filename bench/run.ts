// `npm run bench [-- --quick]`: starts a database, Charcha and the baselines (and, for cluster
// presence, three more Charcha nodes and a Redis), each in its own process, runs every scenario
// against its baseline, prints one table and writes bench/results/latest.json. Load generators
// run in their own processes too.
//   --quick             a run under two minutes (also `npm run bench --quick`)
//   --only=a,b          only these scenarios: fanout (with memory), write, read, crowd, big, presence, widget, stats, growth
//   --server-root=DIR   run Charcha from another checkout (e.g. the commit before a change)
//   --profile           run Charcha with --cpu-prof; profiles land in $TMPDIR/charcha-bench-profiles/
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { launchDatabase } from '../server/src/localdb/launcher';
import { describeMachine } from './machine';
import { ReaderFleets } from './load/fleet';
import { findPid, ROOT } from './processes';
import type { ScenarioResult } from './result';
import { bareSender, charchaSender, connectWriter, fanoutResults, runFanout } from './scenarios/fanout';
import { runClusterPresence } from './scenarios/cluster-presence';
import { runBigThread, runCrowd } from './scenarios/crowd';
import { growthSettings, runGrowth } from './scenarios/growth';
import { runRead } from './scenarios/read';
import { runStatsCost } from './scenarios/stats';
import { runWidget } from './scenarios/widget';
import { runWrite } from './scenarios/write';
import { startBareSocketIo, startCharcha, type RunningServer } from './servers';
import { isQuick, settingsFor } from './settings';
import { signUserToken, writeBenchSite } from './site';
import { renderTable } from './table';

const SCENARIOS = ['fanout', 'write', 'read', 'crowd', 'big', 'presence', 'widget', 'stats', 'growth'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const argv = process.argv.slice(2);
const settings = settingsFor(isQuick(argv, process.env));
const onlyArg = argv.find((a) => a.startsWith('--only='));
const only = new Set<ScenarioName>(onlyArg ? (onlyArg.slice(7).split(',') as ScenarioName[]) : SCENARIOS);
for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario "${s}" (known: ${SCENARIOS.join(', ')})`);
const profile = argv.includes('--profile');
const serverRoot = argv.find((a) => a.startsWith('--server-root='))?.slice(14);

const started = Date.now();
const say = (msg: string) => process.stderr.write(`bench [${Math.round((Date.now() - started) / 1000)} s]: ${msg}\n`);
const work = mkdtempSync(join(tmpdir(), 'charcha-bench-'));
const runId = randomBytes(4).toString('hex');
const results: ScenarioResult[] = [];
const machine = describeMachine();

/** Writes bench/results/latest.json; also after each scenario, so a long run keeps what it measured. */
function saveResults(complete: boolean): void {
  const out = {
    at: new Date().toISOString(),
    command: `npm run bench${settings.quick ? ' -- --quick' : ''}`,
    complete,
    quick: settings.quick,
    seconds: Math.round((Date.now() - started) / 1000),
    machine: { ...machine, database: databaseDetail },
    settings,
    scenarios: results,
    table: renderTable(results),
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(out, null, 2) + '\n');
}

say(`${settings.quick ? 'quick' : 'full'} run; scratch in ${work}`);
const database = await launchDatabase({ dataDir: join(work, 'db'), log: (m) => say(m) });
const databaseDetail = database.detail;
const dbName = 'charcha_bench';
const withDb = (name: string) => Object.assign(new URL(database.uri), { pathname: `/${name}` }).toString();
const charchaUri = withDb(dbName);
const driver = await MongoClient.connect(database.uri);
const site = writeBenchSite(work);
const profileDir = join(tmpdir(), 'charcha-bench-profiles');
if (profile) {
  mkdirSync(profileDir, { recursive: true });
  say(`Charcha's CPU profile will be written to ${profileDir}`);
}

let fleets: ReaderFleets | undefined;
let servers: [RunningServer, RunningServer | null] | undefined;
try {
  servers = await Promise.all([
    startCharcha({ mongoUri: charchaUri, sitesFile: site.file, dataDir: join(work, 'data'), nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [], root: serverRoot }),
    only.has('fanout') ? startBareSocketIo() : Promise.resolve(null),
  ]);
  fleets = ReaderFleets.start(Math.max(2, Math.ceil(settings.readers / settings.readersPerProcess)));
  const [charcha, bare] = servers;
  say(`charcha at ${charcha.url} (pid ${charcha.child.pid})${bare ? `, bare Socket.IO at ${bare.url} (pid ${bare.child.pid})` : ''}; ${fleets.size} reader processes`);

  if (only.has('fanout') && bare) {
    say(`fan-out: ${settings.readers} readers on each server, ${settings.fanoutMessages} comments each, taking turns`);
    // The bare server relays what Charcha sends readers: the first comment is the template.
    let template: Record<string, unknown> | undefined;
    const token = await signUserToken(site, 'fanout-writer', 'Fan-out Writer');
    const runs = await runFanout(
      [
        {
          name: 'charcha',
          server: charcha,
          writer: async () => {
            const w = await connectWriter(charcha.url, { site: site.id, token });
            return { send: charchaSender(w, runId, (c) => (template = c)), close: () => w.close() };
          },
        },
        {
          name: 'bare',
          server: bare,
          writer: async () => {
            const w = await connectWriter(bare.url, {});
            return { send: bareSender(w, () => template!), close: () => w.close() };
          },
        },
      ],
      fleets,
      site.id,
      settings,
    );
    await bare.child.stop();
    results.push(...fanoutResults(runs.get('charcha')!, runs.get('bare')!, settings));
    saveResults(false);
  }
  if (only.has('write')) {
    say(`write: ${settings.writers} writers, ${settings.writeRounds} rounds of ${settings.writeSec} s each, ${settings.writeReaders} readers`);
    results.push(...(await runWrite(findPid(join(work, 'db')), charcha, site, fleets, driver, dbName, withDb('bench_raw'), settings, runId)));
    saveResults(false);
  }
  if (only.has('read')) {
    say(`read: seeding ${settings.seededComments} comments, then ${settings.readSamples} timed reads of each page`);
    results.push(...(await runRead(charcha, site.id, driver, dbName, charchaUri, settings)));
    saveResults(false);
  }
  if (only.has('crowd')) {
    say(`crowd: ${settings.crowdLoads} widget loads, ${settings.crowdConcurrency} in flight, ${settings.crowdRounds} rounds; then as many readers joining`);
    results.push(...(await runCrowd(charcha, site.id, driver, dbName, fleets, settings)));
    saveResults(false);
  }
  if (only.has('big')) {
    say(`big thread: seeding ${settings.bigThreadComments} comments, then ${2 * settings.bigThreadSamples} timed first pages`);
    results.push(...(await runBigThread(charcha, site.id, driver, dbName, settings)));
    saveResults(false);
  }
  if (only.has('presence')) {
    const [small, large] = settings.presenceCrowds;
    say(`cluster presence: 3 nodes and one Redis; ${small}, then ${large} readers joining one article, ${settings.presenceJoinsInFlight} joins in flight`);
    results.push(...(await runClusterPresence({ mongoUri: withDb('charcha_bench_presence'), sitesFile: site.file, dataDir: join(work, 'presence') }, fleets, site.id, settings)));
  }
  if (only.has('widget')) results.push(...runWidget());
  if (only.has('stats')) {
    say(`statistics' cost: ${settings.writers} writers posting to a node with STATS=on and one with STATS=off, ${settings.writeRounds} rounds of ${settings.writeSec} s each`);
    results.push(...(await runStatsCost({ sitesFile: site.file, dataDir: join(work, 'stats') }, { on: withDb('charcha_bench_stats_on'), off: withDb('charcha_bench_stats_off') }, site, settings, runId)));
    saveResults(false);
  }
  if (only.has('growth')) {
    const g = growthSettings(process.env, settings.quick);
    say(`growth: a 100-comment article, an empty database and one with ${g.comments} comments in ${g.articles} articles and ${g.users} users beside`);
    results.push(...(await runGrowth({ driver, withDb, site, dataDir: join(work, 'growth'), say }, g)));
    saveResults(false);
  }
} finally {
  await fleets?.stop();
  for (const s of servers ?? []) await s?.child.stop();
  await driver.close();
  await database.stop();
  rmSync(work, { recursive: true, force: true });
}

const table = renderTable(results);
process.stdout.write(`\n${table}\n\n`);
saveResults(true);
say(`done in ${Math.round((Date.now() - started) / 1000)} s; results in bench/results/latest.json`);
process.exit(0);
