/** `npm run docs`: rewrites the README sections generated from code (rules table, latent model). */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../lib/fs-atomic';
import { renderReadme } from '../lib/readme-sections';
import { defineCommand } from './cli';

const README = 'README.md';

export default defineCommand(import.meta.url, {
  name: 'docs',
  summary: 'Rewrites the README sections generated from code (the default rules table, the latent model).',
  flags: {},
  async run() {
    const before = await readFile(README, 'utf8');
    const after = renderReadme(before);
    if (after === before) {
      console.log('README.md is up to date.');
    } else {
      await writeFileAtomic(README, after);
      console.log('README.md: generated sections rewritten.');
    }
  },
});
