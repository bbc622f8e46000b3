import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { LAST_APPLIED, Redactor, looksLikeCredentialName, nameWords, type Finding, type RedactionRule } from './redact.ts';

// A value that must never appear in any output, finding or placeholder.
const SECRET = 'S3cr3t-V4lue';

function noLeak(r: { value: unknown; findings: Finding[] }, secret = SECRET): void {
  assert.ok(!JSON.stringify(r.value).includes(secret), `value leaks the secret: ${JSON.stringify(r.value)}`);
  assert.ok(!JSON.stringify(r.findings).includes(secret), 'findings leak the secret');
}

const rules = (f: Finding[]) => f.map((x) => x.rule);

// Private keys are made at run time (no key material, nor its PEM armour, in the source): a real
// PKCS#1 RSA key and a real PKCS#8 one, and the armour lines for the synthetic cases.
const KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
}).privateKey;
const KEY8 = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
}).privateKey;
const armour = (edge: 'BEGIN' | 'END', label = '') => `-----${edge} ${label}${'PRIVATE'} KEY-----`;
/** The base64 body of a PEM block: what must not survive redaction. */
const keyBody = (pem: string) => pem.split('\n').slice(1, -2).join('');

describe('credential-looking names', () => {
  const redacted = [
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'DB_PASSWORD',
    'DB_PASS',
    'DB_PWD',
    'MYSQL_ROOT_PASSWD',
    'GITHUB_TOKEN',
    'apiKey',
    'APIKey',
    'APIKEY',
    'api-key',
    'client_secret',
    'clientSecret',
    'SSH_PRIVATE_KEY',
    'CREDENTIALS_JSON',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'DBPASSWORD',
    'OAUTH2_TOKEN',
    'JWT_SECRET_KEY',
    'SECRET_KEY_BASE',
    'ENCRYPTION_KEY',
    'BASIC_AUTH',
    'REGISTRY_CREDS',
    'KEY',
    'password',
  ];
  const kept = [
    'PATH',
    'HOME',
    'LOG_LEVEL',
    'KEYBOARD_LAYOUT',
    'KEYCLOAK_URL',
    'MONKEY',
    'KEY_COUNT',
    'DB_PASSWORD_FILE',
    'SECRET_NAME',
    'TOKEN_URL',
    'PASSWORD_MIN_LENGTH',
    'NEXTAUTH_URL',
    'PWD',
    'HOSTNAME',
    'TLS_CERT',
    '',
    '___',
  ];
  for (const name of redacted) it(`redacts ${name}`, () => assert.equal(looksLikeCredentialName(name, 'env'), true));
  for (const name of kept) it(`keeps ${JSON.stringify(name)}`, () => assert.equal(looksLikeCredentialName(name, 'env'), false));

  it('splits on separators, camelCase and digits', () => {
    assert.deepEqual(nameWords('AWS_SECRET_ACCESS_KEY'), ['aws', 'secret', 'access', 'key']);
    assert.deepEqual(nameWords('apiKey'), ['api', 'key']);
    assert.deepEqual(nameWords('APIKey'), ['api', 'key']);
    assert.deepEqual(nameWords('OAUTH2_TOKEN'), ['oauth', '2', 'token']);
    assert.deepEqual(nameWords('example.com/api-token'), ['example', 'com', 'api', 'token']);
  });

  it('PWD is a credential in text (ODBC PWD=) but not as an env name; a bare key only counts outside text', () => {
    assert.equal(looksLikeCredentialName('PWD', 'text'), true);
    assert.equal(looksLikeCredentialName('key', 'env'), true);
    assert.equal(looksLikeCredentialName('key', 'text'), false);
    assert.equal(looksLikeCredentialName('api-key', 'text'), true);
  });
});

