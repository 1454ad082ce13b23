// A real OpenID provider for the tests (the npm package oidc-provider), on 127.0.0.1 at a free port.
//
//   node tests/oidc/provider.mjs SETTINGS.json
//
// SETTINGS.json: {"client_id", "client_secret", "redirect_uris": [...], "post_logout_redirect_uris": [...],
// "accounts_file": "accounts.json", "claims_in_id_token": false}. The accounts file is read afresh on
// each sign-in, so a test can change who is who: {"<login>": {"email": ..., "email_verified": true,
// "name": ..., "groups": [...]}}; the login typed on the provider's (development) sign-in page is the
// account's subject. Prints one line of JSON, {"issuer": "http://127.0.0.1:<port>"}, once it listens.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function accounts() {
  return JSON.parse(readFileSync(settings.accounts_file, 'utf8'));
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: settings.client_id,
      client_secret: settings.client_secret,
      redirect_uris: settings.redirect_uris,
      post_logout_redirect_uris: settings.post_logout_redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    // Entra ID puts e-mail and groups in the ID token; a stricter provider only at userinfo (the default).
    conformIdTokenClaims: !settings.claims_in_id_token,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // PKCE with S256 for every client, confidential ones too.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    cookies: { keys: ['tests-only-not-secret'] },
    async findAccount(ctx, sub) {
      const account = accounts()[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...account };
        },
      };
    },
    // The tests' own pages, without the default ones' web fonts from the internet.
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Error</title><h1>Error</h1><pre>${JSON.stringify(out)
        .replace(/</g, '&lt;')}</pre>`;
    },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
