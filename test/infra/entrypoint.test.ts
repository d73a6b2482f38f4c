/**
 * The program loads through the path `pulumi up` takes (Pulumi's TypeScript runtime: its vendored ts-node,
 * type-checking with the project's tsconfig), not only through ts-jest.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './support/program';

it('loads infra/index.ts with Pulumi’s ts-node and declares the stack', async () => {
  // Act
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(__dirname, 'support', 'pulumi-entry.js'), ROOT],
    {
      env: { ...process.env, VOICEAI_CODE_DIR: 'dist' },
      timeout: 120_000,
    },
  );

  // Assert
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { ok: boolean; resources: number };
  expect(result.ok).toBe(true);
  expect(result.resources).toBeGreaterThanOrEqual(40);
}, 150_000);
