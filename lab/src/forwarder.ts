// The fleet's alias forwarder: a daemon the lab starts (node lab/src/forwarder.ts <config.json>) that
// makes each real lab apiserver reachable again at other loopback addresses (127.0.1.x:port), so a
// console sees more distinct clusters than the machine can run control planes. Plain TCP: TLS goes
// through untouched (the kubeconfig of an alias names the real server in tls-server-name).
//
// A small HTTP control server on 127.0.0.1 takes aliases away and brings them back:
//   GET  /status            → { aliases: [{ name, host, port, target, listening, connections }] }
//   POST /down {names:[…]}  → stop listening for those aliases and reset their open connections
//   POST /up   {names:[…]}  → listen again (same address and port)
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';

export interface ForwarderAlias {
  name: string;
  host: string;
  port: number;
  target: { host: string; port: number };
}

export interface ForwarderConfig {
  controlPort: number;
  /** written (JSON: { pid, at }) once every alias listens and the control server answers */
  readyFile: string;
  aliases: ForwarderAlias[];
}

interface Live {
  alias: ForwarderAlias;
  server: Server | undefined;
  sockets: Set<Socket>;
}

function listen(l: Live): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer((client) => {
      const upstream = connect(l.alias.target.port, l.alias.target.host);
      l.sockets.add(client);
      l.sockets.add(upstream);
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      const drop = () => {
        l.sockets.delete(client);
        l.sockets.delete(upstream);
        // The real server went away (or the client did): the other side sees a reset, as it would
        // from a dead server, not a clean end of stream.
        reset(client);
        reset(upstream);
      };
      client.on('error', drop);
      upstream.on('error', drop);
      client.on('close', drop);
      upstream.on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    srv.once('error', reject);
    srv.listen({ host: l.alias.host, port: l.alias.port, exclusive: true }, () => {
      srv.off('error', reject);
      srv.on('error', (e) => process.stderr.write(`${l.alias.name}: ${e.message}\n`));
      l.server = srv;
      resolve();
    });
  });
}

function reset(s: Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

function down(l: Live): void {
  l.server?.close();
  l.server = undefined;
  for (const s of l.sockets) reset(s);
  l.sockets.clear();
}

async function main(configPath: string): Promise<void> {
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as ForwarderConfig;
  const lives = new Map<string, Live>(cfg.aliases.map((a) => [a.name, { alias: a, server: undefined, sockets: new Set() }]));
  for (const l of lives.values()) await listen(l);
  const control = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const answer = (code: number, body: unknown) => {
            res.writeHead(code, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify(body));
          };
          const status = () => ({
            aliases: [...lives.values()].map((l) => ({
              name: l.alias.name,
              host: l.alias.host,
              port: l.alias.port,
              target: l.alias.target,
              listening: !!l.server,
              connections: l.sockets.size,
            })),
          });
          if (req.method === 'GET' && req.url === '/status') return answer(200, status());
          if (req.method === 'POST' && (req.url === '/down' || req.url === '/up')) {
            const { names } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { names?: string[] };
            const unknown = (names ?? []).filter((n) => !lives.has(n));
            if (unknown.length) return answer(404, { error: `no alias ${unknown.join(', ')}` });
            const changed: string[] = [];
            for (const n of names ?? []) {
              const l = lives.get(n)!;
              if (req.url === '/down' && l.server) {
                down(l);
                changed.push(n);
              } else if (req.url === '/up' && !l.server) {
                await listen(l);
                changed.push(n);
              }
            }
            return answer(200, { changed });
          }
          return answer(404, { error: `no ${req.method} ${req.url}` });
        } catch (e) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: (e as Error).message }));
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(cfg.controlPort, '127.0.0.1', () => resolve());
  });
  writeFileSync(cfg.readyFile, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
  const stop = () => {
    for (const l of lives.values()) down(l);
    control.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.main) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: node lab/src/forwarder.ts <config.json>\n');
    process.exit(2);
  }
  main(path).catch((e: Error) => {
    process.stderr.write(`forwarder: ${e.message}\n`);
    process.exit(1);
  });
}