describe('Redactor.text: string rules', () => {
  const r = new Redactor();
  const cases: { name: string; in: string; out: string; rules: RedactionRule[] }[] = [
    // url-userinfo
    { name: 'https userinfo', in: `https://user:${SECRET}@host/x`, out: 'https://<redacted:url-userinfo>@host/x', rules: ['url-userinfo'] },
    {
      name: 'redis password only',
      in: `redis://:${SECRET}@cache:6379/0`,
      out: 'redis://<redacted:url-userinfo>@cache:6379/0',
      rules: ['url-userinfo'],
    },
    {
      name: 'postgres with port and query',
      in: `postgres://u:${SECRET}@h:5432/db?sslmode=require`,
      out: 'postgres://<redacted:url-userinfo>@h:5432/db?sslmode=require',
      rules: ['url-userinfo'],
    },
    {
      name: 'mongodb+srv',
      in: `mongodb+srv://admin:${SECRET}@cluster0.example.net/app`,
      out: 'mongodb+srv://<redacted:url-userinfo>@cluster0.example.net/app',
      rules: ['url-userinfo'],
    },
    {
      name: 'amqp in a sentence',
      in: `connect amqp://guest:${SECRET}@mq now`,
      out: 'connect amqp://<redacted:url-userinfo>@mq now',
      rules: ['url-userinfo'],
    },
    {
      name: 'git+ssh with password',
      in: `git+ssh://git:${SECRET}@example.com/r.git`,
      out: 'git+ssh://<redacted:url-userinfo>@example.com/r.git',
      rules: ['url-userinfo'],
    },
    { name: 'username only is kept', in: 'ssh://git@github.com/org/repo', out: 'ssh://git@github.com/org/repo', rules: [] },
    { name: 'host:port is kept', in: 'https://host:8443/a@b', out: 'https://host:8443/a@b', rules: [] },
    {
      name: 'a token as username',
      in: `https://${SECRET}:x-oauth-basic@github.com/a`,
      out: 'https://<redacted:url-userinfo>@github.com/a',
      rules: ['url-userinfo'],
    },
    // connection-string
    {
      name: 'ADO.NET',
      in: `Server=db;User Id=sa;Password=${SECRET};Encrypt=true`,
      out: 'Server=db;User Id=sa;Password=<redacted:connection-string>;Encrypt=true',
      rules: ['connection-string'],
    },
    {
      name: 'ADO.NET quoted with a semicolon',
      in: `Server=db;Password="${SECRET};x";Database=d`,
      out: 'Server=db;Password="<redacted:connection-string>";Database=d',
      rules: ['connection-string'],
    },
    {
      name: 'ODBC PWD',
      in: `DSN=x;UID=sa;PWD=${SECRET};`,
      out: 'DSN=x;UID=sa;PWD=<redacted:connection-string>;',
      rules: ['connection-string'],
    },
    {
      name: 'JDBC query',
      in: `jdbc:mysql://h/db?user=x&password=${SECRET}&ssl=true`,
      out: 'jdbc:mysql://h/db?user=x&password=<redacted:connection-string>&ssl=true',
      rules: ['connection-string'],
    },
    {
      name: 'query token',
      in: `GET /cb?access_token=${SECRET}&x=1`,
      out: 'GET /cb?access_token=<redacted:connection-string>&x=1',
      rules: ['connection-string'],
    },
    { name: 'apikey=', in: `apikey=${SECRET}`, out: 'apikey=<redacted:connection-string>', rules: ['connection-string'] },
    {
      name: 'secret= and spaces',
      in: `secret = ${SECRET} rest`,
      out: 'secret = <redacted:connection-string> rest',
      rules: ['connection-string'],
    },
    {
      name: 'Azure AccountKey',
      in: `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${SECRET}==;EndpointSuffix=core.windows.net`,
      out: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=<redacted:connection-string>;EndpointSuffix=core.windows.net',
      rules: ['connection-string'],
    },
    {
      name: 'env dump',
      in: `DB_PASSWORD=${SECRET} LOG_LEVEL=info`,
      out: 'DB_PASSWORD=<redacted:connection-string> LOG_LEVEL=info',
      rules: ['connection-string'],
    },
    {
      name: 'descriptor keys are kept',
      in: 'password_file=/run/pw token_type=bearer',
      out: 'password_file=/run/pw token_type=bearer',
      rules: [],
    },
    { name: 'comparison is not assignment', in: 'if token == x', out: 'if token == x', rules: [] },
    { name: 'empty value', in: 'password=;user=x', out: 'password=;user=x', rules: [] },
    // arg-credential
    { name: '--password=', in: `--password=${SECRET}`, out: '--password=<redacted:arg-credential>', rules: ['arg-credential'] },
    {
      name: '--client-secret=',
      in: `app --client-secret=${SECRET} -v`,
      out: 'app --client-secret=<redacted:arg-credential> -v',
      rules: ['arg-credential'],
    },
    {
      name: '-D property',
      in: `java -Dspring.datasource.password=${SECRET} -jar x`,
      out: 'java -Dspring.datasource.password=<redacted:arg-credential> -jar x',
      rules: ['arg-credential'],
    },
    {
      name: '--token value',
      in: `run --token ${SECRET} --verbose`,
      out: 'run --token <redacted:arg-credential> --verbose',
      rules: ['arg-credential'],
    },
    { name: '--token followed by a flag', in: 'run --token --verbose', out: 'run --token --verbose', rules: [] },
    { name: '--key path is kept', in: '--key /etc/tls.key --cert /etc/tls.crt', out: '--key /etc/tls.key --cert /etc/tls.crt', rules: [] },
    // kubeconfig-credential
    {
      name: 'kubeconfig user',
      in: `users:\n- name: u\n  user:\n    token: ${SECRET}\n    client-certificate-data: ${SECRET}1\n    client-key-data: ${SECRET}2\n`,
      out: 'users:\n- name: u\n  user:\n    token: <redacted:kubeconfig-credential>\n    client-certificate-data: <redacted:kubeconfig-credential>\n    client-key-data: <redacted:kubeconfig-credential>\n',
      rules: ['kubeconfig-credential', 'kubeconfig-credential', 'kubeconfig-credential'],
    },
    {
      name: 'auth-provider',
      in: `      config:\n        id-token: ${SECRET}\n        refresh-token: "${SECRET}"\n        client-secret: '${SECRET}'\n        idp-issuer-url: https://idp\n`,
      out: `      config:\n        id-token: <redacted:kubeconfig-credential>\n        refresh-token: "<redacted:kubeconfig-credential>"\n        client-secret: '<redacted:kubeconfig-credential>'\n        idp-issuer-url: https://idp\n`,
      rules: ['kubeconfig-credential', 'kubeconfig-credential', 'kubeconfig-credential'],
    },
    {
      name: 'basic-auth password',
      in: `    password: ${SECRET}\n    username: admin`,
      out: '    password: <redacted:kubeconfig-credential>\n    username: admin',
      rules: ['kubeconfig-credential'],
    },
    {
      name: 'JSON',
      in: `{"apiVersion":"v1","users":[{"user":{"token":"${SECRET}","username":"x"}}]}`,
      out: '{"apiVersion":"v1","users":[{"user":{"token":"<redacted:kubeconfig-credential>","username":"x"}}]}',
      rules: ['kubeconfig-credential'],
    },
    {
      name: 'escaped JSON',
      in: `msg={\\"password\\":\\"${SECRET}\\",\\"u\\":1}`,
      out: 'msg={\\"password\\":\\"<redacted:kubeconfig-credential>\\",\\"u\\":1}',
      rules: ['kubeconfig-credential'],
    },
    {
      name: 'YAML block scalar',
      in: `a: |\n  x\nsecret: |\n  ${SECRET}\n  ${SECRET}\nnext: 1`,
      out: 'a: |\n  x\nsecret: |\n  <redacted:kubeconfig-credential>\nnext: 1',
      rules: ['kubeconfig-credential'],
    },
    { name: 'bare key: is kept', in: 'key: app\noperator: Exists', out: 'key: app\noperator: Exists', rules: [] },
    { name: 'times are not keys', in: 'at 12:30:45 token:abc', out: 'at 12:30:45 token:abc', rules: [] },
    // private-key
    {
      name: 'PEM private key (a real RSA key, made now)',
      in: `before\n${KEY.trimEnd()}\nafter`,
      out: 'before\n<redacted:private-key>\nafter',
      rules: ['private-key'],
    },
    {
      name: 'PEM in escaped JSON (a real PKCS#8 key)',
      in: `"k":${JSON.stringify(KEY8)}`,
      out: '"k":"<redacted:private-key>\\n"',
      rules: ['private-key'],
    },
    {
      name: 'PEM in escaped JSON, OPENSSH armour',
      in: `"k":"${armour('BEGIN', 'OPENSSH ')}\\nb3Bl${SECRET}\\n${armour('END', 'OPENSSH ')}\\n"`,
      out: '"k":"<redacted:private-key>\\n"',
      rules: ['private-key'],
    },
    { name: 'unterminated PEM', in: `${armour('BEGIN')}\n${SECRET}`, out: '<redacted:private-key>', rules: ['private-key'] },
    {
      name: 'a certificate is kept',
      in: '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----',
      out: '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----',
      rules: [],
    },
    // bearer-token
    {
      name: 'Authorization Bearer',
      in: `Authorization: Bearer ${SECRET}`,
      out: 'Authorization: Bearer <redacted:bearer-token>',
      rules: ['bearer-token'],
    },
    {
      name: 'lower-case bearer',
      in: `curl -H "authorization: bearer ${SECRET}" x`,
      out: 'curl -H "authorization: bearer <redacted:bearer-token>" x',
      rules: ['bearer-token'],
    },
    {
      name: 'Authorization Basic',
      in: `Authorization: Basic ${Buffer.from(`admin:${SECRET}`).toString('base64')}`,
      out: 'Authorization: Basic <redacted:bearer-token>',
      rules: ['bearer-token'],
    },
    {
      name: 'Basic alone',
      in: `sent Basic ${Buffer.from(`admin:${SECRET}`).toString('base64')} upstream`,
      out: 'sent Basic <redacted:bearer-token> upstream',
      rules: ['bearer-token'],
    },
    { name: 'basic auth in prose is kept', in: 'basic auth is enabled', out: 'basic auth is enabled', rules: [] },
    {
      name: 'Authorization without a scheme',
      in: `{"Authorization":"${SECRET}"}`,
      out: '{"Authorization":"<redacted:bearer-token>"}',
      rules: ['bearer-token'],
    },
    {
      name: 'JWT',
      in: `id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIke1NFQ1JFVH0ifQ.${SECRET}_sig done`,
      out: 'id <redacted:bearer-token> done',
      rules: ['bearer-token'],
    },
    { name: 'eyJ alone is kept', in: 'eyJhbGciOiJSUzI1NiJ9 and xeyJ.eyJ.x', out: 'eyJhbGciOiJSUzI1NiJ9 and xeyJ.eyJ.x', rules: [] },
    // several in one string, and nothing
    {
      name: 'several',
      in: `postgres://u:${SECRET}@db/x?password=${SECRET} Bearer ${SECRET}`,
      out: 'postgres://<redacted:url-userinfo>@db/x?password=<redacted:connection-string> Bearer <redacted:bearer-token>',
      rules: ['url-userinfo', 'connection-string', 'bearer-token'],
    },
    {
      name: 'plain event message',
      in: 'Back-off restarting failed container web in pod web-1_shop(uid)',
      out: 'Back-off restarting failed container web in pod web-1_shop(uid)',
      rules: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = r.text(c.in);
      assert.equal(got.value, c.out);
      assert.deepEqual(rules(got.findings), c.rules);
      for (const f of got.findings) {
        assert.equal(f.path, '');
        assert.ok(f.length > 0);
      }
      noLeak(got);
      for (const pem of [KEY, KEY8]) if (c.in.includes(keyBody(pem).slice(0, 40))) noLeak(got, keyBody(pem).slice(0, 40));
    });
  }

  it('reports the length of what it redacted, never the value', () => {
    const got = r.text(`Password=${SECRET};`);
    assert.deepEqual(got.findings, [{ path: '', rule: 'connection-string', length: SECRET.length }]);
  });
});

