/** The native engine is not built or cannot be loaded: the fix is a build. */
export class EngineUnavailableError extends Error {}
