// Finding the programs the launcher can use: mongod, ferretdb, go.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first `name` on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** `go` on PATH, or the standard install location. */
export function findGo(): string | undefined {
  return findOnPath('go') ?? ['/usr/local/go/bin/go'].find(isExecutable);
}

/** `$(go env GOPATH)/bin` (first GOPATH entry), or `~/go/bin` when go is not around to ask. */
export async function goBinDir(go: string | undefined): Promise<string> {
  if (process.env.GOBIN) return process.env.GOBIN;
  let gopath = process.env.GOPATH;
  if (!gopath && go) {
    gopath = await new Promise<string | undefined>((resolve) => {
      execFile(go, ['env', 'GOPATH'], { timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
    });
  }
  const first = (gopath || join(homedir(), 'go')).split(delimiter)[0];
  return join(first, 'bin');
}