describe('Redactor.object: env', () => {
  const podSpec = () => ({
    containers: [
      {
        name: 'app',
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'DB_PASSWORD', value: SECRET },
          { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
          { name: 'DATABASE_URL', value: `postgres://app:${SECRET}@db/app` },
          { name: 'EMPTY_SECRET', value: '' },
        ],
      },
    ],
    initContainers: [{ name: 'init', env: [{ name: 'GITHUB_TOKEN', value: SECRET }] }],
    ephemeralContainers: [{ name: 'debug', env: [{ name: 'apiKey', value: SECRET }] }],
  });
  const expectFindings = (prefix: string): Finding[] => [
    { path: `${prefix}.containers[0].env[1].value`, rule: 'env-credential', length: SECRET.length },
    { path: `${prefix}.containers[0].env[3].value`, rule: 'url-userinfo', length: `app:${SECRET}`.length },
    { path: `${prefix}.initContainers[0].env[0].value`, rule: 'env-credential', length: SECRET.length },
    { path: `${prefix}.ephemeralContainers[0].env[0].value`, rule: 'env-credential', length: SECRET.length },
  ];
  const cases: { name: string; kind: string; obj: any; prefix: string }[] = [
    { name: 'pod', kind: 'pods', obj: { kind: 'Pod', spec: podSpec() }, prefix: 'spec' },
    {
      name: 'deployment',
      kind: 'apps/deployments',
      obj: { kind: 'Deployment', spec: { template: { spec: podSpec() } } },
      prefix: 'spec.template.spec',
    },
    { name: 'statefulset', kind: 'apps/statefulsets', obj: { spec: { template: { spec: podSpec() } } }, prefix: 'spec.template.spec' },
    { name: 'daemonset', kind: 'apps/daemonsets', obj: { spec: { template: { spec: podSpec() } } }, prefix: 'spec.template.spec' },
    { name: 'job', kind: 'batch/jobs', obj: { spec: { template: { spec: podSpec() } } }, prefix: 'spec.template.spec' },
    {
      name: 'cronjob',
      kind: 'batch/cronjobs',
      obj: { spec: { jobTemplate: { spec: { template: { spec: podSpec() } } } } },
      prefix: 'spec.jobTemplate.spec.template.spec',
    },
    { name: 'unknown CRD', kind: 'example.com/widgets', obj: { spec: { deep: [{ pod: podSpec() }] } }, prefix: 'spec.deep[0].pod' },
  ];
  for (const c of cases) {
    it(`finds env in a ${c.name}`, () => {
      const before = structuredClone(c.obj);
      const got = new Redactor().object(c.kind, c.obj);
      assert.deepEqual(c.obj, before, 'the input is not mutated');
      assert.deepEqual(got.findings, expectFindings(c.prefix));
      noLeak(got);
      const spec = c.prefix.split('.').reduce((o: any, k) => (k === 'deep[0]' ? o.deep[0] : o[k]), got.value);
      const env = spec.containers[0].env;
      assert.deepEqual(env[0], { name: 'LOG_LEVEL', value: 'info' });
      assert.deepEqual(env[1], { name: 'DB_PASSWORD', value: '<redacted:env-credential>' });
      assert.deepEqual(env[2], { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } });
      assert.equal(env[3].value, 'postgres://<redacted:url-userinfo>@db/app');
      assert.deepEqual(env[4], { name: 'EMPTY_SECRET', value: '' });
    });
  }

  it('redacts the argument after a credential flag in a string array', () => {
    const pod = {
      spec: {
        containers: [
          { command: ['app'], args: ['--password', SECRET, '--token', '--verbose', '--key', '/tls.key', '--db-password', SECRET] },
        ],
      },
    };
    const got = new Redactor().object('pods', pod);
    assert.deepEqual((got.value as any).spec.containers[0].args, [
      '--password',
      '<redacted:arg-credential>',
      '--token',
      '--verbose',
      '--key',
      '/tls.key',
      '--db-password',
      '<redacted:arg-credential>',
    ]);
    assert.deepEqual(got.findings, [
      { path: 'spec.containers[0].args[1]', rule: 'arg-credential', length: SECRET.length },
      { path: 'spec.containers[0].args[7]', rule: 'arg-credential', length: SECRET.length },
    ]);
  });

  it('applies the string rules to every string: args, command, status, annotations', () => {
    const pod = {
      metadata: { annotations: { note: `see https://u:${SECRET}@h` } },
      spec: { containers: [{ command: ['sh', '-c', `curl -H "Authorization: Bearer ${SECRET}" x`], args: [`--password=${SECRET}`] }] },
      status: { message: `failed: password=${SECRET}` },
    };
    const got = new Redactor().object('pods', pod);
    noLeak(got);
    assert.deepEqual(
      got.findings.map((f) => [f.path, f.rule]),
      [
        ['metadata.annotations.note', 'url-userinfo'],
        ['spec.containers[0].command[2]', 'bearer-token'],
        ['spec.containers[0].args[0]', 'arg-credential'],
        ['status.message', 'connection-string'],
      ],
    );
  });
});

