/**
 * The shard results `kd merge` (and `kd check --workers`, `kd report --from`) combine must
 * be the whole of one campaign, each shard once: a file given twice, or two copies of one
 * shard, would count its runs twice; a shard of another campaign (another seed, preset,
 * profile, mutant, modes) would mix two campaigns; a missing shard would report a part as
 * the whole. Each is refused with one line naming the files.
 */
import { resolve } from 'node:path';
import { BadFileError } from '../bad-file.js';
import type { CampaignSummary } from './summary.js';

interface ShardFile {
  readonly file: string;
  readonly summary: CampaignSummary;
}

/** What makes two results parts of one campaign, field by field. */
const identity = (s: CampaignSummary): Record<string, string> => ({
  profile: s.profile,
  mutant: String(s.mutant),
  preset: s.preset,
  seed: String(s.seed),
  modes: s.modes.join(','),
  conformance: String(s.conformance),
  shards: s.shard === null ? 'none' : (s.shard.split('/')[1] ?? s.shard),
});

/** Throws an error naming the problem unless `files` are every shard of one campaign once. */
export function checkShardSet(files: readonly ShardFile[]): void {
  const [first] = files;
  if (first === undefined) throw new BadFileError('nothing to merge');
  const seen = new Map<string, string>();
  for (const { file, summary } of files) {
    const path = resolve(file);
    if (seen.has(path)) throw new BadFileError(`${file} is given twice`);
    seen.set(path, file);
    differingField(first, { file, summary });
  }
  const whole = files.find(({ summary }) => summary.shard === null);
  if (whole === undefined) checkIndices(files);
  else if (files.length > 1)
    throw new BadFileError(`${whole.file} is the result of a whole campaign, not a shard to merge`);
}

function differingField(first: ShardFile, other: ShardFile): void {
  const a = identity(first.summary);
  const b = identity(other.summary);
  for (const field of Object.keys(a)) {
    if (a[field] !== b[field])
      throw new BadFileError(
        `${other.file} is a shard of another campaign than ${first.file}: ${field} ${b[field]} vs ${a[field]}`,
      );
  }
}

/** Shards `0/n` … `n-1/n`, each once. */
function checkIndices(files: readonly ShardFile[]): void {
  const byIndex = new Map<number, string>();
  let count = 0;
  for (const { file, summary } of files) {
    const match = /^(\d+)\/(\d+)$/.exec(summary.shard ?? '');
    if (!match) throw new BadFileError(`${file}: shard: expected i/n, not ${summary.shard}`);
    const index = Number(match[1]);
    count = Number(match[2]);
    const other = byIndex.get(index);
    if (other !== undefined)
      throw new BadFileError(`${other} and ${file} are both shard ${summary.shard} (a copy?)`);
    byIndex.set(index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new BadFileError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} of ${count} missing: merge every shard of the campaign`,
    );
}
