import { z } from 'zod';
import { Complaint } from './complaint.ts';
import { RoutedComplaint } from './routed.ts';
import { Notification, StatusUpdate } from './status.ts';

/** The payloads of the queue contract, as JSON Schema (draft 2020-12) for non-TypeScript consumers. */
export function jsonSchemas(): Record<string, unknown> {
  const entries = { Complaint, RoutedComplaint, StatusUpdate, Notification } as const;
  return Object.fromEntries(
    Object.entries(entries).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' })]),
  );
}