describe('Redactor.object: Secrets, ConfigMaps, annotations', () => {
  const secret = () => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db',
      annotations: { [LAST_APPLIED]: `{"data":{"password":"${Buffer.from(SECRET).toString('base64')}"}}`, owner: 'team-a' },
    },
    type: 'Opaque',
    data: { password: Buffer.from(SECRET).toString('base64'), empty: '' },
    stringData: { 'config.yaml': `user: x\npass: ${SECRET}\n` },
  });

  for (const [name, kind, obj] of [
    ['by kind key', 'secrets', { ...secret(), kind: undefined }],
    ['by obj.kind', 'v1/whatever', secret()],
    ['inside a List', 'lists', { kind: 'List', items: [secret()] }],
  ] as const) {
    it(`keeps only keys and sizes of Secret data (${name})`, () => {
      const got = new Redactor().object(kind, obj);
      noLeak(got);
      noLeak(got, Buffer.from(SECRET).toString('base64'));
      const s: any = name === 'inside a List' ? (got.value as any).items[0] : got.value;
      assert.deepEqual(s.data, { password: `<redacted:secret-data:${SECRET.length} bytes>`, empty: '<redacted:secret-data:0 bytes>' });
      const sd = `user: x\npass: ${SECRET}\n`;
      assert.deepEqual(s.stringData, { 'config.yaml': `<redacted:secret-data:${Buffer.byteLength(sd)} bytes>` });
      assert.deepEqual(s.metadata.annotations, { owner: 'team-a' });
      assert.equal(s.type, 'Opaque');
      const prefix = name === 'inside a List' ? 'items[0].' : '';
      assert.deepEqual(
        got.findings.map((f) => [f.path, f.rule, f.length]),
        [
          [`${prefix}metadata.annotations["${LAST_APPLIED}"]`, 'last-applied', secret().metadata.annotations[LAST_APPLIED].length],
          [`${prefix}data.password`, 'secret-data', SECRET.length],
          [`${prefix}data.empty`, 'secret-data', 0],
          [`${prefix}stringData["config.yaml"]`, 'secret-data', Buffer.byteLength(sd)],
        ],
      );
    });
  }

  it('replaces Secret data that is not a map', () => {
    const got = new Redactor().object('secrets', { kind: 'Secret', data: SECRET, stringData: [SECRET] });
    noLeak(got);
    // A string is still sized (as base64); anything else has no size.
    const size = Buffer.from(SECRET, 'base64').length;
    assert.deepEqual(got.value, { kind: 'Secret', data: `<redacted:secret-data:${size} bytes>`, stringData: '<redacted:secret-data>' });
  });

  it('runs ConfigMap data through the string rules, and redacts credential-named keys', () => {
    const cm = {
      kind: 'ConfigMap',
      metadata: { name: 'app' },
      data: {
        'app.properties': `db.url=jdbc:postgresql://db/app\ndb.password=${SECRET}\n`,
        LOG_LEVEL: 'debug',
        DB_PASSWORD: SECRET,
        'kubeconfig.yaml': `users:\n- user:\n    token: ${SECRET}\n`,
      },
    };
    const got = new Redactor().object('configmaps', cm);
    noLeak(got);
    assert.deepEqual((got.value as any).data, {
      'app.properties': 'db.url=jdbc:postgresql://db/app\ndb.password=<redacted:connection-string>\n',
      LOG_LEVEL: 'debug',
      DB_PASSWORD: '<redacted:env-credential>',
      'kubeconfig.yaml': 'users:\n- user:\n    token: <redacted:kubeconfig-credential>\n',
    });
    assert.deepEqual(
      got.findings.map((f) => [f.path, f.rule]),
      [
        ['data["app.properties"]', 'connection-string'],
        ['data.DB_PASSWORD', 'env-credential'],
        ['data["kubeconfig.yaml"]', 'kubeconfig-credential'],
      ],
    );
  });

  it('removes last-applied everywhere and redacts credential-keyed annotations and labels', () => {
    const dep = {
      metadata: {
        annotations: { [LAST_APPLIED]: '{"x":1}', 'example.com/api-token': SECRET, 'deployment.kubernetes.io/revision': '3' },
        labels: { app: 'web', 'example.com/secret': SECRET },
      },
      spec: { template: { metadata: { annotations: { [LAST_APPLIED]: '{}', 'vault/password': SECRET } } } },
    };
    const got = new Redactor().object('apps/deployments', dep);
    noLeak(got);
    assert.deepEqual(got.value, {
      metadata: {
        annotations: { 'example.com/api-token': '<redacted:annotation-credential>', 'deployment.kubernetes.io/revision': '3' },
        labels: { app: 'web', 'example.com/secret': '<redacted:annotation-credential>' },
      },
      spec: { template: { metadata: { annotations: { 'vault/password': '<redacted:annotation-credential>' } } } },
    });
    assert.deepEqual(got.findings, [
      { path: `metadata.annotations["${LAST_APPLIED}"]`, rule: 'last-applied', length: 7 },
      { path: 'metadata.annotations["example.com/api-token"]', rule: 'annotation-credential', length: SECRET.length },
      { path: 'metadata.labels["example.com/secret"]', rule: 'annotation-credential', length: SECRET.length },
      { path: `spec.template.metadata.annotations["${LAST_APPLIED}"]`, rule: 'last-applied', length: 2 },
      { path: 'spec.template.metadata.annotations["vault/password"]', rule: 'annotation-credential', length: SECRET.length },
    ]);
  });

  it('keeps keys (reports use them) and scalars; a JSON __proto__ key stays a key', () => {
    const obj = JSON.parse(`{"a":1,"b":true,"c":null,"d":[1.5,"x"],"__proto__":{"token: ":"v"}}`);
    const got = new Redactor().object('x', obj);
    assert.equal(Object.getPrototypeOf(got.value), Object.prototype);
    assert.deepEqual(Object.keys(got.value as object), ['a', 'b', 'c', 'd', '__proto__']);
    assert.deepEqual((got.value as any).d, [1.5, 'x']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(got.value, '__proto__')?.value, { 'token: ': 'v' });
    assert.deepEqual(got.findings, []);
  });
});

