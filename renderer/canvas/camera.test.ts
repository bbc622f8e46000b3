import test from 'node:test';
import assert from 'node:assert/strict';
import { ViewCamera, clamp, viewKey, wheelStep, type WheelInput } from './camera.ts';
import { testClock } from './fixtures.ts';

const H = 720;

test('wheel: horizontal scroll pans, vertical zooms (pinch as ctrl+wheel), lines and pages scaled', () => {
  assert.deepEqual(wheelStep({ deltaX: 30, deltaY: 2, deltaMode: 0, ctrlKey: false }, H), { pan: 30 });
  assert.deepEqual(wheelStep({ deltaX: 3, deltaY: 0, deltaMode: 1, ctrlKey: false }, H), { pan: 48 });
  const z = wheelStep({ deltaX: 0, deltaY: 100, deltaMode: 0, ctrlKey: false }, H);
  assert.ok('zoom' in z && Math.abs(z.zoom - Math.exp(-0.15)) < 1e-12, 'down zooms out');
  const pinch = wheelStep({ deltaX: 30, deltaY: -10, deltaMode: 0, ctrlKey: true }, H);
  assert.ok('zoom' in pinch && Math.abs(pinch.zoom - Math.exp(0.1)) < 1e-12, 'a pinch zooms, whatever its deltaX');
  const page = wheelStep({ deltaX: 0, deltaY: 1, deltaMode: 2, ctrlKey: false }, H);
  assert.ok('zoom' in page && Math.abs(page.zoom - Math.exp(-H * 0.0015)) < 1e-12, 'a page is a screen');
  const shifted = wheelStep({ deltaX: 0, deltaY: 100, deltaMode: 0, ctrlKey: false, shiftKey: true }, H);
  assert.ok('zoom' in shifted, 'Shift scrolls only where the view has something to scroll');
});

test('wheel with shiftScrolls (the timeline): Shift+wheel scrolls, whichever delta the platform made of it', () => {
  const w = (e: Partial<WheelInput>) => wheelStep({ deltaX: 0, deltaY: 0, deltaMode: 0, ctrlKey: false, shiftKey: false, ...e }, H, true);
  const zin = w({ deltaY: -100 });
  assert.ok('zoom' in zin && zin.zoom > 1, 'wheel up zooms in');
  assert.deepEqual(w({ deltaX: 30, deltaY: 2 }), { pan: 30 }, 'horizontal pans');
  assert.deepEqual(w({ deltaY: 3, shiftKey: true, deltaMode: 1 }), { scroll: 48 }, 'shift scrolls lanes, lines are 16 px');
  assert.deepEqual(w({ deltaX: 40, shiftKey: true }), { scroll: 40 }, 'shift+wheel turned horizontal by the platform');
  const pinch = w({ deltaY: -10, ctrlKey: true, shiftKey: true });
  assert.ok('zoom' in pinch && pinch.zoom > 1, 'a pinch zooms, Shift or not');
});

test('the keys every view reads alike; clamp', () => {
  assert.deepEqual(viewKey('+', 2, 0.5), { kind: 'zoom', factor: 2 });
  assert.deepEqual(viewKey('=', 2, 0.5), { kind: 'zoom', factor: 2 });
  assert.deepEqual(viewKey('-', 2, 0.5), { kind: 'zoom', factor: 0.5 });
  assert.deepEqual(viewKey('_', 2, 0.5), { kind: 'zoom', factor: 0.5 });
  assert.deepEqual(viewKey('0', 2, 0.5), { kind: 'reset' });
  assert.deepEqual(viewKey('Escape', 2, 0.5), { kind: 'escape' });
  assert.equal(viewKey('x', 2, 0.5), null);
  assert.deepEqual([clamp(-1, 0, 10), clamp(5, 0, 10), clamp(11, 0, 10)], [0, 5, 10]);
});

test('the move clock: a move is timed and reported; at rest settleMs after it', () => {
  class Cam extends ViewCamera {
    move(): void {
      this.reportMove();
    }
  }
  const t = testClock();
  const cam = new Cam(150, t.onMove, t.clock);
  assert.equal(cam.restsIn(t.now()), 0, 'at rest before any move');
  cam.move();
  assert.equal(t.moves(), 1);
  assert.equal(cam.lastMove, t.now());
  assert.equal(cam.restsIn(t.now()), 150);
  t.tick(100);
  assert.equal(cam.restsIn(t.now()), 50);
  t.tick(100);
  assert.equal(cam.restsIn(t.now()), 0);
});
