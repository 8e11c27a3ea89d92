import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('CertificateManager timers', { timeout: 60_000 }, () => {
  it('never keep a process alive: a program that forgets stop() still exits by itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wxpay-unref-'));
    const script = join(dir, 'forgets-stop.mts');
    const lib = (path: string) => pathToFileURL(join(root, path)).href;
    await writeFile(
      script,
      `import { Builder } from '${lib('lib/index.ts')}';
import { CertificateManager } from '${lib('lib/certificates/index.ts')}';
import { Emulator } from '${lib('lib/testing/index.ts')}';
const emulator = Emulator.create();
await emulator.addPlatformCertificate();
const client = Builder.factory(emulator.clientConfig({ certs: {} }));
const manager = await CertificateManager.start(client, { apiv3Key: emulator.apiv3Key, interval: 3_600_000 });
console.log('managing', manager.certificates().length, typeof manager.nextRefreshAt);
`,
    );
    try {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
        const child = execFile(process.execPath, ['--import', 'tsx', script], { cwd: root, timeout: 45_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr, killed: child.killed }),
        );
      });
      expect(result.stderr).toBe('');
      expect(result.killed).toBe(false);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('managing 1 number');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
