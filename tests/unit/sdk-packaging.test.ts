// The built SDK as packages import it: an ES module importing the CommonJS build gets the
// named exports (not only `default`), and both builds export the same names.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../client-sdk/dist/', import.meta.url));

describe('sdk packaging', () => {
  before(function () {
    if (!existsSync(`${dist}index.cjs`)) execFileSync(process.execPath, [fileURLToPath(new URL('../../client-sdk/build.mjs', import.meta.url))]);
  });

  for (const entry of ['index', 'core']) {
    it(`${entry}.cjs offers its named exports to an ES module, the same as ${entry}.js`, () => {
      const names = (file: string) =>
        JSON.parse(
          execFileSync(process.execPath, ['--input-type=module', '-e', `import * as m from ${JSON.stringify(dist + file)}; console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`], { encoding: 'utf8' }),
        ) as string[];
      const fromCjs = names(`${entry}.cjs`);
      assert.ok(fromCjs.includes('CharchaClient') || fromCjs.includes('ThreadStore'), `named exports: ${fromCjs.join(', ')}`);
      assert.deepEqual(fromCjs, names(`${entry}.js`));
    });
  }
});
