// Run by directory-fsync.test.ts under strace: one photo stored, one record spooled, through the
// real LocalDiskStorage and Spool. Arguments: the storage root, the spool directory.
import { LocalDiskStorage } from '@aduan/storage';
import { Spool } from '../../../packages/queue/src/spool.ts';

const [root, spoolDir] = process.argv.slice(2);
await new LocalDiskStorage(root!).put(Buffer.from('photo bytes'));
const spool = new Spool(spoolDir!);
await spool.append({ queue: 'intake', jobId: 'J1', data: {}, spooledAt: new Date().toISOString() });
await spool.close();