describe('Redactor: tokens', () => {
  it('has no token unless asked', () => {
    assert.equal(new Redactor().text(`password=${SECRET}`).value, 'password=<redacted:connection-string>');
  });

  it('gives the same value the same token across fields, objects and text() within one Redactor', () => {
    const r = new Redactor({ tokenize: true });
    const a = r.object('pods', {
      spec: { containers: [{ env: [{ name: 'DB_PASSWORD', value: SECRET }], args: [`--password=${SECRET}`] }] },
    });
    const b = r.object('secrets', { kind: 'Secret', data: { pw: Buffer.from(SECRET).toString('base64') }, stringData: { pw: SECRET } });
    const t = r.text(`Password=${SECRET};`);
    const tokens = [JSON.stringify(a.value), JSON.stringify(b.value), t.value].flatMap((s) =>
      [...s.matchAll(/tok_([0-9a-f]{12})>/g)].map((m) => m[1]),
    );
    assert.equal(tokens.length, 5);
    assert.equal(new Set(tokens).size, 1);
    noLeak(a);
    noLeak(b);
    noLeak(t);
    const other = r.text('Password=something-else;').value;
    assert.notEqual(/tok_(\w+)>/.exec(other)?.[1], tokens[0]);
  });

  it('gives different tokens in different bundles (random keys), equal ones with the same key', () => {
    const tok = (r: Redactor) => /tok_(\w+)>/.exec(r.text(`token: ${SECRET}`).value)?.[1];
    assert.notEqual(tok(new Redactor({ tokenize: true })), tok(new Redactor({ tokenize: true })));
    const key = Buffer.alloc(32, 7);
    assert.equal(tok(new Redactor({ tokenize: true, key })), tok(new Redactor({ tokenize: true, key })));
    assert.match(
      new Redactor({ tokenize: true, key }).text(`token: ${SECRET}`).value,
      /^token: <redacted:kubeconfig-credential:tok_[0-9a-f]{12}>$/,
    );
    assert.throws(() => new Redactor({ key: Buffer.alloc(0) }), /empty/);
  });
});

