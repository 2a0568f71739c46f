-- Users, sessions and sign-in accounts for LeadSignal's sign-in (Better Auth, lib/auth/server.ts), used
-- when the store is a database and DATABASE_URL is set. The tables are Better Auth's own schema (see
-- tests/auth/server.test.ts, which checks this file against what Better Auth expects), in a schema of
-- their own: Supabase's API serves `public`, never `leadsignal_auth`, and no API role may use it.
-- Column names are Better Auth's (camelCase, hence the quotes).

CREATE SCHEMA IF NOT EXISTS leadsignal_auth;
COMMENT ON SCHEMA leadsignal_auth IS 'LeadSignal sign-in (Better Auth): users, sessions, provider accounts, verification tokens. Server only.';
REVOKE ALL ON SCHEMA leadsignal_auth FROM PUBLIC, anon, authenticated;

CREATE TABLE leadsignal_auth."user" (
  "id" text NOT NULL PRIMARY KEY,
  "name" text NOT NULL,
  "email" text NOT NULL UNIQUE,
  "emailVerified" boolean NOT NULL,
  "image" text,
  "createdAt" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
  "updatedAt" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL
);
COMMENT ON TABLE leadsignal_auth."user" IS 'One row per person who signed in (OIDC) or was added with npm run auth:add-user (password).';

CREATE TABLE leadsignal_auth."session" (
  "id" text NOT NULL PRIMARY KEY,
  "expiresAt" timestamptz NOT NULL,
  "token" text NOT NULL UNIQUE,
  "createdAt" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
  "updatedAt" timestamptz NOT NULL,
  "ipAddress" text,
  "userAgent" text,
  "userId" text NOT NULL REFERENCES leadsignal_auth."user" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE leadsignal_auth."session" IS 'Signed-in browser sessions; the token is the session cookie''s value. Sign-out deletes the row.';

CREATE TABLE leadsignal_auth."account" (
  "id" text NOT NULL PRIMARY KEY,
  "accountId" text NOT NULL,
  "providerId" text NOT NULL,
  "userId" text NOT NULL REFERENCES leadsignal_auth."user" ("id") ON DELETE CASCADE,
  "accessToken" text,
  "refreshToken" text,
  "idToken" text,
  "accessTokenExpiresAt" timestamptz,
  "refreshTokenExpiresAt" timestamptz,
  "scope" text,
  "password" text,
  "createdAt" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
  "updatedAt" timestamptz NOT NULL
);
COMMENT ON TABLE leadsignal_auth."account" IS 'How a user signs in: the OIDC subject (providerId oidc), or a scrypt password hash (providerId credential).';

CREATE TABLE leadsignal_auth."verification" (
  "id" text NOT NULL PRIMARY KEY,
  "identifier" text NOT NULL,
  "value" text NOT NULL,
  "expiresAt" timestamptz NOT NULL,
  "createdAt" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
  "updatedAt" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL
);
COMMENT ON TABLE leadsignal_auth."verification" IS 'Short-lived sign-in state (the OIDC state and PKCE verifier between the redirect and the callback).';

CREATE INDEX "session_userId_idx" ON leadsignal_auth."session" ("userId");
CREATE INDEX "account_userId_idx" ON leadsignal_auth."account" ("userId");
CREATE INDEX "verification_identifier_idx" ON leadsignal_auth."verification" ("identifier");

-- Only the table owner (the server over DATABASE_URL) reads and writes. Row level security with no
-- policy is a second lock should anyone grant the API roles the schema later.
REVOKE ALL ON ALL TABLES IN SCHEMA leadsignal_auth FROM PUBLIC, anon, authenticated;
ALTER TABLE leadsignal_auth."user" ENABLE ROW LEVEL SECURITY;
ALTER TABLE leadsignal_auth."session" ENABLE ROW LEVEL SECURITY;
ALTER TABLE leadsignal_auth."account" ENABLE ROW LEVEL SECURITY;
ALTER TABLE leadsignal_auth."verification" ENABLE ROW LEVEL SECURITY;
