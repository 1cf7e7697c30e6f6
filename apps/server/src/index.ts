export { createCli, runCli } from './cli.js';
export { defaultDataDir, databaseDir } from './paths.js';
