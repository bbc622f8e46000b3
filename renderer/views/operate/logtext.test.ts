import test from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_STREAM,
  containerChoices,
  containersOfBody,
  findMatches,
  firstMatchFrom,
  hasLogs,
  inertText,
  lineTime,
  logFileName,
  logFileText,
  matchRanges,
  segments,
  stepMatch,
  streamParams,
} from './logtext.ts';

/** What inertText shows of a log line: what the row tests, the line, what is shown. */
const INERT: [what: string, text: string, shown: string][] = [
  // ANSI colours, cursor moves, titles and hyperlinks are stripped
  ['strips an SGR colour', '\u001b[31merror\u001b[0m: boom', 'error: boom'],
  ['strips a 256-colour SGR and a bare reset', '\u001b[1;38;5;196mbold red\u001b[m', 'bold red'],
  ['strips cursor moves', 'a\u001b[2K\u001b[1Gb', 'ab'],
  ['strips an OSC 0 title (BEL)', '\u001b]0;pwned\u0007x', 'x'],
  ['strips an OSC 8 hyperlink (ST)', '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\', 'click'],
  ['strips an 8-bit CSI', '\u009b31mred', 'red'],
  ['strips a charset selection', '\u001b(Bplain', 'plain'],
  ['strips a DCS', '\u001bP1$r0m\u001b\\ok', 'ok'],
  ['strips an unterminated sequence at the end', 'tail\u001b[', 'tail'],
  // controls and bidi overrides are made visible; tabs, emoji joiners and markup stay text
  ['shows a bidi override', 'a\u202eevil\u202cb', 'a\uFFFDevil\uFFFDb'],
  ['shows a bidi isolate', 'x\u2066y\u2069z', 'x\uFFFDy\uFFFDz'],
  ['shows a zero-width space', 'zero\u200bwidth', 'zero\uFFFDwidth'],
  ['shows BEL, NUL and CR', 'bell\u0007 nul\u0000 cr\r', 'bell\uFFFD nul\uFFFD cr\uFFFD'],
  ['keeps tabs', '\tat Foo.bar()', '\tat Foo.bar()'],
  ['keeps emoji joiners', '👩\u200d💻', '👩\u200d💻'],
  ['keeps markup as text', '<script>alert(1)</script>', '<script>alert(1)</script>'],
];

for (const [what, text, shown] of INERT) test(`inertText ${what}`, () => assert.equal(inertText(text), shown));

test('inertText cuts very long lines and says how much', () => {
  const t = inertText('x'.repeat(30), 10);
  assert.equal(t, `${'x'.repeat(10)}… (20 more characters)`);
});

test('matchRanges: case-insensitive, non-overlapping, the query taken literally', () => {
  assert.deepEqual(matchRanges('Error error ERROR', 'error'), [
    [0, 5],
    [6, 11],
    [12, 17],
  ]);
  assert.deepEqual(matchRanges('aaaa', 'aa'), [
    [0, 2],
    [2, 4],
  ]);
  assert.deepEqual(matchRanges('a.b axb', 'a.b'), [[0, 3]]);
  assert.deepEqual(matchRanges('path=(x)[1]', '(x)['), [[5, 9]]);
  assert.deepEqual(matchRanges('anything', ''), []);
  // indexes into the text itself, also where lower-casing changes lengths
  const s = 'İstanbul error';
  const [r] = matchRanges(s, 'error');
  assert.equal(s.slice(r![0], r![1]), 'error');
});

test('findMatches lists every match in line order, capped', () => {
  const lines = [{ text: 'ok' }, { text: 'err one err' }, { text: 'none' }, { text: 'ERR' }];
  const { matches, truncated } = findMatches(lines, 'err');
  assert.deepEqual(matches, [
    { line: 1, start: 0, end: 3 },
    { line: 1, start: 8, end: 11 },
    { line: 3, start: 0, end: 3 },
  ]);
  assert.equal(truncated, false);
  const capped = findMatches(lines, 'err', 2);
  assert.equal(capped.matches.length, 2);
  assert.equal(capped.truncated, true);
  assert.deepEqual(findMatches(lines, '').matches, []);
});

test('segments cut a line at its matches, marking the current one', () => {
  assert.deepEqual(
    segments(
      'a err b err',
      [
        [2, 5],
        [8, 11],
      ],
      1,
    ),
    [
      { text: 'a ', hit: false, current: false },
      { text: 'err', hit: true, current: false },
      { text: ' b ', hit: false, current: false },
      { text: 'err', hit: true, current: true },
    ],
  );
  assert.deepEqual(segments('plain', []), [{ text: 'plain', hit: false, current: false }]);
  assert.deepEqual(segments('', []), [{ text: '', hit: false, current: false }]);
  assert.deepEqual(segments('abc', [[0, 3]]), [{ text: 'abc', hit: true, current: false }]);
});

test('next and previous match wrap around; "next" starts at the first match on screen', () => {
  assert.equal(stepMatch(-1, 3, 1), 0);
  assert.equal(stepMatch(-1, 3, -1), 2);
  assert.equal(stepMatch(2, 3, 1), 0);
  assert.equal(stepMatch(0, 3, -1), 2);
  assert.equal(stepMatch(0, 0, 1), -1);
  const ms = [
    { line: 1, start: 0, end: 1 },
    { line: 5, start: 0, end: 1 },
    { line: 5, start: 3, end: 4 },
    { line: 9, start: 0, end: 1 },
  ];
  assert.equal(firstMatchFrom(ms, 0), 0);
  assert.equal(firstMatchFrom(ms, 5), 1);
  assert.equal(firstMatchFrom(ms, 6), 3);
  assert.equal(firstMatchFrom(ms, 10), -1);
});

test('the .log file: the lines shown, with time and source when they are shown', () => {
  const lines = [
    { pod: 'web-1', container: 'app', text: 'hello', at: Date.UTC(2026, 10, 1, 8, 0, 1, 500) },
    { pod: 'web-2', container: 'app', text: 'world', at: null },
  ];
  assert.equal(logFileText(lines, { timestamps: false, source: false }), 'hello\nworld\n');
  assert.equal(logFileText(lines, { timestamps: true, source: true }), '2026-11-01T08:00:01.500Z web-1/app hello\nweb-2/app world\n');
  assert.equal(lineTime(null), '');
  assert.equal(logFileName(['lab-1', 'web', 'frontend', 'app']), 'lab-1_web_frontend_app.log');
  assert.equal(logFileName(['../etc/passwd', undefined, 'a b']), 'etc_passwd_a_b.log');
  assert.equal(logFileName([]), 'logs.log');
});

test('logs.start params: a pod or a workload, options as asked, timestamps always', () => {
  const o = { cluster: 'c1', kind: 'pods', namespace: 'web', name: 'web-1' };
  assert.deepEqual(streamParams(o, DEFAULT_STREAM), {
    cluster: 'c1',
    namespace: 'web',
    pod: 'web-1',
    follow: true,
    previous: false,
    timestamps: true,
    tailLines: 1000,
  });
  assert.deepEqual(
    streamParams(
      { ...o, kind: 'apps/deployments', name: 'frontend' },
      { container: 'sidecar', follow: false, previous: true, since: '1h', tail: 'all' },
    ),
    {
      cluster: 'c1',
      namespace: 'web',
      workload: { kind: 'apps/deployments', name: 'frontend' },
      container: 'sidecar',
      follow: false,
      previous: true,
      timestamps: true,
      sinceSeconds: 3600,
    },
  );
  assert.ok(hasLogs('apps/statefulsets') && hasLogs('batch/jobs') && !hasLogs('nodes') && !hasLogs('configmaps'));
});

test('containers for the picker: app, sidecars (restartable init containers), init', () => {
  const pod = {
    spec: {
      initContainers: [{ name: 'migrate' }, { name: 'proxy', restartPolicy: 'Always' }],
      containers: [{ name: 'app' }, { name: 'metrics' }],
    },
  };
  assert.deepEqual(containersOfBody('pods', pod), [
    { name: 'app', kind: 'app' },
    { name: 'metrics', kind: 'app' },
    { name: 'migrate', kind: 'init' },
    { name: 'proxy', kind: 'sidecar' },
  ]);
  assert.deepEqual(containersOfBody('apps/deployments', { spec: { template: pod } }).length, 4);
  assert.deepEqual(containersOfBody('pods', null), []);
  assert.deepEqual(
    containerChoices([
      { pod: 'a', name: 'init', kind: 'init' },
      { pod: 'a', name: 'app', kind: 'app' },
      { pod: 'b', name: 'app', kind: 'app' },
      { pod: 'a', name: 'envoy', kind: 'sidecar' },
    ] as { pod: string; name: string; kind: 'init' | 'sidecar' | 'app' }[]),
    [
      { name: 'app', kind: 'app' },
      { name: 'envoy', kind: 'sidecar' },
      { name: 'init', kind: 'init' },
    ],
  );
});
