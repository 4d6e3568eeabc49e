// What other workspace packages may import from the WhatsApp service: its configuration schema
// (tests check docker-compose.yml and the docs against it). The service itself is src/main.ts.
export { WhatsAppEnv, ReplayEnv } from './env.ts';
