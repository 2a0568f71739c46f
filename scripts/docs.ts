/** `npm run docs`: rewrites the README sections generated from code (rules table, latent model). */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../lib/fs-atomic';
import { renderReadme } from '../lib/readme-sections';

const path = 'README.md';
const before = await readFile(path, 'utf8');
const after = renderReadme(before);
if (after === before) {
  console.log('README.md is up to date.');
} else {
  await writeFileAtomic(path, after);
  console.log('README.md: generated sections rewritten.');
}
