/** The router entry point (`factory router`): stable preview hostnames for every instance here. */
export { startRouter, type RouterOptions, type RunningRouter } from './server.js';
export { readRoutes, type Route, type InstanceEntry } from './routes.js';
