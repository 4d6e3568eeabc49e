export { buildApp, API_VERSION } from './app.ts';
export { GatewayEnv } from './config.ts';
export { createGatewayDeps, type GatewayDeps } from './deps.ts';
export { HttpError, ValidationFailedError, ERROR_CODES } from './errors.ts';
export { IntakeService } from './intake/intake-service.ts';
export { OpdKeyStore, type OpdKey } from './opd/opd-keys.ts';
export { serviceUserRules } from './redis-acl/redis-users.ts';
export { loadResponseDeadlineOrExit } from './overdue/response-deadline.ts';
