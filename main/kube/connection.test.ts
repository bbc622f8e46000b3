import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oidcMissing } from './connection.ts';

test('oidcMissing: what an OIDC user without a token to send must do', () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = `${b64({ alg: 'RS256' })}.${b64({ exp: 1_800_000_000 })}.sig`;
  assert.match(oidcMissing({}), /no id-token: log in first/);
  assert.equal(
    oidcMissing({ 'id-token': jwt, 'client-id': 'k' }),
    'OIDC: the id-token expired at 2027-01-15T08:00:00.000Z and cannot be renewed (no refresh-token, idp-issuer-url in the kubeconfig): log in again (e.g. kubectl oidc-login)',
  );
  // not a JWT (no expiry to read), every renewal field there: the refresh gave nothing
  assert.equal(
    oidcMissing({ 'id-token': 'opaque', 'client-id': 'k', 'refresh-token': 'r', 'idp-issuer-url': 'https://idp' }),
    'OIDC: the id-token expired and cannot be renewed (no refresh in the kubeconfig): log in again (e.g. kubectl oidc-login)',
  );
  assert.match(oidcMissing({ 'id-token': 'a.%%%.b' }), /expired and cannot be renewed \(no refresh-token, client-id, idp-issuer-url/);
});
