import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SIZE, MIN_SIZE, restoreWindowState, type Rect } from './window-state.ts';

const laptop: Rect = { x: 0, y: 25, width: 1512, height: 920 };
const external: Rect = { x: 1512, y: 0, width: 2560, height: 1415 };

describe('window bounds, restored onto a visible display', () => {
  it('first start: the default size, centred on the primary display', () => {
    const s = restoreWindowState(undefined, [laptop]);
    assert.deepEqual(s, { bounds: { x: 36, y: 35, width: 1440, height: 900 }, maximized: false });
  });

  it('a window that fits where it was comes back there', () => {
    const b = { x: 1700, y: 100, width: 1600, height: 1000 };
    assert.deepEqual(restoreWindowState({ bounds: b, maximized: true }, [laptop, external]), { bounds: b, maximized: true });
  });

  it('a window on a display since unplugged comes back centred on the primary', () => {
    const s = restoreWindowState({ bounds: { x: 1700, y: 100, width: 1200, height: 800 }, maximized: false }, [laptop]);
    assert.deepEqual(s.bounds, { x: 156, y: 85, width: 1200, height: 800 });
  });

  it('a window hanging off an edge is pulled inside the display that shows most of it', () => {
    const s = restoreWindowState({ bounds: { x: -300, y: 700, width: 1000, height: 700 }, maximized: false }, [laptop]);
    assert.deepEqual(s.bounds, { x: 0, y: 245, width: 1000, height: 700 });
  });

  it('a window larger than its display is shrunk to it; never below the minimum size', () => {
    assert.deepEqual(restoreWindowState({ bounds: { x: 0, y: 0, width: 4000, height: 3000 }, maximized: false }, [laptop]).bounds, laptop);
    const tiny = restoreWindowState({ bounds: { x: 10, y: 40, width: 100, height: 50 }, maximized: false }, [laptop]).bounds;
    assert.equal(tiny.width, MIN_SIZE.width);
    assert.equal(tiny.height, MIN_SIZE.height);
  });

  it('a sliver left on screen is not enough to keep the position', () => {
    const s = restoreWindowState({ bounds: { x: 1450, y: 100, width: 1000, height: 700 }, maximized: false }, [laptop]);
    assert.deepEqual(s.bounds, { x: 256, y: 135, width: 1000, height: 700 });
  });

  it('garbage in the saved state is ignored', () => {
    for (const bounds of [{ x: NaN, y: 0, width: 10, height: 10 }, { x: 0, y: 0, width: -5, height: 10 }, null, 'x']) {
      const s = restoreWindowState({ bounds: bounds as unknown as Rect, maximized: false }, [laptop]);
      assert.equal(s.bounds.width, DEFAULT_SIZE.width);
    }
    assert.equal(restoreWindowState(undefined, []).bounds.width, DEFAULT_SIZE.width, 'no display information at all');
  });
});
