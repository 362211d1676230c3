// Why the live server cannot start or serve (a bad --port, a port in use, the viewer not built):
// one line for the user, printed by the CLI as its own errors are. Its own module, so that the
// CLI can know it without loading the server.
export class LiveServerError extends Error {
  constructor(
    message: string,
    /** 2: a bad option, as the CLI's usage errors; 1: the server could not start */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
