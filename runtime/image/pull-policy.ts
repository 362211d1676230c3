// When a registry is asked for an image (`--pull`, as docker's): always; missing (only when
// the cache has no image of that name: the default); never.
export type PullPolicy = 'always' | 'missing' | 'never';
export const PULL_POLICIES: readonly PullPolicy[] = ['always', 'missing', 'never'];
