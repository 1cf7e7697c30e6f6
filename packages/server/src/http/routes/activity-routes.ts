import { z } from 'zod';
import { ACTIVITY_LEVELS } from '@tabagent/task-scheduler';
import type { Api, RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas/common-schemas.js';

const ActivitySchema = z.strictObject({
  level: z.enum(ACTIVITY_LEVELS).describe('`high`: the user is chatting (only urgent work runs); `low`; `sleep`: idle (all background work runs).'),
});

/** How active the user is: background enrichment steps aside while they chat. */
export function registerActivityRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['activity'];

  api.get('/activity', {
    schema: { tags, summary: 'Current activity level', response: { 200: ActivitySchema, ...errorResponses } },
    handler: async () => ({ level: db.activityLevel }),
  });

  api.put('/activity', {
    schema: {
      tags,
      summary: 'Set the activity level',
      description: 'The level decays by itself after the scheduler’s idle times.',
      body: ActivitySchema,
      response: { 200: ActivitySchema, ...errorResponses },
    },
    handler: async (request) => {
      db.setActivityLevel(request.body.level);
      return { level: db.activityLevel };
    },
  });
}
