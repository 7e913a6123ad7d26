/** The router entry point (`factory router`): stable preview hostnames for every instance here. */
export { startRouter } from './server.js';
