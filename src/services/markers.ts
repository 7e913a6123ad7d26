/**
 * Environment variables every service process (and everything it starts) inherits, so factory can
 * find an instance's processes after its supervisor died or after they left their process group.
 */
export const MARKER_INSTANCE = 'FACTORY_INSTANCE';
export const MARKER_SERVICE = 'FACTORY_SERVICE';
/**
 * The machine state dir (lease registry) the instance was started against, so `factory ps` tells
 * its own leaks from the processes of instances in another registry (a test run's private one).
 */
export const MARKER_REGISTRY = 'FACTORY_REGISTRY';