describe('Redactor: hostile input', () => {
  it('survives 10k nested arrays and objects (depth cap, no stack overflow)', () => {
    let deep: unknown = `password=${SECRET}`;
    for (let i = 0; i < 10_000; i++) deep = i % 2 ? [deep] : { x: deep };
    const got = new Redactor().object('x', { spec: deep });
    noLeak(got);
    assert.equal(got.findings.length, 1);
    assert.equal(got.findings[0]!.rule, 'depth-limit');
    // 10,000 containers and the string; the 255 containers above the cap are kept.
    assert.equal(got.findings[0]!.length, 10_001 - 255);
    let v: any = (got.value as any).spec;
    let depth = 1;
    while (typeof v === 'object') {
      v = Array.isArray(v) ? v[0] : v.x;
      depth++;
    }
    assert.equal(v, '<redacted:depth-limit>');
    assert.equal(depth, 256);
    // A smaller cap, and tokens never on depth-limit placeholders.
    const small = new Redactor({ maxDepth: 2, tokenize: true }).object('x', { a: { b: { c: 1 } }, s: 'ok' });
    assert.deepEqual(small.value, { a: { b: '<redacted:depth-limit>' }, s: 'ok' });
    assert.deepEqual(small.findings, [{ path: 'a.b', rule: 'depth-limit', length: 2 }]);
  });

  const MiB = 1 << 20;
  const hostile: [string, string][] = [
    ['a: repeated', 'a:'.repeat(MiB / 2)],
    ['@@@@', '@'.repeat(MiB)],
    ['=====', '='.repeat(MiB)],
    ['a=a=', 'a='.repeat(MiB / 2)],
    ['password=password=', 'password='.repeat(MiB / 9)],
    ['password: password:', 'password: '.repeat(MiB / 10)],
    ['"token":"token":', '"token":'.repeat(MiB / 8)],
    [':// repeated', 'x://'.repeat(MiB / 4)],
    ['://u:p@ without end', 'https://u:p' + 'a'.repeat(MiB)],
    ['eyJ repeated', 'eyJ'.repeat(MiB / 3)],
    ['eyJ. repeated', 'eyJa.'.repeat(MiB / 5)],
    ['Bearer repeated', 'Bearer '.repeat(MiB / 7)],
    ['Basic and base64', 'Basic ' + 'QQ'.repeat(MiB / 2)],
    ['authorization repeated', 'authorization'.repeat(MiB / 13)],
    ['dashes', '-'.repeat(MiB)],
    ['BEGIN repeated', '-----BEGIN '.repeat(MiB / 11)],
    ['private key BEGIN without END', armour('BEGIN').repeat(MiB / 27)],
    ['--token flags', '--token '.repeat(MiB / 8)],
    ['-a-a-a', '-a'.repeat(MiB / 2)],
    ['long keys', ('k'.repeat(200) + '=').repeat(MiB / 201)],
    ['spaces then colon', ' '.repeat(MiB) + ':'],
    ['block scalars', 'password: |\n'.repeat(MiB / 12)],
    ['quotes', 'password="'.repeat(MiB / 10)],
  ];
  for (const [name, s] of hostile) {
    it(`handles a 1 MiB string in linear time: ${name}`, () => {
      const r = new Redactor({ tokenize: true });
      const t0 = performance.now();
      const got = r.text(s);
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `${name}: ${ms.toFixed(0)} ms`);
      assert.equal(typeof got.value, 'string');
      // The same string inside an object costs the same.
      const t1 = performance.now();
      r.object('configmaps', { data: { x: s } });
      assert.ok(performance.now() - t1 < 2000);
    });
  }

  it('passes Unicode through unchanged where no rule applies, and redacts it where one does', () => {
    const r = new Redactor();
    const texts = [
      'مرحبا بالعالم — שלום', // RTL
      'zero\u200bwidth\u200d\ufeffjoiners',
      'emoji 🚀👩‍👩‍👧 ok',
      'lone \ud800 surrogates \udc00 here',
      '\u202eoverride\u202c',
    ];
    for (const t of texts) {
      assert.equal(r.text(t).value, t);
      assert.deepEqual(r.text(t).findings, []);
      const got = r.object('configmaps', { metadata: { labels: { [t]: t } }, data: { [t]: t } });
      assert.deepEqual(got.value, { metadata: { labels: { [t]: t } }, data: { [t]: t } });
    }
    const got = r.text('password=🔑\ud800秘密 next');
    assert.equal(got.value, 'password=<redacted:connection-string> next');
    assert.deepEqual(got.findings, [{ path: '', rule: 'connection-string', length: 5 }]);
  });
});
