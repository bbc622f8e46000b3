// Test support for the canvas views' cameras: a clock the test moves, and a count of the moves a camera
// reported (pass onMove and clock to its constructor).
export function testClock(start = 1_000): {
  onMove: () => void;
  clock: () => number;
  moves: () => number;
  tick: (ms: number) => number;
  now: () => number;
} {
  let now = start;
  let moves = 0;
  return {
    onMove: () => void moves++,
    clock: () => now,
    moves: () => moves,
    tick: (ms) => (now += ms),
    now: () => now,
  };
}
