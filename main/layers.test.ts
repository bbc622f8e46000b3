// The layers of main/ are enforced by lint: an import that breaks them fails `npm run lint`. This
// lints small sources as if they stood in each folder, with the project's own eslint.config.js.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });
const CONFIG: string = join(ROOT, 'eslint.config.js');
const { LAYERS, SHELLS } = (await import(CONFIG)) as { LAYERS: string[]; SHELLS: string[] };

/** the no-restricted-imports messages for `source` linted as the file at `path` */
async function refusals(path: string, source: string): Promise<string[]> {
  const [r] = await eslint.lintText(source, { filePath: join(ROOT, path) });
  return r!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const imports = (target: string) => `import * as x from '${target}';\nexport const y = x;\n`;

describe('main/ is layered by lint', () => {
  it('every folder of main/ imports the layers before it, never those after it', async () => {
    const all = [...LAYERS, ...SHELLS];
    for (const [i, folder] of all.entries()) {
      for (const [j, other] of all.entries()) {
        if (other === folder) continue;
        const found = await refusals(`main/${folder}/probe-layers.ts`, imports(`../${other}/anything.ts`));
        const allowed = i < LAYERS.length ? j < i : j < LAYERS.length;
        assert.equal(found.length === 0, allowed, `main/${folder} importing main/${other}: ${found.join('; ') || 'allowed'}`);
      }
    }
  });

  it('tests obey their folder too; only they may use the lab', async () => {
    assert.notDeepEqual(await refusals('main/kube/probe-layers.test.ts', imports('../store/store.ts')), []);
    assert.deepEqual(await refusals('main/kube/probe-layers.test.ts', imports('../../lab/src/lab.ts')), []);
    assert.notDeepEqual(await refusals('main/kube/probe-layers.ts', imports('../../lab/src/lab.ts')), []);
  });

  it('the model does no I/O; only main/app imports electron; main never imports the renderer', async () => {
    assert.match((await refusals('main/model/probe-layers.ts', imports('node:fs')))[0] ?? '', /pure/);
    assert.notDeepEqual(await refusals('main/store/probe-layers.ts', imports('electron')), []);
    assert.deepEqual(await refusals('main/app/probe-layers.ts', imports('electron')), []);
    assert.notDeepEqual(await refusals('main/views/probe-layers.ts', imports('../../renderer/App.tsx')), []);
    assert.notDeepEqual(await refusals('main/paths-probe.ts', imports('./store/store.ts')), []);
  });

  it('common/ and the renderer import nothing of main/', async () => {
    assert.notDeepEqual(await refusals('common/probe-layers.ts', imports('../main/store/store.ts')), []);
    assert.notDeepEqual(await refusals('renderer/probe-layers.ts', imports('../main/store/store.ts')), []);
  });
});
