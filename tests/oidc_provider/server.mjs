// A real, standards-compliant authorization server for the end-to-end tests.
// Started by tests/helpers/oidc.py; prints {"issuer": ...} on its first line once listening.
//
// Environment:
//   REDIRECT_URIS        comma-separated redirect URIs of the public client (required)
//   CLIENT_ID            default frameio-desktop-test; a second client, <CLIENT_ID>-silent,
//                        has no refresh_token grant (no refresh token, with or without
//                        offline_access) and may renew with prompt=none (see below)
//   ACCESS_TOKEN_TTL     seconds, default 3600
//   PORT                 default 0 (any free port)
import http from 'node:http';
import Provider, { interactionPolicy } from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const clientId = process.env.CLIENT_ID || 'frameio-desktop-test';
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);
const accessTokenTtl = Number(process.env.ACCESS_TOKEN_TTL || 3600);

const silentClientId = `${clientId}-silent`;

// oidc-provider asks a native client for consent on every authorization, so prompt=none
// would always answer interaction_required. The silent client is let through once its
// grant exists (the other consent checks still apply), as Adobe IMS does for a Native
// App credential with a session.
const policy = interactionPolicy.base();
const nativePrompt = policy.get('consent').checks.get('native_client_prompt');
const askNative = nativePrompt.check;
nativePrompt.check = (ctx) => (
  ctx.oidc.client.clientId === silentClientId ? interactionPolicy.Check.NO_NEED_TO_PROMPT
    : askNative(ctx));

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: redirectUris,
    }, {
      client_id: silentClientId,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: redirectUris,
    }],
    interactions: { policy },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    features: { revocation: { enabled: true }, devInteractions: { enabled: true } },
    rotateRefreshToken: true,
    ttl: { AccessToken: accessTokenTtl, RefreshToken: 14 * 24 * 3600 },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, name: sub, email: `${sub}@example.com`, email_verified: true };
        },
      };
    },
  });
  provider.proxy = false;
  // Counts for the tests: refresh grants seen, revocations seen.
  const counts = { refresh: 0, revoke: 0 };
  provider.on('grant.success', (ctx) => {
    if (ctx.oidc.params.grant_type === 'refresh_token') counts.refresh += 1;
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url === '/__counts') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(counts));
      return;
    }
    if (req.method === 'POST' && req.url.startsWith('/token/revocation')) {
      res.on('finish', () => { if (res.statusCode === 200) counts.revoke += 1; });
    }
    callback(req, res);
  });
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
