export { startRouterService, ROUTER_VERSION, type RouterService, type RouterServiceOptions } from './router-service.ts';
export { RouterEnv } from './config.ts';
