import { z } from 'zod';
import { detectHardware } from '@tabagent/hardware';
import type { Api, RouteContext } from '../route-context.js';
import { errorResponses, queryBoolean } from '../schemas/common-schemas.js';

const HardwareSchema = z
  .looseObject({
    platform: z.string(),
    arch: z.string(),
    cpu: z.looseObject({}),
    memory: z.looseObject({}),
    gpus: z.array(z.looseObject({})),
    npus: z.array(z.looseObject({})),
    acceleration: z.looseObject({}),
    recommendation: z.looseObject({ executionProviders: z.array(z.string()) }),
    probes: z.array(z.looseObject({})),
    detectedAt: z.string(),
  })
  .describe('CPUs, memory, GPUs, NPUs, acceleration libraries and the ONNX execution providers recommended for them.');

/** What this machine can run models on. */
export function registerHardwareRoutes(api: Api, _context: RouteContext): void {
  api.get('/hardware', {
    schema: {
      tags: ['system'],
      summary: 'Detected hardware',
      description: 'Detected once and cached; `?refresh=true` probes again.',
      querystring: z.strictObject({ refresh: queryBoolean.optional() }),
      response: { 200: HardwareSchema, ...errorResponses },
    },
    // The schema documents the top level; the nested parts are `@tabagent/hardware`'s own types.
    handler: async (request) => (await detectHardware({ refresh: request.query.refresh ?? false })) as unknown as z.output<typeof HardwareSchema>,
  });
}
