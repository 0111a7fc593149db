// The deployment files as an ops team would use them: docker-compose.yml parses and names
// what it must, deploy/nginx.conf passes `nginx -t`, the Dockerfile builds a non-root image
// with a healthcheck from production dependencies, and .env.example is valid configuration.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig } from '../../server/src/config';
import { parseSites } from '../../server/src/trust/sites';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
}

function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const services = compose.services;
  const nodes = Object.entries(services).filter(([, s]) => s.build !== undefined);
  const cmd = (s: ComposeService) => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));

  it('compose: MongoDB 7 as a single-node replica set, initiated by its healthcheck', () => {
    const mongo = services.mongo!;
    assert.match(mongo.image!, /^mongo:7(\.|$)/);
    assert.match(cmd(mongo), /--replSet rs0/);
    const check = mongo.healthcheck!.test.join(' ');
    assert.match(check, /rs\.initiate\(/);
    assert.match(check, /isWritablePrimary/);
  });

  it('compose: Redis 7 with persistence off', () => {
    const redis = services.redis!;
    assert.match(redis.image!, /^redis:7(\.|$|-)/);
    assert.match(cmd(redis), /--save  --appendonly no|--save '' --appendonly no/);
    assert.ok(redis.healthcheck, 'redis has a healthcheck');
  });

  it('compose: two or more Charcha nodes sharing MongoDB and Redis, started once both are healthy', () => {
    assert.ok(nodes.length >= 2, `Charcha nodes: ${nodes.map(([n]) => n).join(', ')}`);
    for (const [name, s] of nodes) {
      assert.match(s.environment!.MONGODB_URI!, /^mongodb:\/\/mongo:27017\/\w+\?replicaSet=rs0$/, name);
      assert.equal(s.environment!.REDIS_URL, 'redis://redis:6379', name);
      assert.ok(s.environment!.SITES_FILE, `${name} has a sites file`);
      assert.deepEqual(s.depends_on, { mongo: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
  });

  it('compose: nginx in front of every node, with deploy/nginx.conf', () => {
    const nginx = services.nginx!;
    assert.match(nginx.image!, /^nginx:/);
    assert.ok(nginx.volumes!.some((v) => v.startsWith('./deploy/nginx.conf:/etc/nginx/nginx.conf')));
    assert.ok(nginx.ports!.length > 0);
    assert.deepEqual(Object.keys(nginx.depends_on!).sort(), nodes.map(([n]) => n).sort());
    const conf = read('deploy/nginx.conf');
    for (const [name] of nodes) assert.match(conf, new RegExp(`server ${name}:8080`), `upstream lists ${name}`);
    assert.match(conf, /\bip_hash;|\bhash \$cookie_/, 'sticky sessions');
    assert.match(conf, /proxy_set_header Upgrade \$http_upgrade;/);
    assert.match(conf, /proxy_set_header Connection \$connection_upgrade;/);
  });

  it('nginx: micro-caches anonymous thread pages for a second, never a signed-in reader\'s', () => {
    const conf = read('deploy/nginx.conf');
    const block = /location ~ \^\/api\/v1\/sites\/[^\n]*articles[^\n]*\{([^}]*)\}/.exec(conf);
    assert.ok(block, 'a location for the article and comment pages');
    const body = block[1]!;
    assert.match(body, /proxy_cache charcha_pages;/);
    assert.match(body, /proxy_cache_methods GET HEAD;/);
    assert.match(body, /proxy_cache_valid 200 1s;/);
    assert.match(body, /proxy_cache_bypass \$http_authorization;/);
    assert.match(body, /proxy_no_cache \$http_authorization;/);
    assert.match(conf, /proxy_cache_path \S+ .*keys_zone=charcha_pages:/);
  });

  it('compose: every ${VAR} it reads is in .env.example', () => {
    const example = envFile(read('.env.example'));
    const used = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!);
    assert.ok(used.length > 0);
    for (const v of used) assert.ok(v in example, `${v} missing from .env.example`);
  });

  it('.env.example is a valid configuration, and the example sites file is valid', () => {
    const env = envFile(read('.env.example'));
    const config = loadConfig({ ...env, MONGODB_URI: 'mongodb://mongo:27017/charcha?replicaSet=rs0', REDIS_URL: 'redis://redis:6379' });
    assert.equal(config.TRUST_PROXY, 1, 'behind nginx, one proxy is trusted');
    assert.ok(parseSites(JSON.parse(read('deploy/sites.example.json'))).length >= 1);
  });

  it('nginx -t accepts deploy/nginx.conf', function () {
    const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
    if (probe.error) {
      console.log('      nginx is not installed here: skipping nginx -t');
      this.skip();
    }
    // The compose service names resolve only inside compose: point them at loopback ports,
    // and the logs (links to stdio in the nginx image) and the cache at the test folder.
    const dir = mkdtempSync(join(tmpdir(), 'charcha-nginx-'));
    let port = 18080;
    const conf = read('deploy/nginx.conf')
      .replace(/server charcha-\d+:8080/g, () => `server 127.0.0.1:${port++}`)
      .replaceAll('/var/log/nginx/', `${dir}/`)
      .replaceAll('/var/cache/nginx/', `${dir}/`);
    assert.ok(port > 18081, 'the upstream names were replaced');
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const r = spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /test is successful/);
  });

  it('Dockerfile: multi-stage on node:20-slim, production dependencies, non-root, healthcheck', () => {
    const file = read('Dockerfile');
    const stages = file.split(/^FROM /m).slice(1);
    assert.ok(stages.length >= 2, 'multi-stage');
    for (const s of stages) assert.match(s, /^node:20-slim\b/);
    const runtime = stages[stages.length - 1]!;
    assert.match(file, /npm ci --omit=dev/);
    assert.match(file, /npm run build/);
    assert.match(runtime, /^USER (?!root\b)\w+/m);
    assert.match(runtime, /^HEALTHCHECK .*\n?.*\/healthz/m);
    assert.match(runtime, /^CMD \["node", "--import", "tsx", "server\/src\/main\.ts"\]/m);
    // Everything the runtime stage copies from the context exists.
    for (const m of runtime.matchAll(/^COPY (?!--from)(\S+)/gm)) assert.ok(existsSync(join(ROOT, m[1]!)), `${m[1]} exists`);
    const ignore = read('.dockerignore').split('\n');
    for (const must of ['node_modules', '.git', '.env', '.data']) assert.ok(ignore.includes(must), `.dockerignore lists ${must}`);
    // tsx runs the server in production: it must be a production dependency.
    const pkg = JSON.parse(read('package.json'));
    assert.ok(pkg.dependencies.tsx, 'tsx is a dependency');
  });
});
