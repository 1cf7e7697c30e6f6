import type { Command } from 'commander';
import type { HardwareInfo } from '@tabagent/hardware';
import { action } from '../context.js';
import { fields, formatBytes } from '../output/format.js';

function describeHardware(h: HardwareInfo): string {
  const cpu = h.cpu;
  const lines = [
    fields({
      platform: `${h.platform} ${h.arch}`,
      cpu: `${cpu.model ?? 'unknown'} (${cpu.logicalCores} logical${cpu.physicalCores === undefined ? '' : `, ${cpu.physicalCores} physical`} cores)`,
      memory: `${formatBytes(h.memory.totalBytes)}${h.memory.availableBytes === undefined ? '' : `, ${formatBytes(h.memory.availableBytes)} available`}`,
    }),
  ];
  lines.push(h.gpus.length === 0 ? 'gpus: none found' : `gpus:\n${h.gpus.map((g) => `  ${g.vendor} ${g.name ?? ''} (${g.kind}${g.memoryTotalBytes === undefined ? '' : `, ${formatBytes(g.memoryTotalBytes)}`})`).join('\n')}`);
  if (h.npus.length > 0) lines.push(`npus:\n${h.npus.map((n) => `  ${n.vendor} ${n.name}${n.driverLoaded ? '' : ' (no driver)'}`).join('\n')}`);
  lines.push(
    `recommended ONNX execution providers: ${h.recommendation.executionProviders.join(', ')} (${h.recommendation.intraOpNumThreads} threads)`,
    ...h.recommendation.reasons.map((r) => `  - ${r}`),
  );
  return lines.join('\n');
}

/** `tabagent hardware`: what the machine offers for inference. */
export function registerHardware(program: Command): void {
  program
    .command('hardware')
    .description('detect CPU, memory, GPUs and NPUs, and the execution providers ML would use')
    .action(
      action(async (ctx) => {
        const { detectHardware } = await import('@tabagent/hardware');
        ctx.output.result(await detectHardware(), describeHardware);
      }),
    );
}
