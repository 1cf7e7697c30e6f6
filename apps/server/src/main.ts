#!/usr/bin/env node
import { tuneGcForLatency } from '@tabagent/common/runtime';

// First, before any data is written: a GC decision taken earlier cannot be undone.
tuneGcForLatency();
const { runCli } = await import('./cli.js');
await runCli(process.argv);
