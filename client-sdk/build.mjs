// Builds @charcha/client: ESM and CommonJS bundles (socket.io-client left external), the
// platform-neutral core (also as a minified IIFE, the bundle whose size we report and budget),
// and type declarations. Run from anywhere: `node client-sdk/build.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const src = (f) => join(here, 'src', f);
const require = createRequire(import.meta.url);

/** Gzipped size budget of the core (socket.io-client excluded); the build fails above it. */
const CORE_GZIP_BUDGET = 14 * 1024;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'neutral',
  target: 'es2020',
  external: ['socket.io-client'],
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

// CommonJS with `platform: 'node'`: esbuild then adds the `0 && (module.exports = {...})`
// annotation that Node reads to offer the named exports to an ES module importing the .cjs.
const cjs = { ...common, format: 'cjs', platform: 'node' };
await Promise.all([
  esbuild.build({ ...common, entryPoints: [src('index.ts')], format: 'esm', outfile: join(dist, 'index.js') }),
  esbuild.build({ ...cjs, entryPoints: [src('index.ts')], outfile: join(dist, 'index.cjs') }),
  esbuild.build({ ...common, entryPoints: [src('core.ts')], format: 'esm', outfile: join(dist, 'core.js') }),
  esbuild.build({ ...cjs, entryPoints: [src('core.ts')], outfile: join(dist, 'core.cjs') }),
]);

// The measured core: one script, no imports, runs wherever fetch and timers exist.
const core = await esbuild.build({
  ...common,
  entryPoints: [src('core.ts')],
  format: 'iife',
  globalName: 'Charcha',
  minify: true,
  sourcemap: false,
  external: [],
  write: false,
});
const coreCode = core.outputFiles[0].contents;
writeFileSync(join(dist, 'charcha-core.min.js'), coreCode);

// socket.io-client as an app bundler would ship it to a browser, measured on its own.
const sio = await esbuild.build({
  stdin: { contents: "export { io } from 'socket.io-client';", resolveDir: here, loader: 'js' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2020',
  minify: true,
  write: false,
  logLevel: 'warning',
  legalComments: 'none',
});
const sioCode = sio.outputFiles[0].contents;

const size = (bytes) => ({ minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length });
const sizes = {
  core: size(coreCode),
  'socket.io-client': size(sioCode),
  socketIoClientVersion: require('socket.io-client/package.json').version,
};
writeFileSync(join(dist, 'sizes.json'), JSON.stringify(sizes, null, 2) + '\n');

// Declarations: the SDK's own tsconfig has no DOM and no Node types, so this also proves the
// core compiles against nothing but ES2022 and socket.io-client.
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `@charcha/client built: core ${kb(sizes.core.minified)} min, ${kb(sizes.core.gzipped)} gzip; ` +
    `socket.io-client ${sizes.socketIoClientVersion} ${kb(sizes['socket.io-client'].minified)} min, ` +
    `${kb(sizes['socket.io-client'].gzipped)} gzip`,
);
if (sizes.core.gzipped > CORE_GZIP_BUDGET) {
  console.error(`core bundle is ${kb(sizes.core.gzipped)} gzipped, over its ${kb(CORE_GZIP_BUDGET)} budget`);
  process.exit(1);
}
