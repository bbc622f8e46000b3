// electron-builder.yml and package.json, held to the packaging and security requirements, and validated
// by electron-builder's own schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Configuration } from 'electron-builder';
const ROOT = resolve(import.meta.dirname, '..', '..');
import { FUSES } from './fuses.ts';

const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Configuration & Record<string, any>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
const targets = (t: unknown) => (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : (x as { target: string }).target));

describe('electron-builder.yml', () => {
  it('flips the fuses: RunAsNode off, cookie encryption on, NODE_OPTIONS and --inspect off, asar integrity on, app only from asar', () => {
    assert.deepEqual(config.electronFuses, FUSES);
    const off = ['runAsNode', 'enableNodeOptionsEnvironmentVariable', 'enableNodeCliInspectArguments'] as const;
    const on = ['enableCookieEncryption', 'enableEmbeddedAsarIntegrityValidation', 'onlyLoadAppFromAsar'] as const;
    for (const k of off) assert.equal(FUSES[k], false, k);
    for (const k of on) assert.equal(FUSES[k], true, k);
  });

  it('packs an asar with better-sqlite3 unpacked, and rebuilds nothing', () => {
    assert.partialDeepStrictEqual(config, {
      asar: true,
      asarUnpack: ['**/node_modules/better-sqlite3/**'],
      npmRebuild: false,
      nodeGypRebuild: false,
      buildDependenciesFromSource: false,
    });
  });

  it('better-sqlite3 brings Node-API prebuilds for every packaged platform', () => {
    const dir = join(ROOT, 'node_modules', 'better-sqlite3');
    assert.match(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version, /^13\./);
    for (const p of ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'])
      assert.ok(existsSync(join(dir, 'prebuilds', `${p}.node`)), p);
    const binding = createRequire(import.meta.url)(join(dir, 'lib', 'binding.js')) as { getPrebuildPath(): string | null };
    assert.ok(binding.getPrebuildPath(), 'this platform loads a prebuild, as Electron will');
  });

  it('Linux AppImage and deb, macOS dmg, Windows nsis; app id, product name, icons', () => {
    assert.deepEqual(targets(config.linux?.target), ['AppImage', 'deb']);
    assert.deepEqual(targets(config.mac?.target), ['dmg']);
    assert.deepEqual(targets(config.win?.target), ['nsis']);
    assert.match(config.appId ?? '', /^[a-z0-9]+(\.[a-z0-9-]+)+$/);
    assert.equal(config.productName, 'Fleet Console');
    for (const os of ['linux', 'mac', 'win'] as const) {
      const icon = join(ROOT, (config[os] as { icon: string }).icon);
      const png = readFileSync(icon);
      assert.equal(png.subarray(1, 4).toString(), 'PNG', `${os} icon is a PNG`);
      assert.ok(
        png.readUInt32BE(16) >= 512 && png.readUInt32BE(20) >= 512,
        `${os} icon is at least 512×512 (icns and ico are made from it)`,
      );
    }
  });

  it('ships the bundle and the built renderer; package.json points at the bundle', () => {
    assert.equal(pkg.main, 'build/app/main.js');
    const files = config.files as string[];
    assert.ok(files.includes('build/app/**'));
    assert.ok(files.includes('build/renderer/**'));
    assert.ok(pkg.devDependencies.electron, 'electron is a devDependency (electron-builder requires it)');
    assert.equal(pkg.dependencies.electron, undefined);
    assert.match(pkg.dependencies['better-sqlite3'], /^\^13\./);
    assert.match(pkg.scripts.start, /node scripts\/build-app\.ts && electron build\/app\/main\.js$/);
    assert.match(pkg.scripts.dist, /electron-builder --config electron-builder\.yml$/);
    assert.equal(pkg.scripts['build:app'], 'node scripts/build-app.ts');
  });

  it('is valid for electron-builder', async (t) => {
    let cfgApi: { validateConfiguration(c: unknown, l: unknown): Promise<void> };
    let DebugLogger: new (enabled: boolean) => unknown;
    try {
      const req = createRequire(join(ROOT, 'node_modules', 'electron-builder', 'package.json'));
      cfgApi = req('app-builder-lib/out/util/config/config.js');
      ({ DebugLogger } = req('builder-util'));
    } catch (e) {
      t.skip(`electron-builder's validator is not installed: ${(e as Error).message}`);
      return;
    }
    await cfgApi.validateConfiguration(config, new DebugLogger(false));
    await assert.rejects(
      cfgApi.validateConfiguration({ ...config, electronFuses: { runAsNod: false } }, new DebugLogger(false)),
      /electronFuses/,
    );
  });
});
