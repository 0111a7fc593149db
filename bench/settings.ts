// What one run measures, and how hard: the full run, or the quick one (`--quick`, or
// `npm run bench --quick`, which npm passes on as npm_config_quick=true).

export interface Settings {
  quick: boolean;
  /** Readers in the one article room (fan-out latency and memory per connection). */
  readers: number;
  /** Reader connections per load process. */
  readersPerProcess: number;
  /** Comments the writer sends, one after another, in the fan-out scenario. */
  fanoutMessages: number;
  /** Writers posting at once, in rounds (Charcha, then the baseline), each a warm-up and a window. */
  writers: number;
  writeRounds: number;
  writeWarmupSec: number;
  writeSec: number;
  /** Readers in the room while the writers post. */
  writeReaders: number;
  /** Comments in the article whose pages are read. */
  seededComments: number;
  pageSize: number;
  /** Where the deep page starts: this many comments in, newest first. */
  deepOffset: number;
  /** Timed requests per page (after warm-up ones). */
  readSamples: number;
  readWarmup: number;
  /** Widget loads (article view + first page) per round of the crowd, and readers joining after. */
  crowdLoads: number;
  /** Loads in flight at once. */
  crowdConcurrency: number;
  crowdRounds: number;
  /** Comments of the big thread, and timed first-page requests per round (two rounds). */
  bigThreadComments: number;
  bigThreadSamples: number;
  /** Cluster presence: a small and a large crowd of readers joining one article over three nodes. */
  presenceCrowds: [small: number, large: number];
  /** Joins in flight at once while a crowd fills its room. */
  presenceJoinsInFlight: number;
  /** Probe readers per node, joining a full room at once, and their rounds in each room. */
  presenceProbesPerNode: number;
  presenceProbeRounds: number;
}

export function isQuick(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (argv.includes('--quick')) return true;
  const flag = env.npm_config_quick;
  return flag !== undefined && flag !== '' && flag !== 'false';
}

export function settingsFor(quick: boolean): Settings {
  const common = { writeReaders: 100, pageSize: 50, presenceJoinsInFlight: 60, presenceProbesPerNode: 2, crowdConcurrency: 64, bigThreadComments: 10_000 };
  return quick
    ? { ...common, quick, readers: 1000, readersPerProcess: 500, fanoutMessages: 15, writers: 8, writeRounds: 2, writeWarmupSec: 1, writeSec: 4, seededComments: 1_000, deepOffset: 900, readSamples: 10, readWarmup: 1, presenceCrowds: [100, 1000], presenceProbeRounds: 60, crowdLoads: 500, crowdRounds: 2, bigThreadSamples: 100 }
    : { ...common, quick, readers: 5000, readersPerProcess: 1250, fanoutMessages: 40, writers: 8, writeRounds: 3, writeWarmupSec: 2, writeSec: 8, seededComments: 10_000, deepOffset: 9_000, readSamples: 50, readWarmup: 3, presenceCrowds: [300, 3000], presenceProbeRounds: 200, crowdLoads: 2_000, crowdRounds: 3, bigThreadSamples: 300 };
}
