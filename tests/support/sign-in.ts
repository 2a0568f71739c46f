import { expect } from 'vitest';

/** Signs in through the app's own Better Auth route (email + password); returns the Cookie header for the session. */
export async function sessionCookie(authUrl: string, email: string, password: string): Promise<string> {
  const { POST } = await import('@/app/api/auth/[...all]/route');
  const response = await POST(
    new Request(`${authUrl}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: authUrl },
      body: JSON.stringify({ email, password }),
    }),
  );
  expect(response.status, `${email} signs in`).toBe(200);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
}
