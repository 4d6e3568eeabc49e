import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { refreshDataDiskGauges } from './data-disks.ts';

const values = async (registry: Registry, name: string) => Object.fromEntries((await registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels.dir, v.value]));

describe('refreshDataDiskGauges', () => {
  const base = mkdtempSync(join(tmpdir(), 'aduan-data-disks-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("sets each directory's disk in the registry it is given, leaves out (and logs) one that cannot be read, and forgets directories no longer given", async () => {
    const file = join(base, 'a-file');
    writeFileSync(file, '');
    const logged: unknown[] = [];
    const logger = { debug: (obj: unknown, msg?: string) => logged.push([obj, msg]) };
    const [one, other] = [new Registry(), new Registry()];
    const fs = await statfs(base);

    await refreshDataDiskGauges(one, { spool: join(base, 'not-made-yet'), inbox: join(file, 'under-a-file') }, logger);
    await refreshDataDiskGauges(other, { attachments: base }, logger);
    expect(await values(one, 'aduan_data_disk_size_bytes')).toEqual({ spool: fs.blocks * fs.bsize });
    expect(await values(other, 'aduan_data_disk_size_bytes')).toEqual({ attachments: fs.blocks * fs.bsize });
    expect(logged).toEqual([[{ dir: 'inbox', err: 'ENOTDIR' }, 'data disk gauges not read']]);

    await refreshDataDiskGauges(one, { attachments: base }, logger);
    expect(Object.keys(await values(one, 'aduan_data_disk_free_bytes'))).toEqual(['attachments']);
  });
});
