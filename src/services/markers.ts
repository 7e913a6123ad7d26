/**
 * Environment variables every service process (and everything it starts) inherits, so factory can
 * find an instance's processes after its supervisor died or after they left their process group.
 */
export const MARKER_INSTANCE = 'FACTORY_INSTANCE';
export const MARKER_SERVICE = 'FACTORY_SERVICE';
